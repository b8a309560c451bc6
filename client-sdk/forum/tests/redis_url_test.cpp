// Redis URLs: the password is taken out whole (percent-decoded), and every
// error or log line shows the URL with it masked.

#include <gtest/gtest.h>

#include "panelwire/forum/redis_client.h"

namespace panelwire::forum {
namespace {

TEST(RedisUrl, ThePartsAndAPercentEncodedPassword) {
  auto e = parse_redis_url("redis://:p%40ss%3Aword@10.0.0.5:6380/2");
  EXPECT_EQ(e.host, "10.0.0.5");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.password, "p@ss:word");
  EXPECT_EQ(e.db, 2);
  auto bare = parse_redis_url("redis://127.0.0.1");
  EXPECT_EQ(bare.port, 6379);
  EXPECT_EQ(bare.password, "");
  EXPECT_EQ(bare.db, 0);
}

TEST(RedisUrl, ErrorsMaskThePassword) {
  EXPECT_EQ(redacted_redis_url("redis://:s3cret@host:6379/1"), "redis://:***@host:6379/1");
  EXPECT_EQ(redacted_redis_url("redis://user:s3cret@host"), "redis://:***@host");
  // Passwords a URL parser does not see as passwords are hidden all the same.
  EXPECT_EQ(redacted_redis_url("redis://:/Zk3+q@host:6379"), "redis://:***@host:6379");
  EXPECT_EQ(redacted_redis_url("redis://:ab?c#d@host"), "redis://:***@host");
  EXPECT_EQ(redacted_redis_url("redis://s3cret@host"), "redis://:***@host");
  EXPECT_EQ(redacted_redis_url("s3cret@host"), ":***@host");
  EXPECT_EQ(redacted_redis_url("redis://host:6379"), "redis://host:6379");
  EXPECT_EQ(redacted_redis_url("redis://:s3 cret@host"), "redis://:***@host") << "unparsable";
  for (const char* url :
       {"http://:s3cret@host:6379", "redis://:s3cret@host:6379/db", "redis://:s3cret@"}) {
    try {
      parse_redis_url(url);
      ADD_FAILURE() << "accepted";
    } catch (const RedisError& e) {
      std::string what = e.what();
      EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
    }
  }
}

}  // namespace
}  // namespace panelwire::forum

// Reading a secret from a file: one trailing newline, Unix or Windows, is
// not part of it; anything else is.

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "panelwire/tools/secret_file.h"

namespace panelwire::tools {
namespace {

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/panelwire-secret-XXXXXX";
    int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = name;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::optional<std::string> read(const std::string& content) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
    return read_secret_file(path_);
  }
  std::string path_;
};

TEST_F(SecretFileTest, OneTrailingNewlineIsStripped) {
  EXPECT_EQ(read("s3cret"), "s3cret");
  EXPECT_EQ(read("s3cret\n"), "s3cret");
  EXPECT_EQ(read("s3cret\r\n"), "s3cret") << "written on Windows";
  EXPECT_EQ(read("s3cret\n\n"), "s3cret\n") << "only one";
  EXPECT_EQ(read("s3cret\r"), "s3cret\r") << "a lone CR is no newline";
  EXPECT_EQ(read(" s3 cret "), " s3 cret ") << "spaces are the secret's own";
  EXPECT_EQ(read(std::string("a\0b\n", 4)), std::string("a\0b", 3)) << "binary-safe";
}

TEST_F(SecretFileTest, EmptyIsEmptyAndMissingIsNothing) {
  EXPECT_EQ(read(""), "");
  EXPECT_EQ(read("\n"), "");
  EXPECT_EQ(read_secret_file(path_ + ".missing"), std::nullopt);
  EXPECT_EQ(read_secret_file("/tmp"), std::nullopt) << "a directory";
}

}  // namespace
}  // namespace panelwire::tools

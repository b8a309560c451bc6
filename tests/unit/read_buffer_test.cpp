// The session's read buffer: little room while empty, all of it once a
// message has begun.

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include <boost/asio/buffer.hpp>

#include "read_buffer.h"

namespace panelwire::net {
namespace {

TEST(ReadBuffer, EmptyItOffersOnlyTheIdleRoom) {
  ReadBuffer b;
  EXPECT_EQ(b.max_size() - b.size(), ReadBuffer::kIdleBytes);
  EXPECT_EQ(b.capacity(), 0u) << "nothing held before a read";
}

TEST(ReadBuffer, OnceBytesArriveTheWholeLimitIsOffered) {
  ReadBuffer b;
  auto room = b.prepare(ReadBuffer::kIdleBytes);
  std::memset(room.data(), 'a', room.size());
  b.commit(room.size());
  EXPECT_GT(b.max_size() - b.size(), 1u << 20) << "a long message goes on being read";
  auto more = b.prepare(60'000);
  std::memset(more.data(), 'b', more.size());
  b.commit(more.size());
  EXPECT_EQ(b.size(), ReadBuffer::kIdleBytes + 60'000);
  const std::string whole(static_cast<const char*>(b.cdata().data()), b.size());
  EXPECT_EQ(whole, std::string(ReadBuffer::kIdleBytes, 'a') + std::string(60'000, 'b'));
}

TEST(ReadBuffer, ClearGivesTheMemoryBack) {
  ReadBuffer b;
  b.commit(boost::asio::buffer_size(b.prepare(10'000)));
  b.clear();
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_EQ(b.max_size(), ReadBuffer::kIdleBytes);
}

}  // namespace
}  // namespace panelwire::net

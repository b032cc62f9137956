#include "sonde/uv_loop.h"

#include <gtest/gtest.h>

namespace sonde {
namespace {

TEST(UvLoop, CloseClosesStrayHandles) {
  UvLoop loop;
  uv_timer_t* timer = new uv_timer_t;
  uv_timer_init(loop.get(), timer);
  uv_timer_start(
      timer, [](uv_timer_t*) {}, 100000, 0);
  // CloseLoop closes it; its memory is ours to free afterwards.
  EXPECT_TRUE(loop.Close().ok());
  delete timer;
  EXPECT_TRUE(UvStatus(0, "x").ok());
  EXPECT_TRUE(UvStatus(UV_EADDRINUSE, "bind").IsUnavailable());
  Status s = UvStatus(UV_ECONNRESET, "read");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.message(), "read: ECONNRESET: connection reset by peer");
}

}  // namespace
}  // namespace sonde

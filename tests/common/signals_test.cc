#include "sonde/signals.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "sonde/uv_loop.h"

namespace sonde {
namespace {

TEST(SignalWatcher, StopAndReopenCallbacks) {
  UvLoop loop;
  std::vector<int> stops;
  int reopens = 0;
  SignalOptions options;
  options.on_stop = [&](int signum) { stops.push_back(signum); };
  options.on_reopen = [&] { ++reopens; };
  auto watcher = SignalWatcher::Start(loop.get(), options);
  ASSERT_TRUE(watcher.has_value());
  // The handles are unref'd, so a keep-alive timer drives the loop.
  uv_timer_t timer;
  uv_timer_init(loop.get(), &timer);
  timer.data = &stops;
  uv_timer_start(
      &timer,
      [](uv_timer_t* t) {
        if (static_cast<std::vector<int>*>(t->data)->size() == 2) uv_timer_stop(t);
      },
      1, 1);
  raise(SIGHUP);
  raise(SIGTERM);
  raise(SIGINT);
  loop.Run();
  EXPECT_EQ(stops, (std::vector<int>{SIGTERM, SIGINT}));
  EXPECT_EQ(reopens, 1);
  bool closed = false;
  (*watcher)->Close([&] { closed = true; });
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  loop.Run();
  EXPECT_TRUE(closed);
  EXPECT_TRUE(loop.Close().ok());
}

TEST(SignalWatcher, IgnoresSigpipe) {
  UvLoop loop;
  auto watcher = SignalWatcher::Start(loop.get(), SignalOptions());
  ASSERT_TRUE(watcher.has_value());
  raise(SIGPIPE);  // Would kill the test process if not ignored.
  struct sigaction current;
  ASSERT_EQ(sigaction(SIGPIPE, nullptr, &current), 0);
  EXPECT_EQ(current.sa_handler, SIG_IGN);
  watcher->reset();  // Destroyed without Close().
  EXPECT_TRUE(loop.Close().ok());
}

}  // namespace
}  // namespace sonde

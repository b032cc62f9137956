#include "sonde/loop_task_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "sonde/uv_loop.h"

namespace sonde {
namespace {

TEST(LoopTaskQueue, RunsTasksFromManyThreadsInOrderOnTheLoop) {
  UvLoop loop;
  auto queue = LoopTaskQueue::Start(loop.get());
  ASSERT_TRUE(queue.has_value());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::vector<int>> seen(kThreads);
  int total = 0;
  const std::thread::id loop_thread = std::this_thread::get_id();
  bool wrong_thread = false;
  // A keep-alive timer: the queue's handle does not hold the loop open.
  uv_timer_t timer;
  uv_timer_init(loop.get(), &timer);
  uv_timer_start(
      &timer, [](uv_timer_t*) {}, 1000000, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE((*queue)->Post([&, t, i] {
          wrong_thread |= std::this_thread::get_id() != loop_thread;
          seen[t].push_back(i);
          if (++total == kThreads * kPerThread) uv_stop(loop.get());
        }));
      }
    });
  }
  loop.Run();
  for (auto& th : threads) th.join();
  EXPECT_FALSE(wrong_thread);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(seen[t][i], i);
  }
  bool closed = false;
  (*queue)->Close([&] { closed = true; });
  EXPECT_FALSE((*queue)->Post([] { FAIL() << "ran after Close"; }));
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  loop.Run();
  EXPECT_TRUE(closed);
  EXPECT_TRUE(loop.Close().ok());
}

TEST(LoopTaskQueue, TasksQueuedAtCloseAreDroppedNotRun) {
  UvLoop loop;
  auto queue = LoopTaskQueue::Start(loop.get());
  ASSERT_TRUE(queue.has_value());
  auto token = std::make_shared<int>(1);
  bool ran = false;
  ASSERT_TRUE((*queue)->Post([token, &ran] { ran = true; }));
  EXPECT_EQ(token.use_count(), 2);
  queue->reset();  // Destroyed without running the loop.
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_TRUE(loop.Close().ok());
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace sonde

#include "sonde/zmq_watcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>
#include <zmq.hpp>

#include "sonde/uv_loop.h"

namespace sonde {
namespace {

// Runs `loop` until `done()` or until `max_ms` of loop time passed (a
// safety net; the tests never rely on it).
void RunUntil(uv_loop_t* loop, const std::function<bool()>& done, uint64_t max_ms = 10000) {
  uv_timer_t guard;
  uv_timer_init(loop, &guard);
  uv_timer_start(
      &guard, [](uv_timer_t* t) { uv_stop(t->loop); }, max_ms, 0);
  while (!done()) {
    uv_run(loop, UV_RUN_ONCE);
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&guard))) break;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&guard), nullptr);
  uv_run(loop, UV_RUN_NOWAIT);
}

class ZmqWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    pull_ = zmq::socket_t(ctx_, zmq::socket_type::pull);
    push_ = zmq::socket_t(ctx_, zmq::socket_type::push);
    pull_.set(zmq::sockopt::rcvhwm, 0);
    push_.set(zmq::sockopt::sndhwm, 0);
  }

  void TearDown() override {
    // Every watcher is closed or destroyed by now; its handles close here.
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  // Connects push_ -> pull_ over tcp loopback on an ephemeral port.
  void ConnectTcp() {
    pull_.bind("tcp://127.0.0.1:*");
    push_.connect(pull_.get(zmq::sockopt::last_endpoint));
  }

  void ConnectInproc(const std::string& name) {
    pull_.bind("inproc://" + name);
    push_.connect("inproc://" + name);
  }

  std::unique_ptr<ZmqWatcher> Watch(zmq::socket_t* socket, ZmqWatcher::MessageCallback cb,
                                    size_t max_batch = 64) {
    ZmqWatcherOptions options;
    options.max_batch = max_batch;
    auto w = ZmqWatcher::Start(&loop_, socket, options, std::move(cb));
    EXPECT_TRUE(w.has_value()) << (w ? "" : w.error().ToString());
    return w ? std::move(*w) : nullptr;
  }

  uv_loop_t loop_;
  zmq::context_t ctx_;
  zmq::socket_t pull_;
  zmq::socket_t push_;
};

TEST_F(ZmqWatcherTest, DeliversThousandsOfQueuedMessagesInBoundedBatches) {
  ConnectTcp();
  constexpr int kCount = 20000;
  // Queued before the watcher exists: their edge has already passed.
  for (int i = 0; i < kCount / 2; ++i) push_.send(zmq::buffer(std::to_string(i)));
  std::vector<int> seen;
  auto watcher = Watch(&pull_, [&](std::span<zmq::message_t> parts) {
    ASSERT_EQ(parts.size(), 1u);
    seen.push_back(std::stoi(parts[0].to_string()));
  });
  RunUntil(&loop_, [&] { return seen.size() >= kCount / 2; });
  for (int i = kCount / 2; i < kCount; ++i) push_.send(zmq::buffer(std::to_string(i)));
  RunUntil(&loop_, [&] { return seen.size() >= kCount; });
  ASSERT_EQ(seen.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(seen[i], i);
  const auto stats = watcher->stats();
  EXPECT_EQ(stats.messages, static_cast<uint64_t>(kCount));
  EXPECT_GT(stats.batches_full, 0u);  // The batch bound was hit and honoured.
  EXPECT_GE(stats.wakeups, static_cast<uint64_t>(kCount / 64));
  watcher->Close();
}

TEST_F(ZmqWatcherTest, DoesNotSpinWhenIdle) {
  ConnectInproc("idle");
  int received = 0;
  auto watcher = Watch(&pull_, [&](std::span<zmq::message_t>) { ++received; });
  push_.send(zmq::str_buffer("one"));
  RunUntil(&loop_, [&] { return received == 1; });
  const uint64_t before = watcher->stats().wakeups;
  // 200 ms of loop time with nothing to read.
  uv_timer_t timer;
  uv_timer_init(&loop_, &timer);
  bool fired = false;
  timer.data = &fired;
  uv_timer_start(
      &timer, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, 200, 0);
  RunUntil(&loop_, [&] { return fired; });
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);  // The timer lives on this stack frame.
  EXPECT_LE(watcher->stats().wakeups - before, 3u) << "the loop spun while idle";
  // And it still wakes for new messages.
  push_.send(zmq::str_buffer("two"));
  RunUntil(&loop_, [&] { return received == 2; });
  EXPECT_EQ(received, 2);
}

TEST_F(ZmqWatcherTest, MultipartMessagesArriveWhole) {
  ConnectInproc("multi");
  std::vector<std::vector<std::string>> got;
  auto watcher = Watch(&pull_, [&](std::span<zmq::message_t> parts) {
    std::vector<std::string> m;
    for (auto& p : parts) m.push_back(p.to_string());
    got.push_back(m);
  });
  for (int i = 0; i < 100; ++i) {
    push_.send(zmq::str_buffer("topic"), zmq::send_flags::sndmore);
    push_.send(zmq::buffer("meta" + std::to_string(i)), zmq::send_flags::sndmore);
    push_.send(zmq::buffer("payload" + std::to_string(i)));
  }
  RunUntil(&loop_, [&] { return got.size() == 100; });
  ASSERT_EQ(got.size(), 100u);
  EXPECT_EQ(got[42], (std::vector<std::string>{"topic", "meta42", "payload42"}));
}

TEST_F(ZmqWatcherTest, DropsMessagesWithTooManyParts) {
  ConnectInproc("parts");
  std::vector<size_t> sizes;
  ZmqWatcherOptions options;
  options.max_parts = 3;
  auto w = ZmqWatcher::Start(&loop_, &pull_, options, [&](std::span<zmq::message_t> parts) {
    sizes.push_back(parts.size());
  });
  ASSERT_TRUE(w.has_value());
  for (int i = 0; i < 10; ++i) push_.send(zmq::str_buffer("x"), zmq::send_flags::sndmore);
  push_.send(zmq::str_buffer("end"));
  push_.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
  push_.send(zmq::str_buffer("b"));
  RunUntil(&loop_, [&] { return !sizes.empty(); });
  EXPECT_EQ(sizes, std::vector<size_t>{2});
  EXPECT_EQ((*w)->stats().dropped_parts, 1u);
}

TEST_F(ZmqWatcherTest, CloseFromInsideTheCallbackStopsDelivery) {
  ConnectInproc("close");
  for (int i = 0; i < 50; ++i) push_.send(zmq::str_buffer("m"));
  int received = 0;
  bool closed = false;
  std::unique_ptr<ZmqWatcher> watcher;
  watcher = Watch(&pull_, [&](std::span<zmq::message_t>) {
    if (++received == 5) watcher->Close([&] { closed = true; });
  });
  RunUntil(&loop_, [&] { return closed; });
  EXPECT_TRUE(closed);
  EXPECT_EQ(received, 5);
  EXPECT_EQ(watcher->stats().messages, 5u);
}

// A ROUTER echoes every request from its callback; a DEALER on the same loop
// sends from a timer (outside its own callback) and calls Rearm(), as the
// header requires for sends on a watched socket.
TEST_F(ZmqWatcherTest, SendsOnWatchedSocketsWithRearm) {
  zmq::socket_t router(ctx_, zmq::socket_type::router);
  zmq::socket_t dealer(ctx_, zmq::socket_type::dealer);
  router.bind("tcp://127.0.0.1:*");
  dealer.connect(router.get(zmq::sockopt::last_endpoint));
  auto router_watch = Watch(&router, [&](std::span<zmq::message_t> parts) {
    ASSERT_EQ(parts.size(), 2u);  // [identity][body]
    router.send(parts[0], zmq::send_flags::sndmore);
    router.send(parts[1], zmq::send_flags::none);
  });
  int echoes = 0;
  auto dealer_watch = Watch(&dealer, [&](std::span<zmq::message_t> parts) {
    ASSERT_EQ(parts.size(), 1u);
    ++echoes;
  });
  struct Ctx {
    zmq::socket_t* dealer;
    ZmqWatcher* watcher;
    int sent = 0;
  } ctx{&dealer, dealer_watch.get()};
  uv_timer_t timer;
  uv_timer_init(&loop_, &timer);
  timer.data = &ctx;
  uv_timer_start(
      &timer,
      [](uv_timer_t* t) {
        auto* c = static_cast<Ctx*>(t->data);
        for (int i = 0; i < 100; ++i) c->dealer->send(zmq::str_buffer("ping"));
        c->watcher->Rearm();
        if (++c->sent == 10) uv_timer_stop(t);
      },
      1, 1);
  RunUntil(&loop_, [&] { return echoes == 1000; });
  EXPECT_EQ(echoes, 1000);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  router_watch.reset();  // Destroyed without Close(): fine.
  dealer_watch->Close();
  uv_run(&loop_, UV_RUN_NOWAIT);  // The timer lives on this stack frame.
}

TEST_F(ZmqWatcherTest, RejectsBadOptionsAndClosedSockets) {
  ZmqWatcherOptions bad;
  bad.max_batch = 0;
  auto w = ZmqWatcher::Start(&loop_, &pull_, bad, [](std::span<zmq::message_t>) {});
  ASSERT_FALSE(w.has_value());
  EXPECT_TRUE(w.error().IsInvalidArgument());
  zmq::socket_t closed;
  w = ZmqWatcher::Start(&loop_, &closed, ZmqWatcherOptions(), [](std::span<zmq::message_t>) {});
  ASSERT_FALSE(w.has_value());
  EXPECT_TRUE(w.error().IsInvalidArgument());
}

}  // namespace
}  // namespace sonde

// The emitter over ZeroMQ PUSH, against a real PULL socket bound to
// tcp://127.0.0.1:* (or an ipc path): delivery, no broker, a broker that
// comes up late, a full queue, destruction, and many recording threads.
#include <errno.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "receivers.h"
#include "sonde/emitter.h"
#include "testutil/testutil.h"

namespace sonde {
namespace {

using std::chrono::milliseconds;
using testing::CountSamples;
using testing::Received;
using testing::ZmqPull;

std::unique_ptr<Emitter> OpenOrDie(const EmitterOptions& options) {
  auto e = Emitter::Open(options);
  EXPECT_TRUE(e.has_value()) << e.error().ToString();
  return e.has_value() ? std::move(*e) : nullptr;
}

EmitterOptions ZmqOptions(const std::string& endpoint) {
  EmitterOptions o;
  o.endpoint = endpoint;
  o.source = "app-7";
  o.flush_interval = std::chrono::hours(1);
  return o;
}

std::string DeadTcpEndpoint() {
  return "tcp://127.0.0.1:" + std::to_string(testing::UnusedPort(SOCK_STREAM));
}

// ZeroMQ connects in the background; a flush with a timeout waits for it.
void Handshake(Emitter* e, ZmqPull* pull) {
  e->Gauge("hello", 1);
  ASSERT_TRUE(e->Flush(milliseconds(10000)).ok());
  ASSERT_EQ(CountSamples(pull->ReceiveSamples(1)), 1u);
}

// ZeroMQ would resolve the name only when connecting, in the background, so
// a name that never resolves looked like a broker that is down. "bad..name"
// has an empty label: the resolver refuses it without asking DNS.
TEST(EmitterZmq, UnresolvableHostFailsAtOpenAsUdpDoes) {
  const auto start = std::chrono::steady_clock::now();
  auto tcp = Emitter::Open(ZmqOptions("tcp://bad..name:7701"));
  ASSERT_FALSE(tcp.has_value());
  EXPECT_TRUE(tcp.error().IsNotFound()) << tcp.error().ToString();
  EXPECT_NE(tcp.error().message().find("endpoint 'tcp://bad..name:7701': cannot resolve "
                                       "'bad..name'"),
            std::string::npos)
      << tcp.error().message();
  auto udp = Emitter::Open(ZmqOptions("udp://bad..name:7701"));
  ASSERT_FALSE(udp.has_value());
  EXPECT_TRUE(udp.error().IsNotFound());
  // Not a speed goal: a lookup that went to DNS would wait for the
  // resolver's 5 s timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
}

TEST(EmitterZmq, SendsToPullOverTcp) {
  ZmqPull pull;
  EmitterOptions o = ZmqOptions(pull.endpoint());
  o.tags = {{"service", "auth"}};
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  const int64_t before = testing::NowMs();
  e->Gauge("cpu", 12.5, {{"core", "1"}});
  e->Count("requests", 3);
  e->Timing("latency", 0.5);
  ASSERT_TRUE(e->Flush(milliseconds(10000)).ok());
  const int64_t after = testing::NowMs();
  std::vector<Received> got = pull.ReceiveSamples(3);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].source, "app-7");
  ASSERT_EQ(got[0].samples.size(), 3u);
  EXPECT_EQ(got[0].samples[0].tags, (Tags{{"core", "1"}, {"service", "auth"}}));
  EXPECT_EQ(got[0].samples[1].kind, MetricKind::kCounter);
  EXPECT_EQ(got[0].samples[2].kind, MetricKind::kTiming);
  for (const Sample& s : got[0].samples) {
    EXPECT_GE(s.timestamp_ms, before);
    EXPECT_LE(s.timestamp_ms, after);
  }
  EmitterCounters c = e->counters();
  EXPECT_EQ(c.sent_samples, 3u);
  EXPECT_EQ(c.sent_messages, 1u);
  EXPECT_EQ(c.dropped(), 0u);
}

TEST(EmitterZmq, SendsOverIpc) {
  testing::TempDir dir;
  ZmqPull pull("ipc://" + dir.File("broker.sock"));
  auto e = OpenOrDie(ZmqOptions(pull.endpoint()));
  ASSERT_NE(e, nullptr);
  e->Gauge("mem", 40);
  ASSERT_TRUE(e->Flush(milliseconds(10000)).ok());
  std::vector<Received> got = pull.ReceiveSamples(1);
  ASSERT_EQ(CountSamples(got), 1u);
  EXPECT_EQ(got[0].samples[0].name, "mem");
}

TEST(EmitterZmq, LargeBatchesUpTo64KiB) {
  ZmqPull pull;
  auto e = OpenOrDie(ZmqOptions(pull.endpoint()));
  ASSERT_NE(e, nullptr);
  Handshake(e.get(), &pull);
  constexpr int kSamples = 5000;
  for (int i = 0; i < kSamples; ++i) e->Gauge("series", i);
  ASSERT_TRUE(e->Flush(milliseconds(10000)).ok());
  std::vector<Received> got = pull.ReceiveSamples(kSamples);
  ASSERT_EQ(CountSamples(got), size_t{kSamples});
  for (const Received& m : got) EXPECT_LE(m.bytes.size(), kMaxMessageBytes);
  EXPECT_GT(got[0].bytes.size(), kDefaultUdpBatchBytes);  // Bigger than UDP's.
}

TEST(EmitterZmq, NoBrokerNeverBlocksAndIsCounted) {
  EmitterOptions o = ZmqOptions(DeadTcpEndpoint());
  o.close_timeout = milliseconds(100);
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(e->Count("requests", 1), RecordResult::kQueued);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));

  start = std::chrono::steady_clock::now();
  Status s = e->Flush(milliseconds(200));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_NE(s.message().find("1000 samples not sent within 200 ms"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("no ZeroMQ peer"), std::string::npos) << s.message();
  EXPECT_GE(took, milliseconds(150));
  EXPECT_LT(took, milliseconds(2000));

  EmitterCounters c = e->counters();
  EXPECT_EQ(c.recorded, 1000u);
  EXPECT_EQ(c.dropped_send_failed, 1000u);
  EXPECT_EQ(c.sent_samples, 0u);
  EXPECT_GE(c.send_errors, 1u);
  EXPECT_EQ(c.last_send_errno, EAGAIN);

  for (int i = 0; i < 1000; ++i) e->Count("requests", 1);
  start = std::chrono::steady_clock::now();
  e.reset();  // Bounded by close_timeout, not by the missing broker.
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
}

TEST(EmitterZmq, BrokerThatComesUpLateGetsLaterSamples) {
  // Reserve a port, start the emitter with nothing there, then bind.
  const std::string endpoint = DeadTcpEndpoint();
  auto e = OpenOrDie(ZmqOptions(endpoint));
  ASSERT_NE(e, nullptr);
  e->Gauge("early", 1);
  EXPECT_TRUE(e->Flush(milliseconds(0)).IsUnavailable());
  // Flush(0) returns before the sender gives up on "early"; wait for that, so
  // that the next Flush() is only about "late".
  ASSERT_TRUE(testing::WaitFor([&] { return e->counters().dropped_send_failed == 1; }));
  ZmqPull pull(endpoint);
  e->Gauge("late", 2);
  ASSERT_TRUE(e->Flush(milliseconds(10000)).ok());  // Waits for the reconnect.
  std::vector<Received> got = pull.ReceiveSamples(1);
  ASSERT_EQ(CountSamples(got), 1u);
  EXPECT_EQ(got[0].samples[0].name, "late");
}

// Flush(milliseconds::max()) means "as long as it takes". now + timeout used
// to overflow into the past (-1 ms), so the sender gave up on a broker that
// was not there yet after its 50 ms grace, and the flush failed.
TEST(EmitterZmq, FlushWithTheLargestTimeoutWaitsForALateBroker) {
  const std::string endpoint = DeadTcpEndpoint();
  auto e = OpenOrDie(ZmqOptions(endpoint));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->Gauge("patient", 1), RecordResult::kQueued);
  Status flushed = Status::Unavailable("not run");
  std::thread flusher([&] { flushed = e->Flush(milliseconds::max()); });
  // The broker comes up well after the 50 ms a background round would wait.
  std::this_thread::sleep_for(milliseconds(300));
  ZmqPull pull(endpoint);
  flusher.join();
  EXPECT_TRUE(flushed.ok()) << flushed.ToString();
  EXPECT_EQ(CountSamples(pull.ReceiveSamples(1)), 1u);
  EXPECT_EQ(e->counters().dropped_send_failed, 0u);
  // Just short of the largest saturates too (nothing is queued: at once).
  EXPECT_TRUE(e->Flush(milliseconds::max() - milliseconds(1)).ok());
}

TEST(EmitterZmq, FullQueueDropsWithoutBlocking) {
  // With no broker, every sender round waits a little for a peer before it
  // drops; meanwhile the tiny queue (2 x 64 KiB) overflows.
  EmitterOptions o = ZmqOptions(DeadTcpEndpoint());
  o.queue_bytes = 64 * 1024;
  o.close_timeout = milliseconds(0);
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  constexpr int kSamples = 200000;
  int full = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kSamples; ++i) {
    if (e->Gauge("queue.depth", i) == RecordResult::kDroppedQueueFull) ++full;
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EmitterCounters c = e->counters();
  EXPECT_GT(full, 0);
  EXPECT_EQ(c.dropped_queue_full, static_cast<uint64_t>(full));
  EXPECT_EQ(c.recorded + c.dropped_queue_full, static_cast<uint64_t>(kSamples));
  // Generous, for sanitizer builds: the point is that nothing waits on the peer.
  EXPECT_LT(elapsed, std::chrono::seconds(20));
}

TEST(EmitterZmq, DestructionDrains) {
  ZmqPull pull;
  {
    auto e = OpenOrDie(ZmqOptions(pull.endpoint()));
    ASSERT_NE(e, nullptr);
    Handshake(e.get(), &pull);
    for (int i = 0; i < 100; ++i) e->Timing("latency", i);
  }
  EXPECT_EQ(CountSamples(pull.ReceiveSamples(100)), 100u);
}

TEST(EmitterZmq, ManyThreadsRecordConcurrently) {
  ZmqPull pull;
  EmitterOptions o = ZmqOptions(pull.endpoint());
  o.queue_bytes = 16 << 20;
  o.flush_interval = milliseconds(5);  // Let the sender run while threads record.
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  Handshake(e.get(), &pull);

  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  std::atomic<int> flushes_ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string name = "thread." + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        e->Record(name, i, MetricKind::kCounter, {{"t", "x"}});
        if (i % 1000 == 0) (void)e->counters();
      }
      if (e->Flush(milliseconds(10000)).ok()) ++flushes_ok;
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(flushes_ok.load(), kThreads);

  std::vector<Received> got = pull.ReceiveSamples(kThreads * kPerThread);
  ASSERT_EQ(CountSamples(got), size_t{kThreads * kPerThread});
  // Each thread's samples arrive complete and in the order it recorded them.
  std::map<std::string, int> next;
  for (const Received& m : got) {
    for (const Sample& s : m.samples) {
      ASSERT_EQ(s.value, next[s.name]++) << s.name;
    }
  }
  ASSERT_EQ(next.size(), size_t{kThreads});
  EmitterCounters c = e->counters();
  EXPECT_EQ(c.recorded, uint64_t{kThreads * kPerThread + 1});
  EXPECT_EQ(c.sent_samples, c.recorded);
  EXPECT_EQ(c.dropped(), 0u);
}

TEST(EmitterZmq, RecordForSendsInTheOtherSourcesName) {
  ZmqPull pull;
  auto e = OpenOrDie(ZmqOptions(pull.endpoint()));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->RecordFor({"10.0.0.7:8080", {{"version", "2.1"}}}, "up", 1, MetricKind::kGauge),
            RecordResult::kQueued);
  // Flush() waits for ZeroMQ to connect.
  ASSERT_TRUE(e->Flush(milliseconds(10000)).ok());
  std::vector<Received> got = pull.ReceiveSamples(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].source, "10.0.0.7:8080");
  EXPECT_EQ(got[0].batch_tags, (Tags{{"version", "2.1"}}));
}

}  // namespace
}  // namespace sonde

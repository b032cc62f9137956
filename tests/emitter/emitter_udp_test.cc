// The emitter over UDP, against a real socket bound on 127.0.0.1 port 0:
// what arrives decodes to what was recorded; batches respect their size
// limit; nobody listening, a full queue and invalid samples are counted and
// never block the caller.
#include <errno.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

#include "receivers.h"
#include "sonde/emitter.h"
#include "testutil/testutil.h"

namespace sonde {
namespace {

using std::chrono::milliseconds;
using testing::CountSamples;
using testing::Received;
using testing::UdpReceiver;

std::unique_ptr<Emitter> OpenOrDie(const EmitterOptions& options) {
  auto e = Emitter::Open(options);
  EXPECT_TRUE(e.has_value()) << e.error().ToString();
  return e.has_value() ? std::move(*e) : nullptr;
}

EmitterOptions UdpOptions(const UdpReceiver& rx) {
  EmitterOptions o;
  o.endpoint = rx.endpoint();
  o.source = "web-01";
  o.flush_interval = std::chrono::hours(1);  // Tests flush explicitly unless they say otherwise.
  return o;
}

TEST(EmitterUdp, SendsSamplesThatDecode) {
  UdpReceiver rx;
  EmitterOptions o = UdpOptions(rx);
  o.tags = {{"service", "auth"}, {"region", "eu"}};
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->source(), "web-01");
  EXPECT_EQ(e->endpoint(), rx.endpoint());

  const int64_t before = testing::NowMs();
  EXPECT_EQ(e->Gauge("cpu", 12.5, {{"core", "0"}}), RecordResult::kQueued);
  EXPECT_EQ(e->Count("requests", 5), RecordResult::kQueued);
  EXPECT_EQ(e->Timing("latency", 3.25, {{"region", "us"}}), RecordResult::kQueued);
  EXPECT_EQ(e->Record("explicit", -1, MetricKind::kGauge, {}, 1700000000123),
            RecordResult::kQueued);
  ASSERT_TRUE(e->Flush(milliseconds(5000)).ok());
  const int64_t after = testing::NowMs();

  std::vector<Received> got = rx.ReceiveSamples(4);
  ASSERT_EQ(got.size(), 1u);
  const Received& m = got[0];
  EXPECT_EQ(m.source, "web-01");
  EXPECT_EQ(m.batch_tags, (Tags{{"service", "auth"}, {"region", "eu"}}));
  EXPECT_GE(m.timestamp_ms, before);
  EXPECT_LE(m.timestamp_ms, after);
  ASSERT_EQ(m.samples.size(), 4u);

  const Sample& cpu = m.samples[0];
  EXPECT_EQ(cpu.name, "cpu");
  EXPECT_EQ(cpu.value, 12.5);
  EXPECT_EQ(cpu.kind, MetricKind::kGauge);
  EXPECT_GE(cpu.timestamp_ms, before);
  EXPECT_LE(cpu.timestamp_ms, after);
  EXPECT_EQ(cpu.tags, (Tags{{"core", "0"}, {"region", "eu"}, {"service", "auth"}}));

  EXPECT_EQ(m.samples[1].name, "requests");
  EXPECT_EQ(m.samples[1].value, 5);
  EXPECT_EQ(m.samples[1].kind, MetricKind::kCounter);

  EXPECT_EQ(m.samples[2].name, "latency");
  EXPECT_EQ(m.samples[2].kind, MetricKind::kTiming);
  EXPECT_EQ(m.samples[2].value, 3.25);
  // The sample's tag wins over the batch tag with the same key.
  EXPECT_EQ(m.samples[2].tags, (Tags{{"region", "us"}, {"service", "auth"}}));

  EXPECT_EQ(m.samples[3].timestamp_ms, 1700000000123);
  EXPECT_EQ(m.samples[3].value, -1);

  EmitterCounters c = e->counters();
  EXPECT_EQ(c.recorded, 4u);
  EXPECT_EQ(c.sent_samples, 4u);
  EXPECT_EQ(c.sent_messages, 1u);
  EXPECT_EQ(c.dropped(), 0u);
  EXPECT_EQ(c.send_errors, 0u);
}

TEST(EmitterUdp, DefaultSourceIsTheHostName) {
  UdpReceiver rx;
  EmitterOptions o = UdpOptions(rx);
  o.source.clear();
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  EXPECT_EQ(e->source(), host);
}

TEST(EmitterUdp, BatchesStayWithinMaxBytesAndKeepOrder) {
  for (size_t max_bytes : {size_t{0}, size_t{256}, size_t{9000}}) {
    SCOPED_TRACE(max_bytes);
    UdpReceiver rx;
    EmitterOptions o = UdpOptions(rx);
    o.max_batch_bytes = max_bytes;
    const size_t limit = max_bytes == 0 ? kDefaultUdpBatchBytes : max_bytes;
    auto e = OpenOrDie(o);
    ASSERT_NE(e, nullptr);
    constexpr int kSamples = 500;
    for (int i = 0; i < kSamples; ++i) {
      ASSERT_EQ(e->Gauge("series.value", i, {{"i", std::to_string(i % 7)}}), RecordResult::kQueued);
    }
    ASSERT_TRUE(e->Flush(milliseconds(5000)).ok());
    std::vector<Received> got = rx.ReceiveSamples(kSamples);
    ASSERT_EQ(CountSamples(got), size_t{kSamples});
    EXPECT_EQ(e->counters().sent_messages, got.size());
    EXPECT_GT(got.size(), 1u);
    int next = 0;
    for (const Received& m : got) {
      EXPECT_LE(m.bytes.size(), limit);
      for (const Sample& s : m.samples) EXPECT_EQ(s.value, next++);
    }
    // Batches are filled: all but the last would not take one more sample.
    for (size_t i = 0; i + 1 < got.size(); ++i) EXPECT_GT(got[i].bytes.size(), limit - 64);
  }
}

TEST(EmitterUdp, FlushIntervalSendsWithoutFlush) {
  UdpReceiver rx;
  EmitterOptions o = UdpOptions(rx);
  o.flush_interval = milliseconds(20);
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  e->Gauge("tick", 1);
  std::vector<Received> got = rx.ReceiveSamples(1, milliseconds(5000));
  ASSERT_EQ(CountSamples(got), 1u);
  EXPECT_EQ(got[0].samples[0].name, "tick");
}

TEST(EmitterUdp, LargeSampleUsesItsOwnDatagram) {
  UdpReceiver rx;
  EmitterOptions o = UdpOptions(rx);
  o.max_batch_bytes = 65507;
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  std::vector<std::string> keys;
  std::vector<TagView> tags;
  for (size_t i = 0; i < kMaxTagsPerLevel; ++i) keys.push_back("k" + std::to_string(100 + i));
  const std::string value(kMaxTagValueBytes, 'v');
  for (const std::string& k : keys) tags.push_back({k, value});
  EXPECT_EQ(e->Gauge(std::string(kMaxNameBytes, 'n'), 1, tags), RecordResult::kQueued);
  ASSERT_TRUE(e->Flush(milliseconds(5000)).ok());
  std::vector<Received> got = rx.ReceiveSamples(1);
  ASSERT_EQ(CountSamples(got), 1u);
  EXPECT_EQ(got[0].samples[0].tags.size(), kMaxTagsPerLevel);
}

TEST(EmitterUdp, InvalidSamplesAreCountedByReason) {
  UdpReceiver rx;
  auto e = OpenOrDie(UdpOptions(rx));
  ASSERT_NE(e, nullptr);
  std::vector<TagView> many(kMaxTagsPerLevel + 1, TagView{"k", "v"});
  std::vector<TagView> big(
      kMaxTagsPerLevel, TagView{"k", std::string_view("0123456789012345678901234567890123456789"
                                                      "0123456789012345678901234567890123456789")});
  const std::string long_name(kMaxNameBytes + 1, 'n');
  EXPECT_EQ(e->Gauge("", 1), RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Gauge(long_name, 1), RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Gauge("bad\nname", 1), RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Gauge("nan", std::nan("")), RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Gauge("inf", std::numeric_limits<double>::infinity()),
            RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Record("old", 1, MetricKind::kGauge, {}, 1), RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Gauge("tags", 1, many), RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Gauge("tag", 1, {{"", "v"}}), RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Record("kind", 1, static_cast<MetricKind>(7)), RecordResult::kDroppedInvalid);
  // Valid, but larger than a 1,400-byte datagram can carry.
  EXPECT_EQ(e->Gauge("big", 1, big), RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Gauge("ok", 1), RecordResult::kQueued);

  EmitterCounters c = e->counters();
  EXPECT_EQ(c.dropped_invalid, 10u);
  EXPECT_EQ(c.invalid(WireError::kBadName), 3u);
  EXPECT_EQ(c.invalid(WireError::kNonFinite), 2u);
  EXPECT_EQ(c.invalid(WireError::kBadTimestamp), 1u);
  EXPECT_EQ(c.invalid(WireError::kTooManyTags), 1u);
  EXPECT_EQ(c.invalid(WireError::kBadTag), 1u);
  EXPECT_EQ(c.invalid(WireError::kBadKind), 1u);
  EXPECT_EQ(c.invalid(WireError::kOversized), 1u);
  EXPECT_EQ(c.recorded, 1u);
  ASSERT_TRUE(e->Flush(milliseconds(5000)).ok());
  std::vector<Received> got = rx.ReceiveSamples(1);
  ASSERT_EQ(CountSamples(got), 1u);
  EXPECT_EQ(got[0].samples[0].name, "ok");
}

TEST(EmitterUdp, NobodyListeningNeverBlocksAndIsCounted) {
  EmitterOptions o;
  o.endpoint = "udp://127.0.0.1:" + std::to_string(testing::UnusedPort(SOCK_DGRAM));
  o.flush_interval = std::chrono::hours(1);
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  // The first datagram leaves; the kernel answers with a refusal, which is
  // counted and makes Flush() report it.
  Status last;
  bool refused = testing::WaitFor([&] {
    for (int i = 0; i < 100; ++i) {
      auto start = std::chrono::steady_clock::now();
      e->Count("requests", 1);
      EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
    }
    auto start = std::chrono::steady_clock::now();
    last = e->Flush(milliseconds(200));
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
    return last.IsUnavailable();
  });
  ASSERT_TRUE(refused);
  EXPECT_NE(last.message().find("connection refused"), std::string::npos) << last.ToString();
  EmitterCounters c = e->counters();
  EXPECT_GT(c.send_errors, 0u);
  EXPECT_EQ(c.last_send_errno, ECONNREFUSED);
  EXPECT_EQ(c.recorded, c.sent_samples + c.dropped_send_failed);
}

TEST(EmitterUdp, DestructionDrains) {
  UdpReceiver rx;
  {
    auto e = OpenOrDie(UdpOptions(rx));
    ASSERT_NE(e, nullptr);
    for (int i = 0; i < 100; ++i) e->Timing("latency", i);
  }  // No Flush(): the destructor sends what is queued.
  std::vector<Received> got = rx.ReceiveSamples(100);
  EXPECT_EQ(CountSamples(got), 100u);
}

TEST(EmitterUdp, DestructionIsBoundedWhenSendsFail) {
  EmitterOptions o;
  o.endpoint = "udp://127.0.0.1:" + std::to_string(testing::UnusedPort(SOCK_DGRAM));
  o.close_timeout = milliseconds(100);
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  for (int i = 0; i < 10000; ++i) e->Count("requests", 1);
  auto start = std::chrono::steady_clock::now();
  e.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
}

}  // namespace
}  // namespace sonde

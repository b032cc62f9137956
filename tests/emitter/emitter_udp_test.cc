// The emitter over UDP, against a real socket bound on 127.0.0.1 port 0:
// what arrives decodes to what was recorded; batches respect their size
// limit; nobody listening, a full queue and invalid samples are counted and
// never block the caller; RecordFor() batches per source with its own tags.
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
  std::vector<std::string> keys;
  for (size_t i = 0; i < kMaxTagsPerLevel; ++i) keys.push_back("k" + std::to_string(i));
  std::vector<TagView> big;
  for (const std::string& key : keys) {
    big.push_back({key, std::string_view("0123456789012345678901234567890123456789"
                                         "0123456789012345678901234567890123456789")});
  }
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

// A key twice within a sample's tags would make the store refuse the series:
// dropped and counted by name. A sample's own tag with the key of a default
// tag is the documented override, and each map on the wire holds it once.
TEST(EmitterUdp, SampleTagKeyTwiceIsDroppedWhileOverridingADefaultIsNot) {
  UdpReceiver rx;
  EmitterOptions o = UdpOptions(rx);
  o.tags = {{"service", "auth"}};
  auto e = OpenOrDie(o);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->Gauge("dup", 1, {{"core", "0"}, {"core", "1"}}), RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Gauge("dup_same", 1, {{"core", "0"}, {"x", "y"}, {"core", "0"}}),
            RecordResult::kDroppedInvalid);
  EXPECT_EQ(e->Gauge("override", 2, {{"service", "billing"}}), RecordResult::kQueued);
  const EmitterCounters c = e->counters();
  EXPECT_EQ(c.invalid(WireError::kDuplicateTag), 2u);
  EXPECT_EQ(c.dropped_invalid, 2u);
  ASSERT_TRUE(e->Flush(milliseconds(5000)).ok());

  std::vector<Received> got = rx.ReceiveSamples(1);
  ASSERT_EQ(CountSamples(got), 1u);
  EXPECT_EQ(got[0].batch_tags, (Tags{{"service", "auth"}}));
  EXPECT_EQ(got[0].samples[0].name, "override");
  EXPECT_EQ(got[0].samples[0].tags, (Tags{{"service", "billing"}}));
  BatchView view;
  ASSERT_EQ(DecodeBatch(got[0].bytes, &view), WireError::kOk);
  ASSERT_EQ(view.samples.size(), 1u);
  EXPECT_EQ(view.samples[0].tags.size(), 1u);
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

// The emitter of a poller: its own source and tags, and RecordFor() for
// the servers it polls.
EmitterOptions RecordForOptions(const UdpReceiver& rx) {
  EmitterOptions o = UdpOptions(rx);
  o.tags = {{"service", "poller"}};
  return o;
}

std::vector<std::string> Names(const Received& m) {
  std::vector<std::string> out;
  for (const Sample& s : m.samples) out.push_back(s.name);
  return out;
}

TEST(EmitterRecordFor, BatchesPerSourceWithItsOwnTags) {
  UdpReceiver rx;
  auto e = OpenOrDie(RecordForOptions(rx));
  ASSERT_NE(e, nullptr);
  const std::vector<TagView> db_tags = {{"role", "db"}};
  EXPECT_EQ(e->Gauge("own.a", 1), RecordResult::kQueued);
  EXPECT_EQ(e->RecordFor({"db-01", db_tags}, "up", 1, MetricKind::kGauge), RecordResult::kQueued);
  EXPECT_EQ(e->RecordFor({"db-01", db_tags}, "cpu", 56, MetricKind::kGauge, {{"core", "0"}},
                         1700000000123),
            RecordResult::kQueued);
  EXPECT_EQ(e->RecordFor("db-02", "up", 0, MetricKind::kGauge), RecordResult::kQueued);
  EXPECT_EQ(e->RecordFor(std::string("db-02"), "latency", 2.5, MetricKind::kTiming),
            RecordResult::kQueued);
  EXPECT_EQ(e->Gauge("own.b", 2), RecordResult::kQueued);
  ASSERT_TRUE(e->Flush(milliseconds(5000)).ok());

  std::vector<Received> got = rx.ReceiveSamples(6);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].source, "web-01");
  EXPECT_EQ(got[0].batch_tags, (Tags{{"service", "poller"}}));
  EXPECT_EQ(Names(got[0]), (std::vector<std::string>{"own.a"}));

  EXPECT_EQ(got[1].source, "db-01");
  EXPECT_EQ(got[1].batch_tags, (Tags{{"role", "db"}}));  // Not the emitter's own tags.
  EXPECT_EQ(Names(got[1]), (std::vector<std::string>{"up", "cpu"}));
  EXPECT_EQ(got[1].samples[1].tags, (Tags{{"core", "0"}, {"role", "db"}}));
  EXPECT_EQ(got[1].samples[1].timestamp_ms, 1700000000123);

  EXPECT_EQ(got[2].source, "db-02");
  EXPECT_TRUE(got[2].batch_tags.empty());
  EXPECT_EQ(Names(got[2]), (std::vector<std::string>{"up", "latency"}));
  EXPECT_EQ(got[2].samples[1].kind, MetricKind::kTiming);

  EXPECT_EQ(got[3].source, "web-01");
  EXPECT_EQ(Names(got[3]), (std::vector<std::string>{"own.b"}));

  const EmitterCounters c = e->counters();
  EXPECT_EQ(c.recorded, 6u);
  EXPECT_EQ(c.sent_samples, 6u);
  EXPECT_EQ(c.sent_messages, 4u);
  EXPECT_EQ(c.dropped(), 0u);
}

TEST(EmitterRecordFor, ManySamplesForOneSourceSplitAtTheBatchLimit) {
  UdpReceiver rx;
  auto e = OpenOrDie(RecordForOptions(rx));
  ASSERT_NE(e, nullptr);
  const std::string value(200, 'v');
  const std::vector<TagView> tags = {{"k1", value}, {"k2", value}, {"k3", value}};
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(e->RecordFor({"web-07", tags}, "metric_" + std::to_string(i), i, MetricKind::kGauge),
              RecordResult::kQueued);
  }
  ASSERT_TRUE(e->Flush(milliseconds(5000)).ok());
  std::vector<Received> got = rx.ReceiveSamples(300);
  ASSERT_EQ(CountSamples(got), 300u);
  ASSERT_GT(got.size(), 3u);
  int next = 0;
  for (const Received& m : got) {
    EXPECT_LE(m.bytes.size(), 1400u);
    EXPECT_EQ(m.source, "web-07");
    EXPECT_EQ(m.batch_tags.size(), 3u);
    for (const Sample& s : m.samples) EXPECT_EQ(s.name, "metric_" + std::to_string(next++));
  }
}

TEST(EmitterRecordFor, BadEnvelopesAreDroppedAndCountedByReason) {
  UdpReceiver rx;
  auto e = OpenOrDie(RecordForOptions(rx));
  ASSERT_NE(e, nullptr);
  const auto invalid = RecordResult::kDroppedInvalid;
  EXPECT_EQ(e->RecordFor("", "up", 1, MetricKind::kGauge), invalid);
  EXPECT_EQ(e->RecordFor("bad\nsource", "up", 1, MetricKind::kGauge), invalid);
  EXPECT_EQ(e->RecordFor(std::string(256, 's'), "up", 1, MetricKind::kGauge), invalid);
  const std::vector<TagView> empty_key = {{"", "v"}};
  EXPECT_EQ(e->RecordFor({"h", empty_key}, "up", 1, MetricKind::kGauge), invalid);
  std::vector<TagView> too_many;
  for (int i = 0; i < 33; ++i) too_many.push_back({"k", "v"});
  EXPECT_EQ(e->RecordFor({"h", too_many}, "up", 1, MetricKind::kGauge), invalid);
  const std::vector<TagView> key_twice = {{"version", "2.1"}, {"version", "2.2"}};
  EXPECT_EQ(e->RecordFor({"h", key_twice}, "up", 1, MetricKind::kGauge), invalid);
  // Legal tags whose envelope alone passes a 1,400-byte datagram.
  const std::string long_value(255, 'v');
  const std::vector<TagView> huge = {{"k1", long_value}, {"k2", long_value}, {"k3", long_value},
                                     {"k4", long_value}, {"k5", long_value}, {"k6", long_value},
                                     {"k7", long_value}, {"k8", long_value}};
  EXPECT_EQ(e->RecordFor({"h", huge}, "up", 1, MetricKind::kGauge), invalid);
  EXPECT_EQ(e->RecordFor("h", "", 1, MetricKind::kGauge), invalid);
  EXPECT_EQ(e->RecordFor("h", "up", 1, static_cast<MetricKind>(9)), invalid);

  const EmitterCounters c = e->counters();
  const std::pair<WireError, uint64_t> by_reason[] = {
      {WireError::kBadSource, 3},   {WireError::kBadTag, 1},  {WireError::kTooManyTags, 1},
      {WireError::kOversized, 1},   {WireError::kBadName, 1}, {WireError::kBadKind, 1},
      {WireError::kDuplicateTag, 1}};
  for (const auto& [reason, count] : by_reason) {
    EXPECT_EQ(c.invalid(reason), count) << WireErrorName(reason);
  }
  EXPECT_EQ(c.dropped_invalid, 9u);
  EXPECT_EQ(c.recorded, 0u);
  ASSERT_TRUE(e->Flush(milliseconds(5000)).ok());
  EXPECT_FALSE(rx.Receive(milliseconds(100)).has_value());
}

TEST(EmitterRecordFor, ThreadsRecordingForTheirOwnSourcesNeverMixThem) {
  UdpReceiver rx;
  auto e = OpenOrDie(RecordForOptions(rx));
  ASSERT_NE(e, nullptr);
  constexpr int kThreads = 4;
  constexpr int kEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&e, t] {
      const std::string source = "src-" + std::to_string(t);
      const std::string tag = "t" + std::to_string(t);
      const std::vector<TagView> tags = {{"thread", tag}};
      for (int i = 0; i < kEach; ++i) {
        e->RecordFor({source, tags}, "from." + std::to_string(t), i, MetricKind::kGauge);
        if (i % 7 == 0) e->Gauge("own", i);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(e->Flush(milliseconds(5000)).ok());
  const EmitterCounters c = e->counters();
  ASSERT_EQ(c.dropped(), 0u);
  std::vector<Received> got = rx.ReceiveSamples(c.recorded);
  ASSERT_EQ(CountSamples(got), c.recorded);
  std::vector<int> per_source(kThreads, 0);
  for (const Received& m : got) {
    for (const Sample& s : m.samples) {
      if (m.source == "web-01") {
        EXPECT_EQ(s.name, "own");
        continue;
      }
      const int t = m.source.back() - '0';
      ASSERT_GE(t, 0);
      ASSERT_LT(t, kThreads);
      EXPECT_EQ(s.name, "from." + std::to_string(t));
      EXPECT_EQ(m.batch_tags, (Tags{{"thread", "t" + std::to_string(t)}}));
      ++per_source[t];
    }
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(per_source[t], kEach) << t;
}

}  // namespace
}  // namespace sonde

// RollupEngine with a FakeClock: exact rollup values for known input, window
// boundaries, lateness, caps, closing and eviction, and (with a real store in
// a temp dir) hour = merge of minutes, resume after a restart and expiry.
#include "rollup_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "series_hash.h"
#include "sonde/clock.h"
#include "sonde/store.h"
#include "sonde/wire.h"
#include "testutil/testutil.h"

namespace sonde::summarizer {
namespace {

constexpr int64_t kMin = 60000;
// 2024-01-01T00:00:00Z: aligned to the hour.
constexpr int64_t kT0 = 1704067200000;

// Encodes and decodes one batch; keeps the bytes alive for the views.
class Batch {
 public:
  Batch(const std::string& host, std::vector<Sample> samples, Tags batch_tags = {}) {
    WireError e = EncodeBatch(host, samples.empty() ? kT0 : samples[0].timestamp_ms, batch_tags,
                              samples, &bytes_);
    EXPECT_EQ(e, WireError::kOk) << WireErrorName(e);
    e = DecodeBatch(bytes_, &view_);
    EXPECT_EQ(e, WireError::kOk) << WireErrorName(e);
  }
  const BatchView& view() const { return view_; }

 private:
  std::string bytes_;
  BatchView view_;
};

Sample S(std::string name, double value, int64_t ts, MetricKind kind = MetricKind::kGauge,
         Tags tags = {}) {
  return Sample{std::move(name), value, ts, kind, std::move(tags)};
}

SeriesKey Key(std::string host, std::string name, Tags tags = {}) {
  return SeriesKey::Make(std::move(host), std::move(name), std::move(tags)).value();
}

uint64_t Rejected(const RollupEngine& e, RejectReason r) {
  return e.stats().rejected[static_cast<int>(r)];
}

TEST(RollupEngine, ExactValuesAndWindowBoundaries) {
  FakeClock clock(kT0 + 90 * 1000);
  RollupEngine engine({});
  // 00:00:59.999 is the first minute; 00:01:00.000 starts the second.
  Batch b("web-01", {S("cpu", 4, kT0 + 1000), S("cpu", 2, kT0 + 59999), S("cpu", 6, kT0 + 30000),
                     S("cpu", 10, kT0 + kMin), S("cpu", 20, kT0 + kMin + 500)});
  EXPECT_EQ(engine.Ingest(b.view(), clock.WallMs()), 5u);
  auto w = engine.WindowsForTest(Key("web-01", "cpu"));
  ASSERT_EQ(w.size(), 2u);
  const RollupWindow& second = w[0];
  const RollupWindow& first = w[1];
  EXPECT_EQ(first.start_ms(), kT0);
  EXPECT_EQ(first.count(), 3u);
  EXPECT_DOUBLE_EQ(first.sum(), 12);
  EXPECT_DOUBLE_EQ(first.min(), 2);
  EXPECT_DOUBLE_EQ(first.max(), 6);
  EXPECT_DOUBLE_EQ(first.last(), 2);  // Latest timestamp, not latest arrival.
  EXPECT_EQ(first.last_ms(), kT0 + 59999);
  EXPECT_DOUBLE_EQ(first.avg(), 4);
  EXPECT_EQ(second.start_ms(), kT0 + kMin);
  EXPECT_EQ(second.count(), 2u);
  EXPECT_DOUBLE_EQ(second.sum(), 30);
  EXPECT_DOUBLE_EQ(second.last(), 20);
}

TEST(RollupEngine, CountersRollUpAsSumsAndRates) {
  RollupEngine engine({});
  std::vector<Sample> s;
  for (int i = 1; i <= 60; ++i) s.push_back(S("requests", i, kT0 + i * 900, MetricKind::kCounter));
  Batch b("web-01", s);
  ASSERT_EQ(engine.Ingest(b.view(), kT0 + kMin), 60u);
  auto w = engine.WindowsForTest(Key("web-01", "requests"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind(), MetricKind::kCounter);
  EXPECT_DOUBLE_EQ(w[0].sum(), 1830);
  EXPECT_DOUBLE_EQ(w[0].RatePerSec(kT0 + kMin), 1830.0 / 60.0);
}

TEST(RollupEngine, LateAndOutOfOrderSamplesLandInTheirWindow) {
  RollupEngine engine({});                      // Lateness 2 min.
  const int64_t now = kT0 + 10 * kMin + 30000;  // 00:10:30
  Batch current("h", {S("m", 1, now)});
  ASSERT_EQ(engine.Ingest(current.view(), now), 1u);
  // 00:08:10 is in the window [00:08, 00:09), open until 00:11: accepted.
  // 00:07:59 is in [00:07, 00:08), closed at 00:10: late.
  Batch late("h", {S("m", 5, kT0 + 8 * kMin + 10000), S("m", 7, kT0 + 8 * kMin + 20000),
                   S("m", 9, kT0 + 7 * kMin + 59000)});
  EXPECT_EQ(engine.Ingest(late.view(), now), 2u);
  EXPECT_EQ(Rejected(engine, RejectReason::kLate), 1u);
  auto w = engine.WindowsForTest(Key("h", "m"));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].start_ms(), kT0 + 10 * kMin);
  EXPECT_EQ(w[1].start_ms(), kT0 + 8 * kMin);
  EXPECT_DOUBLE_EQ(w[1].sum(), 12);
  // An out-of-order sample between the two opens its own window in order.
  Batch mid("h", {S("m", 3, kT0 + 9 * kMin)});
  EXPECT_EQ(engine.Ingest(mid.view(), now), 1u);
  w = engine.WindowsForTest(Key("h", "m"));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1].start_ms(), kT0 + 9 * kMin);
  EXPECT_EQ(w[2].start_ms(), kT0 + 8 * kMin);
}

TEST(RollupEngine, FutureSamplesBeyondTheSkewAreRejected) {
  RollupEngine engine({});  // max_future 10 s.
  Batch b("h", {S("m", 1, kT0 + 10000), S("m", 1, kT0 + 10001)});
  EXPECT_EQ(engine.Ingest(b.view(), kT0), 1u);
  EXPECT_EQ(Rejected(engine, RejectReason::kFuture), 1u);
}

TEST(RollupEngine, SeriesIsHostNameAndMergedTagsSampleTagsWin) {
  RollupEngine engine({});
  Batch a("h", {S("m", 1, kT0), S("m", 2, kT0, MetricKind::kGauge, {{"dc", "us"}})},
          {{"dc", "eu"}, {"role", "web"}});
  Batch b("h", {S("m", 4, kT0, MetricKind::kGauge, {{"role", "web"}, {"dc", "eu"}})});
  ASSERT_EQ(engine.Ingest(a.view(), kT0 + 1000), 2u);
  ASSERT_EQ(engine.Ingest(b.view(), kT0 + 1000), 1u);
  EXPECT_EQ(engine.series_count(), 2u);
  auto eu = engine.WindowsForTest(Key("h", "m", {{"dc", "eu"}, {"role", "web"}}));
  auto us = engine.WindowsForTest(Key("h", "m", {{"dc", "us"}, {"role", "web"}}));
  ASSERT_EQ(eu.size(), 1u);
  ASSERT_EQ(us.size(), 1u);
  EXPECT_DOUBLE_EQ(eu[0].sum(), 5);
  EXPECT_DOUBLE_EQ(us[0].sum(), 2);
  Batch other_host("g", {S("m", 1, kT0)}, {{"dc", "eu"}, {"role", "web"}});
  ASSERT_EQ(engine.Ingest(other_host.view(), kT0 + 1000), 1u);
  EXPECT_EQ(engine.series_count(), 3u);
}

TEST(RollupEngine, KindMismatchIsRejected) {
  RollupEngine engine({});
  Batch b("h", {S("m", 1, kT0), S("m", 1, kT0, MetricKind::kCounter)});
  EXPECT_EQ(engine.Ingest(b.view(), kT0), 1u);
  EXPECT_EQ(Rejected(engine, RejectReason::kKindMismatch), 1u);
}

TEST(RollupEngine, SeriesCapRejectsNewSeriesOnly) {
  EngineOptions o;
  o.max_series = 3;
  RollupEngine engine(o);
  Batch b("h", {S("a", 1, kT0), S("b", 1, kT0), S("c", 1, kT0), S("d", 1, kT0), S("a", 2, kT0)});
  EXPECT_EQ(engine.Ingest(b.view(), kT0), 4u);
  EXPECT_EQ(engine.series_count(), 3u);
  EXPECT_EQ(Rejected(engine, RejectReason::kSeriesCap), 1u);
}

TEST(RollupEngine, TagValueCapRejectsNewValuesOfAFullKey) {
  EngineOptions o;
  o.max_tag_values = 2;
  RollupEngine engine(o);
  std::vector<Sample> s;
  for (int i = 0; i < 4; ++i) {
    s.push_back(S("m", 1, kT0, MetricKind::kGauge, {{"req", std::to_string(i)}}));
  }
  s.push_back(S("m", 1, kT0, MetricKind::kGauge, {{"req", "1"}, {"other", "x"}}));
  Batch b("h", s);
  EXPECT_EQ(engine.Ingest(b.view(), kT0), 3u);
  EXPECT_EQ(Rejected(engine, RejectReason::kTagValuesCap), 2u);
  EXPECT_EQ(engine.tag_values_of("req"), 2u);
}

TEST(RollupEngine, SketchQuantilesWithinStatedErrorOnSkewedData) {
  RollupEngine engine({});
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(3.0, 1.5);  // Heavy right tail.
  std::vector<double> values;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<Sample> s;
    for (int i = 0; i < 1000; ++i) {
      values.push_back(latency(rng));
      s.push_back(S("latency", values.back(), kT0 + 1000 + batch, MetricKind::kTiming));
    }
    Batch b("h", s);
    ASSERT_EQ(engine.Ingest(b.view(), kT0 + 2000), 1000u);
  }
  std::sort(values.begin(), values.end());
  auto w = engine.WindowsForTest(Key("h", "latency"));
  ASSERT_EQ(w.size(), 1u);
  for (double q : {0.5, 0.9, 0.99}) {
    const double exact = values[static_cast<size_t>(q * (values.size() - 1))];
    EXPECT_NEAR(w[0].Quantile(q), exact, exact * QuantileSketch::kRelativeAccuracy) << q;
  }
}

TEST(RollupEngine, FlushWritesTouchedWindowsOpenThenClosedAndEvicts) {
  FakeClock clock(kT0 + 5000);
  RollupEngine engine({});
  Batch b("h", {S("m", 1, kT0 + 1000), S("m", 2, kT0 + 2000)});
  ASSERT_EQ(engine.Ingest(b.view(), clock.WallMs()), 2u);
  TickBatch tick;
  engine.BuildFlush(clock.WallMs(), &tick);
  ASSERT_EQ(tick.batch.series.size(), 1u);
  ASSERT_EQ(tick.batch.windows.size(), 1u);
  EXPECT_TRUE(tick.batch.windows[0].window.open());
  EXPECT_FALSE(tick.batch.windows[0].fold_into_hour);
  EXPECT_EQ(tick.batch.series[0].last_value, 2);
  // Nothing touched: nothing to write.
  clock.AdvanceMs(1000);
  engine.BuildFlush(clock.WallMs(), &tick);
  EXPECT_TRUE(tick.empty());
  // 00:02:59.999: the minute [00:00, 00:01) still accepts samples.
  clock.SetWallMs(kT0 + 3 * kMin - 1);
  engine.BuildFlush(clock.WallMs(), &tick);
  EXPECT_TRUE(tick.empty());
  EXPECT_EQ(engine.series_count(), 1u);
  // 00:03:00: it closes, is written closed and folded, and the series goes.
  clock.SetWallMs(kT0 + 3 * kMin);
  engine.BuildFlush(clock.WallMs(), &tick);
  ASSERT_EQ(tick.batch.windows.size(), 1u);
  EXPECT_FALSE(tick.batch.windows[0].window.open());
  EXPECT_TRUE(tick.batch.windows[0].fold_into_hour);
  EXPECT_EQ(tick.batch.windows[0].window.count(), 2u);
  EXPECT_EQ(engine.series_count(), 0u);
  EXPECT_EQ(engine.windows_in_memory(), 0u);
  EXPECT_EQ(engine.stats().series_evicted, 1u);
  // A sample for that minute is now late.
  Batch late("h", {S("m", 1, kT0 + 3000)});
  EXPECT_EQ(engine.Ingest(late.view(), clock.WallMs()), 0u);
  EXPECT_EQ(Rejected(engine, RejectReason::kLate), 1u);
}

TEST(RollupEngine, OlderMinutesKeptEncodedAreWrittenExactly) {
  RollupEngine engine({});
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> value(2.0, 1.0);
  // Minute 0 gets many samples, then minute 1 starts (minute 0 is now kept
  // encoded), then late samples land in minute 0 again.
  RollupWindow expected(MetricKind::kTiming, Resolution::kMinute, kT0);
  std::vector<Sample> first, late;
  for (int i = 0; i < 50; ++i) {
    const double v = value(rng);
    first.push_back(S("lat", v, kT0 + 1000 * i, MetricKind::kTiming));
    expected.Add(v, kT0 + 1000 * i);
  }
  for (int i = 0; i < 5; ++i) {
    const double v = -value(rng);
    late.push_back(S("lat", v, kT0 + 100 + i, MetricKind::kTiming));
    expected.Add(v, kT0 + 100 + i);
  }
  const int64_t now = kT0 + kMin + 5000;
  Batch a("h", first), b("h", {S("lat", 3, kT0 + kMin + 1000, MetricKind::kTiming)}), c("h", late);
  ASSERT_EQ(engine.Ingest(a.view(), now), 50u);
  ASSERT_EQ(engine.Ingest(b.view(), now), 1u);
  ASSERT_EQ(engine.Ingest(c.view(), now), 5u);
  auto w = engine.WindowsForTest(Key("h", "lat"));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[1], expected);
  // Written open now, and closed (whole, folded) once the lateness passed.
  TickBatch tick;
  engine.BuildFlush(now, &tick);
  ASSERT_EQ(tick.batch.windows.size(), 2u);
  engine.BuildFlush(kT0 + 3 * kMin, &tick);
  ASSERT_EQ(tick.batch.windows.size(), 1u);
  const RollupWindow& closed = tick.batch.windows[0].window;
  EXPECT_TRUE(tick.batch.windows[0].fold_into_hour);
  EXPECT_EQ(closed.count(), 55u);
  EXPECT_EQ(closed.sketch(), expected.sketch());
  EXPECT_EQ(closed.sum(), expected.sum());
  EXPECT_EQ(closed.min(), expected.min());
  EXPECT_EQ(closed.last_ms(), expected.last_ms());
  EXPECT_EQ(engine.windows_in_memory(), 1u);
}

TEST(RollupEngine, SeriesOfAHostShareOneCopyOfHostAndTags) {
  RollupEngine engine({});
  Batch a("h", {S("a", 1, kT0), S("b", 1, kT0), S("c", 1, kT0, MetricKind::kGauge, {{"x", "1"}})},
          {{"dc", "eu"}});
  Batch b("h", {S("d", 1, kT0)}, {{"dc", "us"}});
  ASSERT_EQ(engine.Ingest(a.view(), kT0 + 1000), 3u);
  ASSERT_EQ(engine.Ingest(b.view(), kT0 + 1000), 1u);
  // The next batch of the same host finds its series through the scope.
  ASSERT_EQ(engine.Ingest(a.view(), kT0 + 1000), 3u);
  EXPECT_EQ(engine.series_count(), 4u);
  TickBatch tick;
  engine.BuildFlush(kT0 + 1000, &tick);
  ASSERT_EQ(tick.batch.series.size(), 4u);
  std::map<std::string, const SeriesKey*> keys;
  for (const SeriesUpdate& u : tick.batch.series) keys[u.key->name()] = u.key.get();
  EXPECT_TRUE(keys["a"]->SharesHostAndTags(*keys["b"]));
  EXPECT_FALSE(keys["a"]->SharesHostAndTags(*keys["c"]));  // Its own tag.
  EXPECT_FALSE(keys["a"]->SharesHostAndTags(*keys["d"]));  // Other batch tags.
  EXPECT_EQ(*keys["c"], Key("h", "c", {{"dc", "eu"}, {"x", "1"}}));
  EXPECT_EQ(*keys["d"], Key("h", "d", {{"dc", "us"}}));
  // Evicted and created again: the scope is rebuilt, identity unchanged.
  engine.BuildFlush(kT0 + 3 * kMin, &tick);
  EXPECT_EQ(engine.series_count(), 0u);
  const int64_t t3 = kT0 + 3 * kMin;
  Batch again("h", {S("a", 1, t3), S("b", 1, t3), S("c", 1, t3, MetricKind::kGauge, {{"x", "1"}})},
              {{"dc", "eu"}});
  ASSERT_EQ(engine.Ingest(again.view(), t3), 3u);
  ASSERT_EQ(engine.Ingest(again.view(), t3), 3u);
  EXPECT_EQ(engine.series_count(), 3u);
  const auto w = engine.WindowsForTest(Key("h", "b", {{"dc", "eu"}}));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].count(), 2u);
}

// The engine remembers, per host and batch tags, which series each sample
// position resolved to; a batch in another order must still land exactly.
TEST(RollupEngine, SamplesFindTheirSeriesWhateverTheirPositionInTheBatch) {
  RollupEngine engine({});
  Batch first("h", {S("a", 1, kT0), S("b", 2, kT0), S("c", 3, kT0)}, {{"dc", "eu"}});
  Batch shuffled("h", {S("c", 10, kT0), S("a", 20, kT0), S("d", 40, kT0), S("b", 30, kT0)},
                 {{"dc", "eu"}});
  Batch tagged("h", {S("a", 100, kT0, MetricKind::kGauge, {{"x", "1"}}), S("b", 200, kT0)},
               {{"dc", "eu"}});
  ASSERT_EQ(engine.Ingest(first.view(), kT0 + 1000), 3u);
  ASSERT_EQ(engine.Ingest(shuffled.view(), kT0 + 1000), 4u);
  ASSERT_EQ(engine.Ingest(first.view(), kT0 + 1000), 3u);
  ASSERT_EQ(engine.Ingest(tagged.view(), kT0 + 1000), 2u);
  EXPECT_EQ(engine.series_count(), 5u);
  const auto sum = [&](const std::string& name, Tags tags = {{"dc", "eu"}}) {
    const auto w = engine.WindowsForTest(Key("h", name, std::move(tags)));
    return w.size() == 1 ? w[0].sum() : -1.0;
  };
  EXPECT_EQ(sum("a"), 1 + 20 + 1);
  EXPECT_EQ(sum("b"), 2 + 30 + 2 + 200);
  EXPECT_EQ(sum("c"), 3 + 10 + 3);
  EXPECT_EQ(sum("d"), 40);
  EXPECT_EQ(sum("a", {{"dc", "eu"}, {"x", "1"}}), 100);
}

// A remembered slot whose series was evicted and whose slot now holds
// another host's series is not trusted.
TEST(RollupEngine, AMemoOfAnEvictedSeriesIsNotTrusted) {
  RollupEngine engine({});
  Batch both("h", {S("a", 1, kT0), S("b", 1, kT0)});
  ASSERT_EQ(engine.Ingest(both.view(), kT0), 2u);
  // b goes on reporting; a stops, closes and is evicted, freeing its slot.
  // (A sample with tags of its own does not replace a's place in the memo.)
  const int64_t t2 = kT0 + 2 * kMin;
  Batch b_only("h", {S("z", 1, t2, MetricKind::kGauge, {{"k", "v"}}), S("b", 1, t2)});
  ASSERT_EQ(engine.Ingest(b_only.view(), t2), 2u);
  TickBatch tick;
  engine.BuildFlush(kT0 + 3 * kMin, &tick);
  ASSERT_EQ(engine.series_count(), 2u);
  const int64_t t3 = kT0 + 3 * kMin;
  Batch other("other", {S("a", 7, t3)});  // Same name, same position: the freed slot.
  ASSERT_EQ(engine.Ingest(other.view(), t3), 1u);
  Batch again("h", {S("a", 5, t3), S("b", 6, t3)});
  ASSERT_EQ(engine.Ingest(again.view(), t3), 2u);
  EXPECT_EQ(engine.series_count(), 4u);
  const auto w_other = engine.WindowsForTest(Key("other", "a"));
  ASSERT_EQ(w_other.size(), 1u);
  EXPECT_EQ(w_other[0].sum(), 7);
  const auto w_h = engine.WindowsForTest(Key("h", "a"));
  ASSERT_EQ(w_h.size(), 1u);
  EXPECT_EQ(w_h[0].sum(), 5);
}

TEST(RollupEngine, ShedBacklogDropsOnlyClosedWindowsAboveTheBound) {
  EngineOptions o;
  o.max_windows = 1;
  RollupEngine engine(o);
  Batch b("h", {S("a", 1, kT0), S("b", 1, kT0)});
  ASSERT_EQ(engine.Ingest(b.view(), kT0), 2u);
  EXPECT_EQ(engine.ShedBacklog(kT0 + kMin), 0u);  // Over the bound, but nothing closed.
  EXPECT_EQ(engine.ShedBacklog(kT0 + 3 * kMin), 2u);
  EXPECT_EQ(engine.stats().windows_shed, 2u);
  TickBatch tick;
  engine.BuildFlush(kT0 + 3 * kMin, &tick);
  EXPECT_EQ(tick.batch.windows.size(), 0u);
  EXPECT_EQ(engine.series_count(), 0u);
}

TEST(RollupEngine, ApplyIdsIgnoresEvictedSlots) {
  RollupEngine engine({});
  Batch b("h", {S("a", 1, kT0)});
  ASSERT_EQ(engine.Ingest(b.view(), kT0), 1u);
  TickBatch tick;
  engine.BuildFlush(kT0 + 3 * kMin, &tick);  // Closes and evicts.
  tick.result.ids = {1234};
  engine.ApplyIds(tick);  // Must not touch the freed slot.
  EXPECT_EQ(engine.series_count(), 0u);
}

TEST(SeriesHash, SameBytesComparesEveryByteOfEveryLength) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'x');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    EXPECT_TRUE(SameBytes(a, std::string(a))) << n;
    EXPECT_FALSE(SameBytes(a, a + "y")) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = '#';
      EXPECT_FALSE(SameBytes(a, b)) << n << " " << i;
    }
  }
}

TEST(RollupEngineOptions, ValidateChecksEachField) {
  EXPECT_TRUE(EngineOptions{}.Validate().ok());
  EngineOptions o;
  o.lateness = std::chrono::milliseconds(-1);
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
  o = {};
  o.lateness = std::chrono::hours(2);
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
  o = {};
  o.max_future = std::chrono::milliseconds(-1);
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
  o = {};
  o.max_series = 0;
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
  o = {};
  o.max_tag_values = 0;
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
  o = {};
  o.max_windows = 0;
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
}

// With the real store: flushes over two hours; the stored hour equals the
// merge of the stored minutes, and both equal the input.
class EngineWithStore : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    StoreOptions o;
    o.dir = dir_.path();
    o.minute_retention = std::chrono::hours(24);
    auto s = Store::Open(o);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    store_ = std::move(s).value();
  }
  void Flush(RollupEngine* engine, int64_t now) {
    TickBatch tick;
    engine->BuildFlush(now, &tick);
    if (tick.empty()) return;
    ASSERT_TRUE(store_->Write(tick.batch, &tick.result).ok());
    engine->ApplyIds(tick);
  }
  std::vector<RollupWindow> Read(Resolution r, std::string label = "m") {
    RollupQuery q;
    q.host = "h";
    q.label = std::move(label);
    q.resolution = r;
    std::vector<SeriesRollups> out;
    Status s = store_->ReadRollups(q, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out.empty() ? std::vector<RollupWindow>{} : out[0].windows;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(EngineWithStore, HourIsTheMergeOfItsMinutes) {
  RollupEngine engine({});
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> dist(0.1);
  std::vector<double> all;
  // 90 minutes starting 00:30, 10 samples per minute, flushed every 20 s.
  const int64_t start = kT0 + 30 * kMin;
  for (int64_t now = start; now < start + 90 * kMin; now += 20000) {
    std::vector<Sample> s;
    for (int i = 0; i < 3; ++i) {
      all.push_back(dist(rng));
      s.push_back(S("m", all.back(), now + i, MetricKind::kTiming));
    }
    Batch b("h", s);
    ASSERT_EQ(engine.Ingest(b.view(), now + 100), 3u);
    Flush(&engine, now + 100);
  }
  Flush(&engine, start + 95 * kMin);  // Everything closed.
  auto minutes = Read(Resolution::kMinute);
  auto hours = Read(Resolution::kHour);
  ASSERT_EQ(minutes.size(), 90u);
  ASSERT_EQ(hours.size(), 2u);
  for (const RollupWindow& h : hours) {
    RollupWindow merged(MetricKind::kTiming, Resolution::kHour, h.start_ms());
    for (const RollupWindow& m : minutes) {
      EXPECT_FALSE(m.open());
      if (WindowStart(m.start_ms(), Resolution::kHour) == h.start_ms()) {
        ASSERT_TRUE(merged.Merge(m).ok());
      }
    }
    EXPECT_EQ(h.count(), merged.count());
    EXPECT_NEAR(h.sum(), merged.sum(), 1e-9 * std::abs(merged.sum()));
    EXPECT_EQ(h.min(), merged.min());
    EXPECT_EQ(h.max(), merged.max());
    EXPECT_EQ(h.last(), merged.last());
    EXPECT_EQ(h.sketch(), merged.sketch());  // Merged exactly, not averaged.
    EXPECT_EQ(h.Quantile(0.99), merged.Quantile(0.99));
  }
  EXPECT_EQ(hours[0].count() + hours[1].count(), all.size());
  EXPECT_EQ(hours[0].count(), 30u * 9);  // 00:30 to 01:00, 9 samples a minute.
}

TEST_F(EngineWithStore, RestartResumesOpenWindowsWithoutDoubleCounting) {
  const int64_t now = kT0 + 5 * kMin + 10000;
  {
    RollupEngine engine({});
    Batch b("h", {S("m", 1, now - 1000), S("m", 2, now - 500),
                  S("m", 4, kT0 + 4 * kMin + 30000)});  // Also the previous minute.
    ASSERT_EQ(engine.Ingest(b.view(), now), 3u);
    Flush(&engine, now);
    // Not flushed: lost with the "crash", as the last tick would be.
    Batch lost("h", {S("m", 100, now)});
    ASSERT_EQ(engine.Ingest(lost.view(), now + 1), 1u);
  }
  RollupEngine engine({});
  std::vector<OpenWindow> open;
  ASSERT_TRUE(store_->LoadOpenWindows(Resolution::kMinute, now - kMin * 60, &open).ok());
  ASSERT_EQ(open.size(), 2u);
  engine.Resume(std::move(open), now + 2000);
  EXPECT_EQ(engine.stats().resumed_windows, 2u);
  EXPECT_EQ(engine.windows_in_memory(), 2u);
  Batch more("h", {S("m", 8, now + 2000)});
  ASSERT_EQ(engine.Ingest(more.view(), now + 2000), 1u);
  Flush(&engine, now + 3000);
  Flush(&engine, now + 4 * kMin);  // Both minutes closed and folded.
  auto minutes = Read(Resolution::kMinute);
  ASSERT_EQ(minutes.size(), 2u);
  EXPECT_EQ(minutes[0].count(), 1u);
  EXPECT_DOUBLE_EQ(minutes[0].sum(), 4);
  EXPECT_EQ(minutes[1].count(), 3u);
  EXPECT_DOUBLE_EQ(minutes[1].sum(), 11);
  auto hours = Read(Resolution::kHour);
  ASSERT_EQ(hours.size(), 1u);
  EXPECT_EQ(hours[0].count(), 4u);
  EXPECT_DOUBLE_EQ(hours[0].sum(), 15);
}

TEST_F(EngineWithStore, ExpiryAtTheRetentionEdge) {
  store_.reset();
  StoreOptions o;
  o.dir = dir_.path();
  o.minute_retention = std::chrono::hours(1);
  auto opened = Store::Open(o);
  ASSERT_TRUE(opened.has_value());
  store_ = std::move(opened).value();
  RollupEngine engine({});
  Batch b("h", {S("m", 1, kT0 + 1000)});
  ASSERT_EQ(engine.Ingest(b.view(), kT0 + 1000), 1u);
  Flush(&engine, kT0 + 4 * kMin);
  ASSERT_EQ(Read(Resolution::kMinute).size(), 1u);
  // The window ends at 00:01; with 1 h retention it expires at 01:01:00.
  SweepResult r;
  ASSERT_TRUE(store_->Sweep(kT0 + kMin + 3600000 - 1, &r).ok());
  EXPECT_EQ(r.minute_windows_expired, 0u);
  EXPECT_EQ(Read(Resolution::kMinute).size(), 1u);
  ASSERT_TRUE(store_->Sweep(kT0 + kMin + 3600000, &r).ok());
  EXPECT_EQ(r.minute_windows_expired, 1u);
  EXPECT_EQ(Read(Resolution::kMinute).size(), 0u);
  EXPECT_EQ(Read(Resolution::kHour).size(), 1u);  // Hours are kept 24 h.
}

}  // namespace
}  // namespace sonde::summarizer

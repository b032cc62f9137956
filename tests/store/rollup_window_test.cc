#include "sonde/rollup_window.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace sonde {
namespace {

constexpr int64_t kHour0 = 1704067200000;  // 2024-01-01T00:00:00Z.
constexpr int64_t kMinute = 60000;

TEST(RollupWindow, WindowStartFloorsToTheResolution) {
  EXPECT_EQ(WindowStart(kHour0 + 59999, Resolution::kMinute), kHour0);
  EXPECT_EQ(WindowStart(kHour0 + 60000, Resolution::kMinute), kHour0 + 60000);
  EXPECT_EQ(WindowStart(kHour0 + 3599999, Resolution::kHour), kHour0);
  EXPECT_EQ(WindowStart(-1, Resolution::kMinute), -60000);
  EXPECT_EQ(WindowStart(-60000, Resolution::kMinute), -60000);
  EXPECT_EQ(WindowStart(0, Resolution::kHour), 0);
}

TEST(RollupWindow, ParsesResolutionNames) {
  Resolution r;
  ASSERT_TRUE(ParseResolution("by-minute", &r));
  EXPECT_EQ(r, Resolution::kMinute);
  ASSERT_TRUE(ParseResolution("hour", &r));
  EXPECT_EQ(r, Resolution::kHour);
  EXPECT_FALSE(ParseResolution("day", &r));
  EXPECT_STREQ(ResolutionName(Resolution::kHour), "hour");
}

TEST(RollupWindow, KeepsExactSummaries) {
  RollupWindow w(MetricKind::kGauge, Resolution::kMinute, kHour0);
  EXPECT_TRUE(w.empty());
  EXPECT_TRUE(std::isnan(w.avg()));
  w.Add(5, kHour0 + 1000);
  w.Add(-2, kHour0 + 3000);
  w.Add(9, kHour0 + 2000);  // Out of order: not the last.
  w.Add(4, kHour0 + 3000);  // A tie: the later call wins.
  EXPECT_EQ(w.count(), 4u);
  EXPECT_EQ(w.sum(), 16);
  EXPECT_EQ(w.min(), -2);
  EXPECT_EQ(w.max(), 9);
  EXPECT_EQ(w.last(), 4);
  EXPECT_EQ(w.last_ms(), kHour0 + 3000);
  EXPECT_EQ(w.avg(), 4);
  EXPECT_EQ(w.end_ms(), kHour0 + kMinute);
  EXPECT_EQ(w.Quantile(0), -2);  // Clamped to min and max: exact ends.
  EXPECT_EQ(w.Quantile(1), 9);
}

TEST(RollupWindow, CounterRateIsPerSecondOfTheWindow) {
  RollupWindow w(MetricKind::kCounter, Resolution::kMinute, kHour0);
  for (int i = 0; i < 30; ++i) w.Add(4, kHour0 + i * 2000);
  EXPECT_EQ(w.sum(), 120);
  // Closed: the whole length, whenever it is read.
  EXPECT_EQ(w.RatePerSec(kHour0 + 20000), 2);
  EXPECT_EQ(w.RatePerSec(kHour0 + kMinute), 2);
  RollupWindow h(MetricKind::kCounter, Resolution::kHour, kHour0);
  ASSERT_TRUE(h.Merge(w).ok());
  EXPECT_DOUBLE_EQ(h.RatePerSec(kHour0 + kMinute), 120.0 / 3600);
}

TEST(RollupWindow, OpenWindowRateIsPerSecondCoveredSoFar) {
  // A steady 10/s counter, read 20 s into its minute and 20 min into its
  // hour: 10/s, not the 3.3/s of dividing by their whole length.
  RollupWindow m(MetricKind::kCounter, Resolution::kMinute, kHour0 + 20 * kMinute);
  for (int i = 0; i < 20; ++i) m.Add(10, m.start_ms() + i * 1000);
  m.set_open(true);
  EXPECT_EQ(m.CoveredMs(m.start_ms() + 20000), 20000);
  EXPECT_EQ(m.RatePerSec(m.start_ms() + 20000), 10);
  RollupWindow h(MetricKind::kCounter, Resolution::kHour, kHour0);
  for (int i = 0; i < 1200; ++i) h.Add(10, kHour0 + i * 1000);
  h.set_open(true);
  EXPECT_EQ(h.RatePerSec(kHour0 + 20 * kMinute), 10);
  // Closed, the same windows divide by their whole length.
  m.set_open(false);
  EXPECT_DOUBLE_EQ(m.RatePerSec(m.start_ms() + 20000), 200.0 / 60);
  h.set_open(false);
  EXPECT_DOUBLE_EQ(h.RatePerSec(kHour0 + 20 * kMinute), 12000.0 / 3600);
}

TEST(RollupWindow, OpenWindowCoverageIsClampedToTenSecondsAndItsLength) {
  for (Resolution res : {Resolution::kMinute, Resolution::kHour}) {
    const int64_t length = ResolutionMs(res);
    RollupWindow w(MetricKind::kCounter, res, kHour0);
    w.Add(5, kHour0);
    w.set_open(true);
    // Read at its very start, or by a clock behind it: ten seconds, the
    // interval a first increment may stand for; never 0, never a spike.
    EXPECT_EQ(w.CoveredMs(kHour0), 10000);
    EXPECT_EQ(w.RatePerSec(kHour0), 0.5);
    EXPECT_EQ(w.RatePerSec(kHour0 + 400), 0.5);
    EXPECT_EQ(w.RatePerSec(kHour0 - 30000), 0.5);
    EXPECT_EQ(w.RatePerSec(std::numeric_limits<int64_t>::min()), 0.5);
    EXPECT_EQ(w.CoveredMs(kHour0 + 25000), 25000);
    // Still open past its end (lateness): its whole length.
    EXPECT_EQ(w.CoveredMs(kHour0 + length + 90000), length);
    EXPECT_EQ(w.CoveredMs(std::numeric_limits<int64_t>::max()), length);
    EXPECT_EQ(w.RatePerSec(kHour0 + length), 5.0 / static_cast<double>(length / 1000));
  }
}

TEST(RollupWindow, OpenWindowCoversItsNewestSampleWhenTheReaderIsBehind) {
  // Senders' clocks ahead of the reader's: 40 s of samples read at 5 s.
  RollupWindow w(MetricKind::kCounter, Resolution::kMinute, kHour0);
  for (int i = 0; i <= 40; ++i) w.Add(10, kHour0 + i * 1000);
  w.set_open(true);
  EXPECT_EQ(w.CoveredMs(kHour0 + 5000), 40000);
  EXPECT_EQ(w.CoveredMs(kHour0 + 50000), 50000);  // The reader's now, once later.
  RollupWindow empty(MetricKind::kCounter, Resolution::kMinute, kHour0);
  empty.set_open(true);
  EXPECT_EQ(empty.CoveredMs(kHour0 + 30000), 30000);  // No sample: now alone.
}

TEST(RollupWindow, HourIsTheExactMergeOfItsMinutes) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> latency(3, 1);
  RollupWindow direct(MetricKind::kTiming, Resolution::kHour, kHour0);
  std::vector<RollupWindow> minutes;
  for (int m = 0; m < 60; ++m) {
    minutes.emplace_back(MetricKind::kTiming, Resolution::kMinute, kHour0 + m * kMinute);
  }
  for (int i = 0; i < 20000; ++i) {
    // Whole numbers keep every sum exact in any order.
    const double v = std::round(latency(rng));
    const int64_t t = kHour0 + static_cast<int64_t>(rng() % 3600000);
    direct.Add(v, t);
    minutes[(t - kHour0) / kMinute].Add(v, t);
  }
  RollupWindow merged(MetricKind::kTiming, Resolution::kHour, kHour0);
  // Merge in reverse to show that order does not matter.
  for (auto it = minutes.rbegin(); it != minutes.rend(); ++it) ASSERT_TRUE(merged.Merge(*it).ok());
  EXPECT_EQ(merged.count(), direct.count());
  EXPECT_EQ(merged.sum(), direct.sum());
  EXPECT_EQ(merged.min(), direct.min());
  EXPECT_EQ(merged.max(), direct.max());
  EXPECT_EQ(merged.last(), direct.last());
  EXPECT_EQ(merged.last_ms(), direct.last_ms());
  EXPECT_EQ(merged.sketch(), direct.sketch());
  for (double q : {0.5, 0.9, 0.99}) EXPECT_EQ(merged.Quantile(q), direct.Quantile(q));
}

TEST(RollupWindow, MergeRejectsMismatches) {
  RollupWindow hour(MetricKind::kGauge, Resolution::kHour, kHour0);
  RollupWindow counter(MetricKind::kCounter, Resolution::kMinute, kHour0);
  counter.Add(1, kHour0);
  EXPECT_TRUE(hour.Merge(counter).IsInvalidArgument());
  RollupWindow outside(MetricKind::kGauge, Resolution::kMinute, kHour0 + 3600000);
  outside.Add(1, kHour0 + 3600000);
  EXPECT_TRUE(hour.Merge(outside).IsInvalidArgument());
  RollupWindow minute(MetricKind::kGauge, Resolution::kMinute, kHour0);
  RollupWindow coarser(MetricKind::kGauge, Resolution::kHour, kHour0);
  coarser.Add(1, kHour0);
  EXPECT_TRUE(minute.Merge(coarser).IsInvalidArgument());
  EXPECT_TRUE(hour.empty());
  EXPECT_TRUE(minute.empty());
  RollupWindow empty(MetricKind::kGauge, Resolution::kMinute, kHour0);
  EXPECT_TRUE(hour.Merge(empty).ok());
  EXPECT_TRUE(hour.empty());
}

TEST(RollupWindow, FoldingAMinuteTwiceCountsItOnce) {
  RollupWindow hour(MetricKind::kTiming, Resolution::kHour, kHour0);
  RollupWindow m0(MetricKind::kTiming, Resolution::kMinute, kHour0);
  RollupWindow m59(MetricKind::kTiming, Resolution::kMinute, kHour0 + 59 * kMinute);
  m0.Add(1, kHour0);
  m0.Add(2, kHour0 + 1);
  m59.Add(3, kHour0 + 59 * kMinute);
  ASSERT_EQ(hour.FoldMinute(m0).value_or(false), true);
  ASSERT_EQ(hour.FoldMinute(m59).value_or(false), true);
  ASSERT_EQ(hour.FoldMinute(m0).value_or(true), false);  // A replay: no change.
  EXPECT_EQ(hour.count(), 3u);
  EXPECT_EQ(hour.sum(), 6);
  EXPECT_EQ(hour.last(), 3);
  EXPECT_EQ(hour.folded_minutes(), (uint64_t{1} << 59) | 1);
  // Only minutes of this hour, into an hour, of the same kind.
  RollupWindow next_hour(MetricKind::kTiming, Resolution::kMinute, kHour0 + 60 * kMinute);
  EXPECT_FALSE(hour.FoldMinute(next_hour).has_value());
  EXPECT_FALSE(m0.FoldMinute(m59).has_value());
  RollupWindow counter(MetricKind::kCounter, Resolution::kMinute, kHour0 + kMinute);
  counter.Add(1, kHour0 + kMinute);
  EXPECT_FALSE(hour.FoldMinute(counter).has_value());
  EXPECT_EQ(hour.folded_minutes(), (uint64_t{1} << 59) | 1);
  // The mask survives storage.
  std::string bytes;
  hour.EncodeTo(&bytes);
  RollupWindow back;
  ASSERT_TRUE(RollupWindow::Decode(bytes, Resolution::kHour, kHour0, &back).ok());
  EXPECT_EQ(back, hour);
  EXPECT_EQ(back.folded_minutes(), hour.folded_minutes());
}

TEST(RollupWindow, ResetKeepsTheSketchBuffers) {
  RollupWindow w(MetricKind::kTiming, Resolution::kMinute, kHour0);
  for (int i = 1; i <= 1000; ++i) w.Add(i, kHour0 + i);
  const size_t used = w.MemoryUsage();
  w.Reset(MetricKind::kTiming, Resolution::kMinute, kHour0 + kMinute);
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.sum(), 0);
  EXPECT_EQ(w.start_ms(), kHour0 + kMinute);
  EXPECT_EQ(w.MemoryUsage(), used);
}

RollupWindow Sample() {
  RollupWindow w(MetricKind::kTiming, Resolution::kMinute, kHour0);
  for (int i = 0; i < 100; ++i) w.Add(0.5 * i - 10, kHour0 + 500 * i);
  w.set_open(true);
  return w;
}

TEST(RollupWindow, EncodeDecodeRoundTrip) {
  for (const RollupWindow& w :
       {Sample(), RollupWindow(MetricKind::kCounter, Resolution::kHour, kHour0)}) {
    std::string bytes;
    w.EncodeTo(&bytes);
    RollupWindow back;
    ASSERT_TRUE(RollupWindow::Decode(bytes, w.resolution(), w.start_ms(), &back).ok());
    EXPECT_EQ(back, w);
  }
}

TEST(RollupWindow, DecodeRejectsDamage) {
  std::string good;
  Sample().EncodeTo(&good);
  auto with_byte = [&](size_t at, char c) {
    std::string b = good;
    b[at] = c;
    return b;
  };
  std::string nan_min = good;
  const double nan = std::nan("");
  std::memcpy(&nan_min[2 + 8], &nan, 8);
  std::string min_above_max = good;
  const double big = 1e9;
  std::memcpy(&min_above_max[2 + 8], &big, 8);
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"empty", ""},
      {"unknown format", with_byte(0, 9)},
      {"unknown kind", with_byte(1, 3)},
      {"unknown flag", with_byte(1, 0x12)},
      {"NaN min", nan_min},
      {"min above max", min_above_max},
      {"trailing bytes", good + "!"},
  };
  for (const auto& [what, bytes] : cases) {
    RollupWindow out;
    EXPECT_TRUE(RollupWindow::Decode(bytes, Resolution::kMinute, kHour0, &out).IsCorruption())
        << what;
  }
  // A folded-minutes mask on a minute window, or beyond minute 59.
  RollupWindow hour(MetricKind::kGauge, Resolution::kHour, kHour0);
  RollupWindow minute(MetricKind::kGauge, Resolution::kMinute, kHour0);
  minute.Add(1, kHour0);
  ASSERT_TRUE(hour.FoldMinute(minute).has_value());
  std::string folded;
  hour.EncodeTo(&folded);
  RollupWindow decoded;
  EXPECT_TRUE(RollupWindow::Decode(folded, Resolution::kMinute, kHour0, &decoded).IsCorruption());
  const size_t mask_at = 2 + 32 + 1;  // After the flags, four doubles and the last-time delta.
  ASSERT_EQ(folded[mask_at], 1);
  const std::string beyond = folded.substr(0, mask_at) +
                             std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x10", 9) +
                             folded.substr(mask_at + 1);
  EXPECT_TRUE(RollupWindow::Decode(beyond, Resolution::kHour, kHour0, &decoded).IsCorruption());
  ASSERT_TRUE(RollupWindow::Decode(folded, Resolution::kHour, kHour0, &decoded).ok());

  for (size_t n = 0; n < good.size(); ++n) {
    RollupWindow out;
    EXPECT_TRUE(
        RollupWindow::Decode(good.substr(0, n), Resolution::kMinute, kHour0, &out).IsCorruption())
        << n;
  }
}

TEST(RollupWindow, OneSampleWindowsEncodeInTwelveBytes) {
  RollupWindow w(MetricKind::kCounter, Resolution::kMinute, kHour0);
  w.Add(-2.5, kHour0 + 59999);
  w.set_open(true);
  std::string bytes;
  w.EncodeTo(&bytes);
  EXPECT_LE(bytes.size(), 13u);
  RollupWindow back;
  ASSERT_TRUE(RollupWindow::Decode(bytes, Resolution::kMinute, kHour0, &back).ok());
  EXPECT_EQ(back, w);
  EXPECT_EQ(back.Quantile(0.5), -2.5);
  // The full form of the same window, as earlier builds wrote it, still reads.
  std::string full("\x01\x05", 2);
  for (int i = 0; i < 4; ++i) full.append(bytes.data() + 2, 8);  // sum, min, max, last
  full.append(bytes.data() + 10, bytes.size() - 10);              // last-time delta
  full.push_back('\x00');                                          // folded minutes
  w.sketch().EncodeTo(&full);
  ASSERT_TRUE(RollupWindow::Decode(full, Resolution::kMinute, kHour0, &back).ok());
  EXPECT_EQ(back, w);
  // Damage: trailing bytes, truncation, a NaN value.
  EXPECT_TRUE(RollupWindow::Decode(bytes + "x", Resolution::kMinute, kHour0, &back).IsCorruption());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_TRUE(
        RollupWindow::Decode(bytes.substr(0, n), Resolution::kMinute, kHour0, &back).IsCorruption())
        << n;
  }
  std::string nan = bytes;
  const double v = std::nan("");
  std::memcpy(&nan[2], &v, 8);
  EXPECT_TRUE(RollupWindow::Decode(nan, Resolution::kMinute, kHour0, &back).IsCorruption());
  // A folded hour of one sample keeps the full form (it has a mask).
  RollupWindow hour(MetricKind::kCounter, Resolution::kHour, kHour0);
  ASSERT_TRUE(hour.FoldMinute(RollupWindow(w)).has_value());
  std::string hour_bytes;
  hour.EncodeTo(&hour_bytes);
  EXPECT_GT(hour_bytes.size(), bytes.size());
  ASSERT_TRUE(RollupWindow::Decode(hour_bytes, Resolution::kHour, kHour0, &back).ok());
  EXPECT_EQ(back, hour);
}

TEST(RollupWindow, CopyAssignmentKeepsEverything) {
  const RollupWindow w = Sample();
  RollupWindow copy;
  copy = w;
  EXPECT_EQ(copy, w);
  EXPECT_TRUE(copy.open());
}

}  // namespace
}  // namespace sonde

// The per-window values `sonde get` draws as a sparkline.
#include "trend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace sonde::tools {
namespace {

// A served window; the trend reads only count, avg and rate.
api::WindowStats Window(int64_t start_ms, uint64_t count, double sum, double min, double max,
                        double p99) {
  api::WindowStats w;
  w.start_ms = start_ms;
  w.end_ms = start_ms + 60000;
  w.count = count;
  w.sum = sum;
  w.min = min;
  w.max = max;
  w.p99 = p99;
  w.avg = count ? sum / static_cast<double>(count) : std::nan("");
  w.rate = sum / 60;
  return w;
}

TEST(Trend, TrendIsRateForCountersAverageOtherwise) {
  const api::WindowStats w = Window(0, 2, 120, 60, 60, 60);
  EXPECT_EQ(TrendValue(w, MetricKind::kCounter), 2);
  EXPECT_EQ(TrendValue(w, MetricKind::kGauge), 60);
  EXPECT_TRUE(std::isnan(TrendValue(Window(0, 0, 0, 0, 0, 0), MetricKind::kGauge)));
}

TEST(Trend, TrendSlotsLeaveGapsAsNaN) {
  const std::vector<api::WindowStats> windows = {
      Window(60000, 1, 5, 5, 5, 5), Window(180000, 1, 7, 7, 7, 7), Window(600000, 1, 9, 9, 9, 9)};
  const std::vector<double> slots = TrendSlots(windows, MetricKind::kGauge, 0, 60000, 4);
  ASSERT_EQ(slots.size(), 4u);
  EXPECT_TRUE(std::isnan(slots[0]));
  EXPECT_EQ(slots[1], 5);
  EXPECT_TRUE(std::isnan(slots[2]));
  EXPECT_EQ(slots[3], 7);  // The window past the last slot is left out.
}

TEST(Trend, TrendSlotsSurviveWildTimes) {
  // Windows from a remote answer may carry any times.
  const std::vector<api::WindowStats> windows = {
      Window(std::numeric_limits<int64_t>::min(), 1, 1, 1, 1, 1),
      Window(std::numeric_limits<int64_t>::max() - 60000, 1, 2, 2, 2, 2)};
  const std::vector<double> slots =
      TrendSlots(windows, MetricKind::kGauge, -1000 * 60000, 60000, 3);
  ASSERT_EQ(slots.size(), 3u);
  for (double v : slots) EXPECT_TRUE(std::isnan(v));
}

}  // namespace
}  // namespace sonde::tools

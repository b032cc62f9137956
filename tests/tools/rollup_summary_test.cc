#include "rollup_summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace sonde::tools {
namespace {

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

TEST(RollupSummary, FoldsWindows) {
  const std::vector<api::WindowStats> windows = {Window(0, 2, 30, 10, 20, 20),
                                                 Window(60000, 0, 0, 0, 0, std::nan("")),
                                                 Window(120000, 3, 150, 40, 60, 59)};
  const RollupSummary s = Summarize(windows);
  EXPECT_EQ(s.windows, 3u);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.sum, 180);
  EXPECT_EQ(s.avg, 36);
  EXPECT_EQ(s.min, 10);  // The empty window's 0 does not count.
  EXPECT_EQ(s.max, 60);
  EXPECT_EQ(s.max_p99, 59);  // The highest window p99, never an average.
  EXPECT_EQ(s.start_ms, 0);
  EXPECT_EQ(s.end_ms, 180000);
  EXPECT_EQ(s.rate, 1);  // 180 over 180 s.
}

TEST(RollupSummary, NoWindowsIsEmpty) {
  const RollupSummary s = Summarize({});
  EXPECT_EQ(s.count, 0u);
  EXPECT_TRUE(std::isnan(s.avg));
  EXPECT_TRUE(std::isnan(s.max_p99));
}

TEST(RollupSummary, TrendIsRateForCountersAverageOtherwise) {
  const api::WindowStats w = Window(0, 2, 120, 60, 60, 60);
  EXPECT_EQ(TrendValue(w, MetricKind::kCounter), 2);
  EXPECT_EQ(TrendValue(w, MetricKind::kGauge), 60);
  EXPECT_TRUE(std::isnan(TrendValue(Window(0, 0, 0, 0, 0, 0), MetricKind::kGauge)));
}

TEST(RollupSummary, TrendSlotsLeaveGapsAsNaN) {
  const std::vector<api::WindowStats> windows = {
      Window(60000, 1, 5, 5, 5, 5), Window(180000, 1, 7, 7, 7, 7), Window(600000, 1, 9, 9, 9, 9)};
  const std::vector<double> slots = TrendSlots(windows, MetricKind::kGauge, 0, 60000, 4);
  ASSERT_EQ(slots.size(), 4u);
  EXPECT_TRUE(std::isnan(slots[0]));
  EXPECT_EQ(slots[1], 5);
  EXPECT_TRUE(std::isnan(slots[2]));
  EXPECT_EQ(slots[3], 7);  // The window past the last slot is left out.
}

TEST(RollupSummary, TrendSlotsSurviveWildTimes) {
  // Windows from a remote answer may carry any times.
  const std::vector<api::WindowStats> windows = {
      Window(std::numeric_limits<int64_t>::min(), 1, 1, 1, 1, 1),
      Window(std::numeric_limits<int64_t>::max() - 60000, 1, 2, 2, 2, 2)};
  const std::vector<double> slots =
      TrendSlots(windows, MetricKind::kGauge, -1000 * 60000, 60000, 3);
  ASSERT_EQ(slots.size(), 3u);
  for (double v : slots) EXPECT_TRUE(std::isnan(v));
  const RollupSummary s = Summarize(windows);
  EXPECT_EQ(s.count, 2u);
  EXPECT_GT(s.rate, 0);
}

}  // namespace
}  // namespace sonde::tools

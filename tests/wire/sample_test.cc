// The data model's helpers (sonde/sample.h).
#include "sonde/sample.h"

#include <gtest/gtest.h>

namespace sonde {
namespace {

TEST(MetricKind, NamesRoundTrip) {
  for (int i = 0; i < kMetricKindCount; ++i) {
    const auto kind = static_cast<MetricKind>(i);
    MetricKind parsed = MetricKind::kGauge;
    ASSERT_TRUE(ParseMetricKind(MetricKindName(kind), &parsed)) << i;
    EXPECT_EQ(parsed, kind);
  }
  EXPECT_STREQ(MetricKindName(MetricKind::kTiming), "timing");
}

TEST(MetricKind, ParsesShortNamesAndRejectsOthers) {
  MetricKind k = MetricKind::kGauge;
  EXPECT_TRUE(ParseMetricKind("c", &k));
  EXPECT_EQ(k, MetricKind::kCounter);
  EXPECT_TRUE(ParseMetricKind("ms", &k));
  EXPECT_EQ(k, MetricKind::kTiming);
  EXPECT_TRUE(ParseMetricKind("t", &k));
  EXPECT_EQ(k, MetricKind::kTiming);
  EXPECT_TRUE(ParseMetricKind("g", &k));
  EXPECT_EQ(k, MetricKind::kGauge);
  for (const char* bad : {"", "Gauge", "counters", "h", "timer"}) {
    EXPECT_FALSE(ParseMetricKind(bad, &k)) << bad;
  }
}

}  // namespace
}  // namespace sonde

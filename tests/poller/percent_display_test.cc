// DisplayPercent: rounded down, so a value just under a level never shows as
// the level (docs/health.md, docs/poller.md).
#include "sonde/percent_display.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sonde::fleet {
namespace {

struct Case {
  double percent;
  const char* shown;
};

const Case kCases[] = {
    // Just under the default levels (75 warning, 85 critical): not the level.
    {74.99, "74.9%"},
    {74.999999, "74.9%"},
    {std::nextafter(75.0, 0.0), "74.9%"},
    {84.96, "84.9%"},
    {99.999, "99.9%"},
    // At a level, and values whose tenth is exact as written.
    {75, "75.0%"},
    {85, "85.0%"},
    {100, "100.0%"},
    {0, "0.0%"},
    {57.3, "57.3%"},  // Its double is 57.2999...; still the tenth written.
    {0.3, "0.3%"},
    {12.5, "12.5%"},
    {74.95, "74.9%"},  // printf's "%.1f" shows 75.0 here.
    {99.95, "99.9%"},  // And 100.0 here.
    {0.05, "0.0%"},
    // Below zero rounds down too, and -0 is plain 0.
    {-0.0, "0.0%"},
    {-0.04, "-0.1%"},
    {-57.3, "-57.3%"},
};

TEST(DisplayPercent, RoundsDownToOneDecimal) {
  for (const Case& c : kCases) EXPECT_EQ(DisplayPercent(c.percent), c.shown) << c.percent;
}

TEST(DisplayPercent, NeverShowsMoreThanTheValue) {
  // Every hundredth from 0 to 100: the tenth shown is at most the value and
  // less than a tenth below it.
  for (int i = 0; i <= 10000; ++i) {
    const double v = i / 100.0;
    const double shown = std::stod(DisplayPercent(v));
    EXPECT_LE(shown, v) << v;
    EXPECT_GT(shown, v - 0.1) << v;
  }
}

TEST(DisplayPercent, TwoDecimalsForQos) {
  EXPECT_EQ(DisplayPercent(98.996, 2), "98.99%");  // "{:.2f}" shows 99.00 here.
  EXPECT_EQ(DisplayPercent(100.0 * 98996 / 100000, 2), "98.99%");
  EXPECT_EQ(DisplayPercent(99, 2), "99.00%");
  EXPECT_EQ(DisplayPercent(100.0 * 1 / 3, 2), "33.33%");
  EXPECT_EQ(DisplayPercent(100.0 * 2 / 3, 2), "66.66%");
  EXPECT_EQ(DisplayPercent(57.29, 2), "57.29%");  // Its double is below 57.29.
  EXPECT_EQ(DisplayPercent(12.5, 0), "12%");
  EXPECT_EQ(DisplayPercent(12.5, 9), "12.500000%");  // Clamped to 6.
}

TEST(DisplayPercent, NonFiniteAndHugeValuesStillPrint) {
  EXPECT_EQ(DisplayPercent(std::numeric_limits<double>::infinity()), "inf%");
  EXPECT_EQ(DisplayPercent(-std::numeric_limits<double>::infinity()), "-inf%");
  EXPECT_EQ(DisplayPercent(1e300), "1e+300%");
}

}  // namespace
}  // namespace sonde::fleet

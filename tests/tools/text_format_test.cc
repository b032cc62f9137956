#include "text_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sonde::tools {
namespace {

TEST(TextFormat, NumbersForTables) {
  EXPECT_EQ(FormatNumber(std::nan("")), "-");
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(1500), "1500");
  EXPECT_EQ(FormatNumber(-3), "-3");
  EXPECT_EQ(FormatNumber(999999), "999999");
  EXPECT_EQ(FormatNumber(1234567), "1.23M");
  EXPECT_EQ(FormatNumber(2.5e9), "2.5G");
  EXPECT_EQ(FormatNumber(45e9), "45G");
  EXPECT_EQ(FormatNumber(-1.5e6), "-1.5M");
  EXPECT_EQ(FormatNumber(812.54), "812.5");
  EXPECT_EQ(FormatNumber(3.14159), "3.14");
  EXPECT_EQ(FormatNumber(42.857142), "42.86");
  EXPECT_EQ(FormatNumber(2.50), "2.5");
  EXPECT_EQ(FormatNumber(0.25), "0.25");
  EXPECT_EQ(FormatNumber(0.00123456), "0.00123");
  EXPECT_EQ(FormatNumber(INFINITY), "inf");
}

TEST(TextFormat, ExactNumbersForCsv) {
  EXPECT_EQ(FormatExact(0.1), "0.1");
  EXPECT_EQ(FormatExact(1500), "1500");
  EXPECT_EQ(FormatExact(2.5e9), "2500000000");
  EXPECT_EQ(FormatExact(std::nan("")), "");
}

TEST(TextFormat, Times) {
  EXPECT_EQ(FormatIsoTime(1714564800000), "2024-05-01T12:00:00Z");
  EXPECT_EQ(FormatIsoTime(1714564800250), "2024-05-01T12:00:00.250Z");
  EXPECT_EQ(FormatIsoTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatMinute(1714564860000), "2024-05-01 12:01");
}

TEST(TextFormat, Ages) {
  EXPECT_EQ(FormatAge(0), "0s");
  EXPECT_EQ(FormatAge(999), "0s");
  EXPECT_EQ(FormatAge(42000), "42s");
  EXPECT_EQ(FormatAge(60000), "1m");
  EXPECT_EQ(FormatAge(192000), "3m12s");
  EXPECT_EQ(FormatAge(7500000), "2h5m");
  EXPECT_EQ(FormatAge(7200000), "2h");
  EXPECT_EQ(FormatAge(273600000), "3d4h");
  EXPECT_EQ(FormatAge(86400000), "1d");
  EXPECT_EQ(FormatAge(-5000), "-5s");
}

TEST(TextFormat, AgesSaturate) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(AgeMs(1000, 400), 600);
  EXPECT_EQ(AgeMs(1000, kMin), kMax);
  EXPECT_EQ(AgeMs(-1000, kMax), kMin);
  EXPECT_EQ(FormatAge(kMin), "-" + FormatAge(kMax));
}

TEST(TextFormat, Tags) {
  EXPECT_EQ(FormatTags({}), "");
  EXPECT_EQ(FormatTags({{"core", "0"}, {"dc", "east"}}), "core=0,dc=east");
}

TEST(TextFormat, ParsesTimes) {
  EXPECT_EQ(ParseTime("1714564800"), 1714564800000);
  EXPECT_EQ(ParseTime("2024-05-01T12:00:00Z"), 1714564800000);
  EXPECT_EQ(ParseTime("2024-05-01T12:00:00"), 1714564800000);
  EXPECT_EQ(ParseTime("2024-05-01 12:00:00"), 1714564800000);
  EXPECT_EQ(ParseTime("2024-05-01T12:00:00.250Z"), 1714564800250);
  for (const char* bad : {"", "yesterday", "2024-05-01", "2024-13-01T00:00:00Z",
                          "2024-05-01T12:00:00+02:00", "-5", "99999999999999999999"}) {
    EXPECT_FALSE(ParseTime(bad).has_value()) << bad;
  }
}

TEST(TextFormat, ParsesNumbers) {
  EXPECT_EQ(ParseNumber("12"), 12);
  EXPECT_EQ(ParseNumber("-0.5"), -0.5);
  EXPECT_EQ(ParseNumber("1e3"), 1000);
  for (const char* bad : {"", "abc", "12x", " 12", "nan", "inf"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace sonde::tools

#include "sonde/units.h"

#include <gtest/gtest.h>

namespace sonde {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsUnitsAndSums) {
  struct Case {
    const char* text;
    int64_t ms;
  };
  const Case cases[] = {
      {"0", 0},          {"500ms", 500},     {"10s", 10000},     {"5m", 300000}, {"1h", 3600000},
      {"7d", 604800000}, {"1h30m", 5400000}, {"1m500ms", 60500}, {"0s", 0},      {"90s", 90000},
  };
  for (const auto& c : cases) {
    auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.has_value()) << c.text << ": " << d.error().ToString();
    EXPECT_EQ(d->count(), c.ms) << c.text;
  }
}

TEST(ParseDuration, RejectsMalformed) {
  const char* bad[] = {"",
                       "10",
                       "10x",
                       "-5s",
                       "1.5s",
                       "s",
                       "ms5",
                       "10 s",
                       "5S",
                       "1h 2m",
                       "99999999999999999999d",
                       "106751991167301d"};
  for (const char* text : bad) {
    auto d = ParseDuration(text);
    EXPECT_FALSE(d.has_value()) << "accepted '" << text << "'";
    if (!d.has_value()) {
      EXPECT_TRUE(d.error().IsInvalidArgument());
    }
  }
  EXPECT_NE(ParseDuration("10x").error().message().find("unknown unit 'x'"), std::string::npos);
  EXPECT_NE(ParseDuration("10").error().message().find("missing unit"), std::string::npos);
}

TEST(ParseSecondsOrDuration, BareNumbersAreSeconds) {
  EXPECT_EQ(ParseSecondsOrDuration("2").value().count(), 2000);
  EXPECT_EQ(ParseSecondsOrDuration("1.5").value().count(), 1500);
  EXPECT_EQ(ParseSecondsOrDuration("0").value().count(), 0);
  EXPECT_EQ(ParseSecondsOrDuration("500ms").value().count(), 500);
  EXPECT_EQ(ParseSecondsOrDuration("1m").value().count(), 60000);
  for (const char* bad : {"", "1.2.3", ".", "99999999999", "2x", "-1"}) {
    EXPECT_FALSE(ParseSecondsOrDuration(bad).has_value()) << bad;
  }
}

TEST(FormatDuration, ShortestExactSpelling) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(milliseconds(90000)), "90s");
  EXPECT_EQ(FormatDuration(milliseconds(5400000)), "90m");
  EXPECT_EQ(FormatDuration(milliseconds(86400000)), "1d");
  for (int64_t ms : {1LL, 999LL, 1000LL, 61000LL, 3600000LL, 7 * 86400000LL}) {
    EXPECT_EQ(ParseDuration(FormatDuration(milliseconds(ms)))->count(), ms);
  }
}

TEST(ParseByteSize, AcceptsBinaryAndDecimalUnits) {
  struct Case {
    const char* text;
    uint64_t bytes;
  };
  const Case cases[] = {
      {"0", 0},
      {"4096", 4096},
      {"4096B", 4096},
      {"64KiB", 64 * 1024},
      {"64MiB", 64ull << 20},
      {"2GiB", 2ull << 30},
      {"1TiB", 1ull << 40},
      {"1kB", 1000},
      {"1KB", 1000},
      {"1MB", 1000000},
      {"1GB", 1000000000},
      {"3TB", 3000000000000},
      {"16k", 16000},
  };
  for (const auto& c : cases) {
    auto n = ParseByteSize(c.text);
    ASSERT_TRUE(n.has_value()) << c.text << ": " << n.error().ToString();
    EXPECT_EQ(*n, c.bytes) << c.text;
  }
}

TEST(ParseByteSize, RejectsMalformed) {
  const char* bad[] = {
      "",           "MiB", "-1", "1.5GB", "64mib", "64 MiB", "10XB", "1PiB", "99999999999999999999",
      "20000000TiB"};
  for (const char* text : bad) {
    auto n = ParseByteSize(text);
    EXPECT_FALSE(n.has_value()) << "accepted '" << text << "'";
  }
  EXPECT_NE(ParseByteSize("10XB").error().message().find("unknown unit 'XB'"), std::string::npos);
}

TEST(FormatByteSize, RoundTrips) {
  EXPECT_EQ(FormatByteSize(0), "0B");
  EXPECT_EQ(FormatByteSize(65536), "64KiB");
  EXPECT_EQ(FormatByteSize(1000000), "1MB");
  EXPECT_EQ(FormatByteSize(1000), "1kB");
  EXPECT_EQ(FormatByteSize(1234), "1234B");
  EXPECT_EQ(FormatByteSize(16 * 1024 * 1024), "16MiB");
  for (uint64_t n : {1ull, 1023ull, 1024ull, 1536ull, 1ull << 33, 5000000000ull}) {
    EXPECT_EQ(*ParseByteSize(FormatByteSize(n)), n);
  }
}

}  // namespace
}  // namespace sonde

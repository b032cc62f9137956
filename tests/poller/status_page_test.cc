#include "sonde/status_page.h"

#include <gtest/gtest.h>

namespace sonde::poller {
namespace {

using Numbers = std::map<std::string, double>;
using Strings = std::map<std::string, std::string>;

StatusPage Parse(std::string_view body, const StatusPageOptions& o = {}) {
  auto page = ParseStatusPage(body, o);
  EXPECT_TRUE(page.has_value()) << page.error().ToString();
  return page ? *page : StatusPage{};
}

TEST(StatusPage, TmanStyleMixedCaseKeysAndPercentStrings) {
  StatusPage p = Parse(R"({"IP": "10.58.1.1", "Service": "RoleService", "CPU": "78%",
                          "Memory": "31 %", "Uptime": " 1234 "})");
  EXPECT_EQ(p.numbers, (Numbers{{"cpu", 78}, {"memory", 31}, {"uptime", 1234}}));
  EXPECT_EQ(p.strings, (Strings{{"ip", "10.58.1.1"}, {"service", "RoleService"}}));
}

TEST(StatusPage, ClusterStatsPage) {
  StatusPage p = Parse(R"({"Application": "Cache2", "Version": "1.0.1",
                          "Request_Count": 1000, "Success_Count": "990", "Error_Count": 10})");
  EXPECT_EQ(p.numbers,
            (Numbers{{"request_count", 1000}, {"success_count", 990}, {"error_count", 10}}));
  EXPECT_EQ(p.strings, (Strings{{"application", "Cache2"}, {"version", "1.0.1"}}));
}

TEST(StatusPage, NestedArraysBooleansNullsAndExtraFieldsKept) {
  StatusPage p = Parse(R"({"Disk": {"Used GB": 12.5, "Mounts": [{"Free": 1}, {"Free": "2"}]},
                          "Healthy": true, "Degraded": false, "Note": null, "Extra": "x"})");
  EXPECT_EQ(p.numbers, (Numbers{{"disk.used_gb", 12.5},
                                {"disk.mounts.0.free", 1},
                                {"disk.mounts.1.free", 2},
                                {"healthy", 1},
                                {"degraded", 0}}));
  EXPECT_EQ(p.strings, (Strings{{"extra", "x"}}));
  EXPECT_EQ(p.dropped, 0u);
}

TEST(StatusPage, StringKeysStayStringsEvenWhenNumeric) {
  StatusPage p = Parse(R"({"Version": "2.0", "App": {"Version": "3"}, "Build": "2.0"})");
  EXPECT_EQ(p.strings, (Strings{{"version", "2.0"}, {"app.version", "3"}}));
  EXPECT_EQ(p.numbers, (Numbers{{"build", 2}}));
}

TEST(StatusPage, LimitsCountWhatTheyDrop) {
  StatusPageOptions o;
  o.max_fields = 2;
  o.max_depth = 1;
  StatusPage p = Parse(R"({"a": 1, "b": {"c": 2, "d": {"e": 3, "f": 4}}, "g": 5, "a": 6})", o);
  // a, b.c kept; b.d dropped as one too-deep container; g over max_fields;
  // the second "a" replaces the first.
  EXPECT_EQ(p.numbers, (Numbers{{"a", 6}, {"b.c", 2}}));
  EXPECT_EQ(p.dropped, 2u);
  StatusPage long_key = Parse("{\"" + std::string(300, 'k') + "\": 1}");
  EXPECT_TRUE(long_key.numbers.empty());
  EXPECT_EQ(long_key.dropped, 1u);
}

TEST(StatusPage, RejectsWhatIsNotAnObject) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "invalid JSON"},
      {"<html>oops</html>", "invalid JSON at byte 1"},
      {R"({"a": 1)", "invalid JSON"},
      {R"({"a": 1} trailing)", "invalid JSON"},
      {"[1, 2]", "is a JSON array, not an object"},
      {"42", "is a JSON scalar"},
      {"\"text\"", "is a JSON scalar"},
  };
  for (const auto& [body, reason] : cases) {
    auto page = ParseStatusPage(body, {});
    ASSERT_FALSE(page.has_value()) << body;
    EXPECT_TRUE(page.error().IsCorruption());
    EXPECT_NE(page.error().message().find(reason), std::string::npos)
        << body << ": " << page.error().message();
  }
}

TEST(StatusPage, DeepNestingIsBoundedNotACrash) {
  std::string deep = "{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  StatusPage p = Parse(deep);
  EXPECT_TRUE(p.numbers.empty());
  EXPECT_EQ(p.dropped, 1u);
}

TEST(StatusPage, InvalidUtf8IsInvalidJson) {
  EXPECT_FALSE(ParseStatusPage("{\"a\": \"\xff\"}", {}).has_value());
}

TEST(NumericString, AcceptedAndRejected) {
  const std::pair<const char*, double> ok[] = {
      {"42", 42}, {" 3.5 ", 3.5}, {"56%", 56},   {"56 %", 56},
      {"-1", -1}, {"+2", 2},      {"1e3", 1000}, {"0.25", 0.25},
  };
  for (const auto& [text, want] : ok) {
    double v = 0;
    EXPECT_TRUE(ParseNumericString(text, &v)) << text;
    EXPECT_EQ(v, want) << text;
  }
  for (const char* bad :
       {"", "%", "1.0.1", "nan", "inf", "0x1A", "12ms", "1,234", "abc", "1e999"}) {
    double v = 0;
    EXPECT_FALSE(ParseNumericString(bad, &v)) << bad;
  }
}

TEST(NormalizeKey, LowercasesTrimsAndReplacesSpaces) {
  EXPECT_EQ(NormalizeKey("  Request_Count "), "request_count");
  EXPECT_EQ(NormalizeKey("Used GB"), "used_gb");
  EXPECT_EQ(NormalizeKey("a\tb\x01"), "a_b_");
}

TEST(StatusPageOptions, ValidateChecksEachField) {
  EXPECT_TRUE(StatusPageOptions().Validate().ok());
  StatusPageOptions o;
  o.max_fields = 0;
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
  o = {};
  o.max_depth = 33;
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
}

}  // namespace
}  // namespace sonde::poller

// Health rules: tMan's defaults, the TOML rules file (docs/health.md), every
// rejected setting with its file:line, and per-service lookups.
#include "sonde/health_rules.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/testutil.h"

namespace sonde::health {
namespace {

using namespace std::chrono_literals;

TEST(HealthRules, DefaultsAreTmans) {
  HealthRules rules;
  EXPECT_TRUE(rules.Validate().ok());
  ASSERT_NE(rules.Find("any", "CPU"), nullptr);
  EXPECT_EQ(*rules.Find("any", "cpu"), (Threshold{75, 85}));
  EXPECT_EQ(*rules.Find("any", "mem"), (Threshold{75, 85}));
  EXPECT_EQ(*rules.Find("any", "Memory"), (Threshold{75, 85}));
  EXPECT_EQ(rules.Find("any", "load.1"), nullptr);
  EXPECT_EQ(rules.MinHealthy("any"), 2);
  EXPECT_EQ(rules.max_age, 5min);
}

TEST(HealthRules, ParsesFile) {
  Result<HealthRules> rules = ParseHealthRules(R"(
max_age = "90s"
min_healthy = 3

[thresholds.cpu]
warning = 60
critical = 70

[thresholds."disk.used_pct"]
warning = 80
critical = 90.5

[thresholds.success_rate]
warning = 99
critical = 95
below = true

[services.AuthService]
min_healthy = 1
[services.AuthService.thresholds.MEMORY]
warning = 90
critical = 95
)",
                                               "rules.toml");
  ASSERT_TRUE(rules) << rules.error().ToString();
  EXPECT_EQ(rules->max_age, 90s);
  EXPECT_EQ(rules->MinHealthy("RoleService"), 3);
  EXPECT_EQ(rules->MinHealthy("AuthService"), 1);
  EXPECT_EQ(*rules->Find("RoleService", "cpu"), (Threshold{60, 70}));
  EXPECT_EQ(*rules->Find("RoleService", "disk.used_pct"), (Threshold{80, 90.5}));
  EXPECT_EQ(*rules->Find("RoleService", "memory"), (Threshold{75, 85}));  // Default kept.
  EXPECT_EQ(*rules->Find("AuthService", "memory"), (Threshold{90, 95}));
  EXPECT_EQ(*rules->Find("AuthService", "cpu"), (Threshold{60, 70}));  // Falls back.
  EXPECT_EQ(*rules->Find("x", "success_rate"), (Threshold{99, 95, true}));
}

TEST(HealthRules, MaxAgeInSeconds) {
  Result<HealthRules> rules = ParseHealthRules("max_age = 30\n", "r");
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->max_age, 30s);
}

TEST(HealthRules, RejectsBadFilesNamingThePlace) {
  const std::pair<const char*, const char*> cases[] = {
      {"max_age = [", "r.toml:1:"},
      {"colour = 1", "colour: unknown key"},
      {"min_healthy = -1", "r.toml:1:15: min_healthy: expected a whole number of servers"},
      {"min_healthy = 1000001", "min_healthy: expected a whole number of servers from 0 to"},
      {"min_healthy = \"two\"", "min_healthy"},
      {"max_age = \"5 parsecs\"", "max_age"},
      {"max_age = \"0s\"", "r.toml:1:11: max_age: must be above zero"},
      {"[thresholds.cpu]\nwarning = 90\ncritical = 80",
       "r.toml:2:11: thresholds.cpu.warning: 90 is above critical 80"},
      {"[thresholds.cpu]\nwarning = 90.5\ncritical = 80.25", "90.5 is above critical 80.25"},
      {"max_age = -5", "r.toml:1:11: max_age: expected seconds above zero"},
      {"max_age = 0", "r.toml:1:11: max_age"},
      {"[thresholds.cpu]\nwarning = 90", "needs both"},
      {"[thresholds.cpu]\nwarning = \"high\"\ncritical = 80",
       "thresholds.cpu.warning: expected a number"},
      {"[thresholds.cpu]\nwarning = 1\ncritical = 2\nlevel = 3", "thresholds.cpu.level: unknown"},
      {"[thresholds.rate]\nwarning = 90\ncritical = 95\nbelow = true",
       "r.toml:2:11: thresholds.rate.warning: 90 is below critical 95"},
      {"thresholds = 3", "thresholds: expected a table"},
      {"[services.A]\nmin = 2", "services.A.min: unknown"},
      {"[services.A.thresholds.cpu]\nwarning = 9\ncritical = 8",
       "r.toml:2:11: services.A.thresholds.cpu.warning: 9 is above critical 8"},
  };
  for (const auto& [text, expected] : cases) {
    Result<HealthRules> rules = ParseHealthRules(text, "r.toml");
    ASSERT_FALSE(rules) << text;
    EXPECT_TRUE(rules.error().IsInvalidArgument()) << text;
    EXPECT_NE(rules.error().message().find(expected), std::string::npos)
        << text << " -> " << rules.error().message();
  }
}

TEST(HealthRules, LoadsFileAndReportsMissingOne) {
  sonde::testing::TempDir dir;
  std::ofstream(dir.File("rules.toml")) << "min_healthy = 4\n";
  Result<HealthRules> rules = LoadHealthRules(dir.File("rules.toml"));
  ASSERT_TRUE(rules) << rules.error().ToString();
  EXPECT_EQ(rules->min_healthy, 4);
  EXPECT_TRUE(LoadHealthRules(dir.File("none.toml")).status().IsNotFound());
}

TEST(HealthRules, ValidateChecksEachSetting) {
  HealthRules rules;
  rules.min_healthy = -1;
  EXPECT_TRUE(rules.Validate().IsInvalidArgument());
  rules = HealthRules();
  rules.max_age = 0ms;
  EXPECT_TRUE(rules.Validate().IsInvalidArgument());
  rules = HealthRules();
  rules.services["A"].min_healthy = -2;
  EXPECT_TRUE(rules.Validate().IsInvalidArgument());
  rules = HealthRules();
  rules.thresholds["cpu"] = {90, 80};
  EXPECT_EQ(rules.Validate().message(), "thresholds.cpu.warning: 90 is above critical 80");
}

TEST(HealthRules, CheckLevels) {
  EXPECT_TRUE(CheckLevels({75, 85}).ok());
  EXPECT_TRUE(CheckLevels({85, 85}).ok());
  EXPECT_TRUE(CheckLevels({99, 95, true}).ok());
  EXPECT_EQ(CheckLevels({0.1, 0.05}).message(), "0.1 is above critical 0.05");
  EXPECT_EQ(CheckLevels({95, 99, true}).message(),
            "95 is below critical 99 (below = true: lower values are worse)");
}

}  // namespace
}  // namespace sonde::health

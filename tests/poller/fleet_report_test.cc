#include "sonde/fleet_report.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sonde::fleet {
namespace {

TargetRecord Up(std::string target, std::map<std::string, std::string> strings,
                std::map<std::string, double> numbers, double latency_ms = 1) {
  TargetRecord r;
  r.target = std::move(target);
  r.up = true;
  r.http_status = 200;
  r.latency_ms = latency_ms;
  r.attempts = 1;
  r.strings = std::move(strings);
  r.numbers = std::move(numbers);
  return r;
}

TargetRecord Down(std::string target, FailureClass failure, double latency_ms = -1) {
  TargetRecord r;
  r.target = std::move(target);
  r.failure = failure;
  r.latency_ms = latency_ms;
  r.attempts = 1;
  return r;
}

// ClusterStats-style pages: Application, Version, Request/Success/Error counts.
std::vector<TargetRecord> KnownFleet() {
  return {
      Up("a:80", {{"application", "Cache2"}, {"version", "1.0.1"}},
         {{"request_count", 100}, {"success_count", 97}, {"error_count", 3}}),
      Up("b:80", {{"application", "Cache2"}, {"version", "1.0.1"}},
         {{"request_count", 200}, {"success_count", 193}, {"error_count", 7}}),
      // No error count: derived as requests - successes.
      Up("c:80", {{"application", "Cache2"}, {"version", "1.0.10"}},
         {{"request_count", 50}, {"success_count", 50}}),
      // No request count: derived as successes + errors.
      Up("d:80", {{"application", "Cache2"}, {"version", "1.0.9"}},
         {{"success_count", 10}, {"error_count", 10}}),
      // No counts at all: a target of its group, but no rate.
      Up("e:80", {{"application", "Search"}, {"version", "2.0"}}, {}),
      Down("f:80", FailureClass::kRefused),
      Down("g:80", FailureClass::kTimeout),
      Down("h:80", FailureClass::kHttp5xx, 12),
  };
}

FleetReportOptions WithSuccessRate(double qos = 99) {
  FleetReportOptions o;
  o.success_rate = true;
  o.qos_percent = qos;
  return o;
}

TEST(FleetReport, SuccessRateByApplicationAndVersion) {
  FleetReport r = BuildFleetReport(KnownFleet(), WithSuccessRate());
  ASSERT_TRUE(r.has_success_rate);
  ASSERT_EQ(r.success.size(), 4u);
  // Versions in natural order: 1.0.1 < 1.0.9 < 1.0.10.
  EXPECT_EQ(r.success[0],
            (SuccessRateRow{{"Cache2", "1.0.1"}, 2, 300, 290, 10, 290.0 / 300 * 100}));
  EXPECT_EQ(r.success[1], (SuccessRateRow{{"Cache2", "1.0.9"}, 1, 20, 10, 10, 50.0}));
  EXPECT_EQ(r.success[2], (SuccessRateRow{{"Cache2", "1.0.10"}, 1, 50, 50, 0, 100.0}));
  EXPECT_EQ(r.success[3], (SuccessRateRow{{"Search", "2.0"}, 1, 0, 0, 0, std::nullopt}));
  ASSERT_TRUE(r.overall_success_rate_percent.has_value());
  EXPECT_DOUBLE_EQ(*r.overall_success_rate_percent, 350.0 / 370 * 100);
}

TEST(FleetReport, TotalsAndFailuresByClass) {
  FleetReport r = BuildFleetReport(KnownFleet(), WithSuccessRate());
  EXPECT_EQ(r.targets, 8u);
  EXPECT_EQ(r.answered, 5u);
  EXPECT_EQ(r.failed, 3u);
  EXPECT_EQ(r.failures_of(FailureClass::kRefused), 1u);
  EXPECT_EQ(r.failures_of(FailureClass::kTimeout), 1u);
  EXPECT_EQ(r.failures_of(FailureClass::kHttp5xx), 1u);
  EXPECT_EQ(r.failures_of(FailureClass::kNone), 0u);
}

TEST(FleetReport, DownRecordWithoutClassCountsAsOther) {
  FleetReport r = BuildFleetReport({Down("x", FailureClass::kNone)}, FleetReportOptions());
  EXPECT_EQ(r.failures_of(FailureClass::kOther), 1u);
}

TEST(FleetReport, SuccessRateOffByDefault) {
  FleetReport r = BuildFleetReport(KnownFleet(), FleetReportOptions());
  EXPECT_FALSE(r.has_success_rate);
  EXPECT_TRUE(r.success.empty());
}

TEST(FleetReport, ConfigurableFieldsMatchWithoutCase) {
  FleetReportOptions o = WithSuccessRate();
  o.application_field = "Service";
  o.version_field = "Build";
  o.requests_field = "Hits";
  o.successes_field = "OK";
  o.errors_field = "Failed";
  FleetReport r = BuildFleetReport(
      {Up("a", {{"service", "Auth"}, {"build", "7"}}, {{"hits", 10}, {"ok", 9}, {"failed", 1}})},
      o);
  ASSERT_EQ(r.success.size(), 1u);
  EXPECT_EQ(r.success[0], (SuccessRateRow{{"Auth", "7"}, 1, 10, 9, 1, 90.0}));
}

TEST(FleetReport, MissingGroupFieldsReadUnknownAndNumericVersionIsText) {
  FleetReport r =
      BuildFleetReport({Up("a", {}, {{"version", 2}, {"request_count", 4}, {"success_count", 4}})},
                       WithSuccessRate());
  ASSERT_EQ(r.success.size(), 1u);
  EXPECT_EQ(r.success[0].group, (std::vector<std::string>{"unknown", "2"}));
}

TEST(FleetReport, GroupByOneField) {
  FleetReportOptions o = WithSuccessRate();
  o.group_by = {"Application"};
  FleetReport r = BuildFleetReport(KnownFleet(), o);
  EXPECT_EQ(r.group_by, (std::vector<std::string>{"application"}));
  ASSERT_EQ(r.success.size(), 2u);
  EXPECT_EQ(r.success[0], (SuccessRateRow{{"Cache2"}, 4, 370, 350, 20, 350.0 / 370 * 100}));
  EXPECT_EQ(r.success[1], (SuccessRateRow{{"Search"}, 1, 0, 0, 0, std::nullopt}));
}

TEST(FleetReport, GroupByThreeFieldsInNaturalOrder) {
  FleetReportOptions o = WithSuccessRate();
  o.group_by = {"region", "application", "version"};
  FleetReport r =
      BuildFleetReport({Up("a", {{"region", "eu"}, {"application", "X"}, {"version", "1.10"}},
                           {{"request_count", 10}, {"success_count", 10}}),
                        Up("b", {{"region", "eu"}, {"application", "X"}, {"version", "1.9"}},
                           {{"request_count", 4}, {"success_count", 3}}),
                        Up("c", {{"application", "X"}, {"version", "1.9"}},
                           {{"request_count", 2}, {"success_count", 1}})},
                       o);
  EXPECT_EQ(r.group_by, (std::vector<std::string>{"region", "application", "version"}));
  ASSERT_EQ(r.success.size(), 3u);
  EXPECT_EQ(r.success[0].group, (std::vector<std::string>{"eu", "X", "1.9"}));
  EXPECT_EQ(r.success[1].group, (std::vector<std::string>{"eu", "X", "1.10"}));
  EXPECT_EQ(r.success[2].group, (std::vector<std::string>{"unknown", "X", "1.9"}));
  EXPECT_EQ(r.success[2].success_rate_percent, 50.0);
}

TEST(FleetReport, DefaultGroupColumnsKeepTheirNamesWhateverTheFields) {
  FleetReportOptions o = WithSuccessRate();
  o.application_field = "service";
  EXPECT_EQ(BuildFleetReport({}, o).group_by, (std::vector<std::string>{"application", "version"}));
  EXPECT_TRUE(BuildFleetReport({}, FleetReportOptions()).group_by.empty());
}

TEST(FleetReportOptions, GroupByIsChecked) {
  auto with = [](std::vector<std::string> by) {
    FleetReportOptions o;
    o.group_by = std::move(by);
    return o.Validate();
  };
  EXPECT_TRUE(with({}).ok());
  EXPECT_TRUE(with({"application"}).ok());
  EXPECT_TRUE(with({"a", "b", "c", "d", "e", "f", "g", "h"}).ok());
  EXPECT_TRUE(with({"a", "b", "c", "d", "e", "f", "g", "h", "i"}).IsInvalidArgument());
  EXPECT_TRUE(with({""}).IsInvalidArgument());
  EXPECT_TRUE(with({"version", "Version"}).IsInvalidArgument());
  EXPECT_TRUE(with({"Requests"}).IsInvalidArgument());
  EXPECT_TRUE(with({"success_rate_percent"}).IsInvalidArgument());
}

TEST(FleetReport, NegativeCountsAreIgnored) {
  FleetReport r =
      BuildFleetReport({Up("a", {{"application", "X"}, {"version", "1"}},
                           {{"request_count", -5}, {"success_count", 10}, {"error_count", 0}})},
                       WithSuccessRate());
  ASSERT_EQ(r.success.size(), 1u);
  // requests derived from success + errors instead of the bogus -5.
  EXPECT_EQ(r.success[0].requests, 10);
  EXPECT_EQ(r.success[0].success_rate_percent, 100.0);
}

TEST(FleetReport, LatencyNearestRankPercentiles) {
  std::vector<TargetRecord> records;
  for (int i = 100; i >= 1; --i) records.push_back(Up("t" + std::to_string(i), {}, {}, i));
  records.push_back(Down("no-response", FailureClass::kRefused));  // No latency: not counted.
  FleetReport r = BuildFleetReport(records, FleetReportOptions());
  EXPECT_EQ(r.latency, (LatencySummary{100, 1, 50, 90, 99, 100}));
}

TEST(FleetReport, LatencyOfOneAndOfNone) {
  EXPECT_EQ(BuildFleetReport({Up("a", {}, {}, 7.5)}, {}).latency,
            (LatencySummary{1, 7.5, 7.5, 7.5, 7.5, 7.5}));
  EXPECT_EQ(BuildFleetReport({}, {}).latency, LatencySummary{});
}

struct QosCase {
  int answered;
  int targets;
  double qos;
  bool met;
};

TEST(FleetReport, QosVerdictAtAndAroundTheEdge) {
  const QosCase cases[] = {
      {99, 100, 99, true},                            // Exactly -q: met.
      {98, 100, 99, false},                           // Just below.
      {100, 100, 100, true},                          // All, when all are required.
      {99, 100, 100, false}, {199, 200, 99.5, true},  // Exactly a fractional -q.
      {0, 10, 0, true},                               // -q 0 never fails.
      {1, 3, 33.34, false},                           // 33.33...% < 33.34.
      {1, 3, 33.33, true},
  };
  for (const QosCase& c : cases) {
    std::vector<TargetRecord> records;
    for (int i = 0; i < c.targets; ++i) {
      records.push_back(i < c.answered ? Up("t", {}, {}) : Down("t", FailureClass::kTimeout));
    }
    FleetReport r = BuildFleetReport(records, WithSuccessRate(c.qos));
    EXPECT_EQ(r.qos.met, c.met) << c.answered << "/" << c.targets << " at " << c.qos;
    EXPECT_EQ(r.qos.required_percent, c.qos);
  }
}

TEST(FleetReport, QosMessages) {
  std::vector<TargetRecord> records = KnownFleet();
  EXPECT_EQ(BuildFleetReport(records, WithSuccessRate(99)).qos.message,
            "QoS not met: 5 of 8 targets answered (62.50%), below the required 99%");
  EXPECT_EQ(BuildFleetReport(records, WithSuccessRate(62.5)).qos.message,
            "QoS met: 5 of 8 targets answered (62.50%), required 62.5%");
  EXPECT_EQ(BuildFleetReport({}, WithSuccessRate(99)).qos.message, "QoS not met: no targets");
  EXPECT_TRUE(BuildFleetReport({}, WithSuccessRate(0)).qos.met);
}

TEST(FleetReport, QosMessageNeverRoundsUpToTheLevel) {
  // 98.996 % answered: "{:.2f}" would print 99.00 next to "below the required 99%".
  std::vector<TargetRecord> records;
  for (int i = 0; i < 100000; ++i) {
    records.push_back(i < 98996 ? Up("t", {}, {}) : Down("t", FailureClass::kTimeout));
  }
  EXPECT_EQ(BuildFleetReport(records, WithSuccessRate(99)).qos.message,
            "QoS not met: 98996 of 100000 targets answered (98.99%), below the required 99%");
}

TEST(FleetReport, AggregatorReportsIncrementally) {
  FleetAggregator agg(WithSuccessRate());
  agg.Add(KnownFleet()[0]);
  EXPECT_EQ(agg.Report().targets, 1u);
  agg.Add(KnownFleet()[5]);
  FleetReport r = agg.Report();
  EXPECT_EQ(r.targets, 2u);
  EXPECT_EQ(r.answered, 1u);
}

TEST(FleetReportOptions, ValidateChecksEachField) {
  EXPECT_TRUE(FleetReportOptions().Validate().ok());
  FleetReportOptions o;
  o.qos_percent = 100.5;
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
  o.qos_percent = -1;
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
  o.qos_percent = std::nan("");
  EXPECT_TRUE(o.Validate().IsInvalidArgument());
  for (std::string FleetReportOptions::*field :
       {&FleetReportOptions::application_field, &FleetReportOptions::version_field,
        &FleetReportOptions::requests_field, &FleetReportOptions::successes_field,
        &FleetReportOptions::errors_field}) {
    FleetReportOptions bad;
    bad.*field = "";
    EXPECT_TRUE(bad.Validate().IsInvalidArgument());
  }
}

TEST(NaturalLess, OrdersDigitRunsByValue) {
  EXPECT_TRUE(NaturalLess("1.0.9", "1.0.10"));
  EXPECT_FALSE(NaturalLess("1.0.10", "1.0.9"));
  EXPECT_TRUE(NaturalLess("a2", "a10"));
  EXPECT_TRUE(NaturalLess("Cache2", "Search"));
  EXPECT_TRUE(NaturalLess("1.0", "1.0.1"));
  EXPECT_FALSE(NaturalLess("x", "x"));
  // Equal by value, still a strict order.
  EXPECT_NE(NaturalLess("01", "1"), NaturalLess("1", "01"));
}

TEST(FailureClass, NamesRoundTrip) {
  for (int i = 0; i < kFailureClassCount; ++i) {
    FailureClass c = static_cast<FailureClass>(i);
    FailureClass back;
    ASSERT_TRUE(ParseFailureClass(FailureClassName(c), &back));
    EXPECT_EQ(back, c);
    ASSERT_TRUE(FailureClassFromCode(i, &back));
    EXPECT_EQ(back, c);
  }
  FailureClass c;
  EXPECT_FALSE(ParseFailureClass("bogus", &c));
  EXPECT_FALSE(FailureClassFromCode(kFailureClassCount, &c));
  EXPECT_FALSE(FailureClassFromCode(-1, &c));
  EXPECT_STREQ(FailureClassName(FailureClass::kHttp5xx), "http_5xx");
  EXPECT_STREQ(FailureClassName(FailureClass::kBodyTooLarge), "body_too_large");
}

}  // namespace
}  // namespace sonde::fleet

// The report formats byte for byte (docs/poller.md, "Report files").
#include "sonde/fleet_render.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sonde::fleet {
namespace {

std::vector<TargetRecord> Fleet() {
  TargetRecord up;
  up.target = "10.0.0.1:8080";
  up.up = true;
  up.http_status = 200;
  up.latency_ms = 1.5;
  up.attempts = 1;
  up.strings = {{"application", "Cache2"}, {"version", "1.0.1"}};
  up.numbers = {{"request_count", 100}, {"success_count", 97}, {"error_count", 3}};
  TargetRecord refused;
  refused.target = "10.0.0.2";
  refused.failure = FailureClass::kRefused;
  refused.attempts = 4;
  refused.error = "Connection refused";
  TargetRecord err;
  err.target = "10.0.0.3:80";
  err.failure = FailureClass::kHttp5xx;
  err.http_status = 500;
  err.latency_ms = 2.25;
  err.attempts = 4;
  err.error = "HTTP 500, \"oops\"";
  return {up, refused, err};
}

FleetReportOptions Options() {
  FleetReportOptions o;
  o.success_rate = true;
  o.qos_percent = 50;
  return o;
}

TEST(FleetRender, Json) {
  const auto records = Fleet();
  const std::string json = RenderJson(BuildFleetReport(records, Options()), records, 1700000000000);
  EXPECT_EQ(json, R"({
  "generated_ms": 1700000000000,
  "totals": {
    "targets": 3,
    "answered": 1,
    "failed": 2,
    "answered_percent": 33.33
  },
  "qos": {
    "required_percent": 50,
    "answered_percent": 33.33,
    "met": false,
    "message": "QoS not met: 1 of 3 targets answered (33.33%), below the required 50%"
  },
  "failures": {
    "refused": 1,
    "dns": 0,
    "timeout": 0,
    "http_4xx": 0,
    "http_5xx": 1,
    "invalid_json": 0,
    "body_too_large": 0,
    "tls": 0,
    "other": 0
  },
  "latency_ms": {
    "count": 2,
    "min": 1.5,
    "p50": 1.5,
    "p90": 2.25,
    "p99": 2.25,
    "max": 2.25
  },
  "success_rate": {
    "overall_percent": 97,
    "groups": [
      {
        "application": "Cache2",
        "version": "1.0.1",
        "targets": 1,
        "requests": 100,
        "successes": 97,
        "errors": 3,
        "success_rate_percent": 97
      }
    ]
  },
  "targets": [
    {
      "target": "10.0.0.1:8080",
      "up": true,
      "failure": "none",
      "http_status": 200,
      "latency_ms": 1.5,
      "attempts": 1,
      "error": "",
      "fields": {
        "error_count": 3,
        "request_count": 100,
        "success_count": 97
      },
      "tags": {
        "application": "Cache2",
        "version": "1.0.1"
      }
    },
    {
      "target": "10.0.0.2",
      "up": false,
      "failure": "refused",
      "http_status": 0,
      "latency_ms": null,
      "attempts": 4,
      "error": "Connection refused",
      "fields": {},
      "tags": {}
    },
    {
      "target": "10.0.0.3:80",
      "up": false,
      "failure": "http_5xx",
      "http_status": 500,
      "latency_ms": 2.25,
      "attempts": 4,
      "error": "HTTP 500, \"oops\"",
      "fields": {},
      "tags": {}
    }
  ]
}
)");
}

TEST(FleetRender, JsonWithoutSuccessRateOrTargetsOrTime) {
  FleetReportOptions o;
  const std::string json = RenderJson(BuildFleetReport({}, o), {}, 0);
  auto doc = nlohmann::json::parse(json);
  EXPECT_FALSE(doc.contains("generated_ms"));
  EXPECT_FALSE(doc.contains("success_rate"));
  EXPECT_TRUE(doc["targets"].empty());
  EXPECT_EQ(doc["qos"]["met"], false);
}

// Every target refused: no latency was measured, so none is shown as 0 ms.
TEST(FleetRender, NoAnswerMeansNoLatencyNotZero) {
  TargetRecord refused;
  refused.target = "10.0.0.2";
  refused.failure = FailureClass::kRefused;
  refused.attempts = 1;
  const std::vector<TargetRecord> fleet = {refused};
  const FleetReport report = BuildFleetReport(fleet, Options());
  auto doc = nlohmann::json::parse(RenderJson(report, fleet, 0));
  EXPECT_EQ(doc["latency_ms"]["count"], 0);
  for (const char* k : {"min", "p50", "p90", "p99", "max"}) EXPECT_TRUE(doc["latency_ms"][k].is_null()) << k;
  const std::string csv = RenderSummaryCsv(report);
  EXPECT_NE(csv.find("latency_ms.count,0\nlatency_ms.min,\nlatency_ms.p50,\n"), std::string::npos)
      << csv;
  const std::string table = RenderTable(report, fleet, {});
  EXPECT_NE(table.find("Latency ms  - (no target answered)\n"), std::string::npos) << table;
}

TEST(FleetRender, JsonReplacesInvalidUtf8) {
  TargetRecord r;
  r.target = "a";
  r.up = true;
  r.strings = {{"service", std::string("bad\xff\xfe")}};
  const std::vector<TargetRecord> records = {r};
  const std::string json = RenderJson(BuildFleetReport(records, {}), records, 0);
  auto doc = nlohmann::json::parse(json);  // Would throw on invalid UTF-8.
  EXPECT_EQ(doc["targets"][0]["tags"]["service"], "bad\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(FleetRender, TargetsCsv) {
  EXPECT_EQ(RenderTargetsCsv(Fleet(), Options()),
            "target,up,failure,http_status,latency_ms,attempts,application,version,requests,"
            "successes,errors,error\n"
            "10.0.0.1:8080,1,none,200,1.5,1,Cache2,1.0.1,100,97,3,\n"
            "10.0.0.2,0,refused,,,4,,,,,,Connection refused\n"
            "10.0.0.3:80,0,http_5xx,500,2.25,4,,,,,,\"HTTP 500, \"\"oops\"\"\"\n");
}

TEST(FleetRender, SuccessRateCsv) {
  EXPECT_EQ(RenderSuccessRateCsv(BuildFleetReport(Fleet(), Options())),
            "application,version,targets,requests,successes,errors,success_rate_percent\n"
            "Cache2,1.0.1,1,100,97,3,97.00\n");
}

TEST(FleetRender, SuccessRatesKeepTwoDecimalsInCsv) {
  TargetRecord r = Fleet()[0];
  r.numbers = {{"request_count", 3}, {"success_count", 2}};
  const FleetReport report = BuildFleetReport({r}, Options());
  EXPECT_EQ(RenderSuccessRateCsv(report),
            "application,version,targets,requests,successes,errors,success_rate_percent\n"
            "Cache2,1.0.1,1,3,2,1,66.67\n");
  EXPECT_NE(RenderSummaryCsv(report).find("\nsuccess_rate_percent,66.67\n"), std::string::npos);
}

TEST(FleetRender, GroupByNamesTheColumnsEverywhere) {
  FleetReportOptions o = Options();
  o.group_by = {"Application"};
  const auto records = Fleet();
  const FleetReport report = BuildFleetReport(records, o);
  EXPECT_EQ(RenderSuccessRateCsv(report),
            "application,targets,requests,successes,errors,success_rate_percent\n"
            "Cache2,1,100,97,3,97.00\n");
  const nlohmann::json doc = nlohmann::json::parse(RenderJson(report, {}, 0));
  EXPECT_EQ(doc["success_rate"]["groups"][0], (nlohmann::json{{"application", "Cache2"},
                                                              {"targets", 1},
                                                              {"requests", 100},
                                                              {"successes", 97},
                                                              {"errors", 3},
                                                              {"success_rate_percent", 97}}));
  EXPECT_NE(RenderTable(report, records, {})
                .find("Application  Targets  Requests  Successes  Errors  Success rate\n"
                      "Cache2             1       100         97       3        97.00%\n"),
            std::string::npos);
}

TEST(FleetRender, SummaryCsv) {
  EXPECT_EQ(RenderSummaryCsv(BuildFleetReport(Fleet(), Options())),
            "key,value\n"
            "targets,3\n"
            "answered,1\n"
            "failed,2\n"
            "answered_percent,33.33\n"
            "qos_required_percent,50\n"
            "qos_met,0\n"
            "failures.refused,1\n"
            "failures.dns,0\n"
            "failures.timeout,0\n"
            "failures.http_4xx,0\n"
            "failures.http_5xx,1\n"
            "failures.invalid_json,0\n"
            "failures.body_too_large,0\n"
            "failures.tls,0\n"
            "failures.other,0\n"
            "latency_ms.count,2\n"
            "latency_ms.min,1.5\n"
            "latency_ms.p50,1.5\n"
            "latency_ms.p90,2.25\n"
            "latency_ms.p99,2.25\n"
            "latency_ms.max,2.25\n"
            "success_rate_percent,97.00\n");
}

TEST(FleetRender, Table) {
  const auto records = Fleet();
  TableOptions t;
  t.list_failed = 10;
  EXPECT_EQ(RenderTable(BuildFleetReport(records, Options()), records, t),
            "Targets     3\n"
            "Answered    1 (33.33%)\n"
            "Failed      2 (refused 1, http_5xx 1)\n"
            "Latency ms  min 1.5  p50 1.5  p90 2.25  p99 2.25  max 2.25  (n=2)\n"
            "QoS not met: 1 of 3 targets answered (33.33%), below the required 50%\n"
            "\n"
            "Application  Version  Targets  Requests  Successes  Errors  Success rate\n"
            "Cache2       1.0.1          1       100         97       3        97.00%\n"
            "Overall success rate: 97.00%\n"
            "\n"
            "Failed targets:\n"
            "Target       Failure   HTTP  Error\n"
            "10.0.0.2     refused      -  Connection refused\n"
            "10.0.0.3:80  http_5xx   500  HTTP 500, \"oops\"\n");
}

TEST(FleetRender, TableListsAtMostTheLimitAndColoursOnlyWhenAsked) {
  const auto records = Fleet();
  TableOptions t;
  t.list_failed = 1;
  const std::string plain = RenderTable(BuildFleetReport(records, Options()), records, t);
  EXPECT_NE(plain.find("Failed targets (first 1 of 2):"), std::string::npos);
  EXPECT_EQ(plain.find("10.0.0.3:80"), std::string::npos);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  t.color = true;
  const std::string coloured = RenderTable(BuildFleetReport(records, Options()), records, t);
  EXPECT_NE(coloured.find("\033[1;31mQoS not met"), std::string::npos);
}

TEST(FleetRender, TableNeutralizesControlCharactersFromPages) {
  TargetRecord r;
  r.target = "a";
  r.up = true;
  r.strings = {{"application", "evil\033[2Japp"}, {"version", "1"}};
  const std::vector<TargetRecord> records = {r};
  const std::string table = RenderTable(BuildFleetReport(records, Options()), records, {});
  EXPECT_EQ(table.find('\033'), std::string::npos);
  EXPECT_NE(table.find("evil?[2Japp"), std::string::npos);
}

}  // namespace
}  // namespace sonde::fleet

// The JSON of the HTTP API: every type round-trips through to_json and the
// Parse* functions, NaN statistics become null and back, and damaged
// documents give Corruption instead of an exception.
#include "sonde/api_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sonde::api {
namespace {

LatestState MakeLatest() {
  LatestState s;
  s.id = 0x9f86d081884c7d65ULL;
  s.key = SeriesKey::Make("web-01", "cpu", {{"dc", "eu"}, {"core", "0"}}).value();
  s.kind = MetricKind::kCounter;
  s.value = 4.5;
  s.timestamp_ms = 1704067200123;
  return s;
}

TEST(ApiJson, LatestStateHasTheDocumentedShape) {
  nlohmann::json j = MakeLatest();
  EXPECT_EQ(j, nlohmann::json::parse(R"({"id":"9f86d081884c7d65","host":"web-01","name":"cpu",
      "tags":{"core":"0","dc":"eu"},"kind":"counter","value":4.5,"timestamp_ms":1704067200123})"));
  EXPECT_EQ(j.get<LatestState>(), MakeLatest());
}

TEST(ApiJson, ResponsesRoundTrip) {
  HostsResponse hosts{{HostInfo{"a", 1, 2}, HostInfo{"b", 3, 4}}};
  auto h = ParseHostsResponse(ToJsonText(hosts));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->hosts, hosts.hosts);

  SeriesResponse series{"web-01", {MakeLatest()}};
  auto s = ParseSeriesResponse(ToJsonText(series));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->host, "web-01");
  EXPECT_EQ(s->series, series.series);

  RollupWindow w(MetricKind::kGauge, Resolution::kMinute, 1704067200000);
  w.Add(2, 1704067201000);
  w.Add(4, 1704067202000);
  RollupsResponse rollups;
  rollups.host = "web-01";
  rollups.label = "cp";
  rollups.resolution = Resolution::kHour;
  rollups.from_ms = 5;
  rollups.to_ms = 6;
  rollups.series.push_back(SeriesWindows{MakeLatest(), {StatsOf(w)}});
  auto r = ParseRollupsResponse(ToJsonText(rollups));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->resolution, Resolution::kHour);
  EXPECT_EQ(r->label, "cp");
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].series, MakeLatest());
  const WindowStats& ws = r->series[0].windows[0];
  EXPECT_EQ(ws, StatsOf(w));
  EXPECT_EQ(ws.count, 2u);
  EXPECT_EQ(ws.avg, 3);
  EXPECT_EQ(ws.end_ms, 1704067260000);
  EXPECT_DOUBLE_EQ(ws.rate, 6.0 / 60);

  LatestResponse latest{{MakeLatest()}};
  auto l = ParseLatestResponse(ToJsonText(latest));
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->latest, latest.latest);
  auto e = ParseErrorResponse(ToJsonText(ErrorResponse{"unknown host 'x'"}));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->error, "unknown host 'x'");
}

TEST(ApiJson, MissingStatisticsAreNull) {
  WindowStats w;
  w.avg = std::numeric_limits<double>::quiet_NaN();
  nlohmann::json j = w;
  EXPECT_TRUE(j["avg"].is_null());
  WindowStats back = j.get<WindowStats>();
  EXPECT_TRUE(std::isnan(back.avg));
}

TEST(ApiJson, DamagedDocumentsAreCorruptionNotExceptions) {
  for (const char* body : {"", "not json", "[]", R"({"hosts": 3})", R"({"hosts": [{"host": 1}]})",
                           R"({"latest": [{"id": "zz", "host": "h", "name": "n", "tags": {},
                               "kind": "gauge", "value": 1, "timestamp_ms": 1}]})",
                           R"({"latest": [{"id": "1", "host": "", "name": "n", "tags": {},
                               "kind": "gauge", "value": 1, "timestamp_ms": 1}]})",
                           R"({"latest": [{"id": "1", "host": "h", "name": "n", "tags": {},
                               "kind": "weird", "value": 1, "timestamp_ms": 1}]})"}) {
    auto h = ParseHostsResponse(body);
    auto l = ParseLatestResponse(body);
    EXPECT_FALSE(h.has_value() && l.has_value()) << body;
    if (!l.has_value()) {
      EXPECT_TRUE(l.error().IsCorruption()) << body;
    }
  }
  EXPECT_FALSE(ParseRollupsResponse(R"({"host":"h","label":"","resolution":"week",
      "from_ms":0,"to_ms":1,"series":[]})")
                   .has_value());
}

TEST(ApiJson, SeriesIdsAreSixteenHexDigits) {
  EXPECT_EQ(FormatSeriesId(1), "0000000000000001");
  SeriesId id = 0;
  EXPECT_TRUE(ParseSeriesId("9F86d081884c7d65", &id));
  EXPECT_EQ(id, 0x9f86d081884c7d65ULL);
  EXPECT_FALSE(ParseSeriesId("", &id));
  EXPECT_FALSE(ParseSeriesId("12345678901234567", &id));
  EXPECT_FALSE(ParseSeriesId("12g", &id));
}

}  // namespace
}  // namespace sonde::api

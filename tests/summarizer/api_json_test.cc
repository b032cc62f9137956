// The JSON of the HTTP API: every type round-trips through to_json and the
// Parse* functions, NaN statistics become null and back, and damaged
// documents give Corruption instead of an exception.
#include "sonde/api_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace sonde::api {
namespace {

// When the tests below read their windows: only an open window's rate
// depends on it, and the windows here are closed unless a test says so.
constexpr int64_t kReadAt = 1704153600000;  // 2024-01-02T00:00:00Z.

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
  rollups.series.push_back(ServeWindows(MakeLatest(), {&w, 1}, kReadAt));
  auto r = ParseRollupsResponse(ToJsonText(rollups));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->resolution, Resolution::kHour);
  EXPECT_EQ(r->label, "cp");
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].series, MakeLatest());
  const WindowStats& ws = r->series[0].windows[0];
  EXPECT_EQ(ws, StatsOf(w, kReadAt));
  EXPECT_EQ(ws.count, 2u);
  EXPECT_EQ(ws.avg, 3);
  EXPECT_EQ(ws.end_ms, 1704067260000);
  EXPECT_DOUBLE_EQ(ws.rate, 6.0 / 60);
  const RangeSummary& sum = r->series[0].summary;
  EXPECT_EQ(sum.windows, 1u);
  EXPECT_EQ(sum.count, 2u);
  EXPECT_EQ(sum.sum, 6);
  EXPECT_EQ(sum.min, 2);
  EXPECT_EQ(sum.max, 4);
  EXPECT_EQ(sum.p99, w.Quantile(0.99));  // One window: its own quantiles.
  EXPECT_EQ(sum.start_ms, 1704067200000);
  EXPECT_EQ(sum.end_ms, 1704067260000);

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

// Windows of one series, minute by minute from `start_ms`, each holding
// the given values.
std::vector<RollupWindow> Minutes(MetricKind kind, int64_t start_ms,
                                  const std::vector<std::vector<double>>& values) {
  std::vector<RollupWindow> out;
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t start = start_ms + static_cast<int64_t>(i) * 60000;
    RollupWindow& w = out.emplace_back(kind, Resolution::kMinute, start);
    for (double v : values[i]) w.Add(v, start + 1000);
  }
  return out;
}

void ExpectWithinSketchError(double actual, double exact) {
  EXPECT_NEAR(actual, exact, QuantileSketch::kRelativeAccuracy * std::abs(exact))
      << "exact " << exact;
}

TEST(RangeSummary, QuantilesComeFromTheMergedSketchNotTheWorstWindow) {
  // 1..99 in one minute, 1000 alone in the next: the range's p99 is 99 (the
  // element of nearest rank ceil(0.99 * 100) = 99 of the 100 values); the
  // highest window p99 would say 1000.
  std::vector<double> many;
  for (int v = 1; v <= 99; ++v) many.push_back(v);
  const std::vector<RollupWindow> windows =
      Minutes(MetricKind::kGauge, 1704067200000, {many, {1000}});
  ASSERT_EQ(windows[1].Quantile(0.99), 1000);
  const RangeSummary s = SummaryOf(windows, kReadAt);
  EXPECT_EQ(s.windows, 2u);
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.sum, 5950);
  EXPECT_EQ(s.avg, 59.5);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 1000);
  ExpectWithinSketchError(s.p50, 50);
  ExpectWithinSketchError(s.p90, 90);
  ExpectWithinSketchError(s.p99, 99);
  EXPECT_EQ(s.start_ms, 1704067200000);
  EXPECT_EQ(s.end_ms, 1704067320000);
  EXPECT_DOUBLE_EQ(s.rate, 5950.0 / 120);
}

TEST(RangeSummary, SkipsEmptyWindowsAndClampsToTheRange) {
  // A counter: increments 60 and 240 around an empty minute. A single
  // value reads back exactly (quantiles are clamped to [min, max]).
  const std::vector<RollupWindow> windows =
      Minutes(MetricKind::kCounter, 1704067200000, {{60}, {}, {240}});
  const RangeSummary s = SummaryOf(windows, kReadAt);
  EXPECT_EQ(s.windows, 3u);
  EXPECT_EQ(s.count, 2u);
  EXPECT_EQ(s.min, 60);  // The empty window's 0 does not count.
  EXPECT_EQ(s.max, 240);
  // Two values, nearest rank: p50 is the first (rank ceil(0.5 * 2) = 1),
  // p90 and p99 the second (rank 2). Rank floor(q * (n - 1)) said 60 for all.
  ExpectWithinSketchError(s.p50, 60);
  ExpectWithinSketchError(s.p90, 240);
  ExpectWithinSketchError(s.p99, 240);
  EXPECT_EQ(s.rate, 300.0 / 180);  // Over the three minutes.
  const RangeSummary one = SummaryOf(Minutes(MetricKind::kGauge, 0, {{0.25}}), kReadAt);
  EXPECT_EQ(one.p50, 0.25);
  EXPECT_EQ(one.p90, 0.25);
  EXPECT_EQ(one.p99, 0.25);
}

// Counter increments of 10 a second from `start_ms` for `seconds` seconds,
// in one window of `res`.
RollupWindow SteadyCounter(Resolution res, int64_t start_ms, int seconds, bool open) {
  RollupWindow w(MetricKind::kCounter, res, start_ms);
  for (int i = 0; i < seconds; ++i) w.Add(10, start_ms + i * 1000);
  w.set_open(open);
  return w;
}

TEST(ServedRate, AnOpenWindowDividesByTheTimeItHasCovered) {
  constexpr int64_t kHour = 1704067200000;
  // 20 s into the minute and 20 min into the hour: a steady 10/s reads 10/s.
  const RollupWindow minute = SteadyCounter(Resolution::kMinute, kHour + 1200000, 20, true);
  EXPECT_EQ(StatsOf(minute, kHour + 1220000).rate, 10);
  const RollupWindow hour = SteadyCounter(Resolution::kHour, kHour, 1220, true);
  EXPECT_EQ(StatsOf(hour, kHour + 1220000).rate, 10);
  // Closed, the same samples spread over the whole window.
  RollupWindow closed = minute;
  closed.set_open(false);
  EXPECT_DOUBLE_EQ(StatsOf(closed, kHour + 1220000).rate, 200.0 / 60);
  closed = hour;
  closed.set_open(false);
  EXPECT_DOUBLE_EQ(StatsOf(closed, kHour + 1220000).rate, 12200.0 / 3600);
  // Read at its very start: ten seconds (the interval its first increment
  // may stand for), not a division by zero or a tenfold spike.
  const RollupWindow fresh = SteadyCounter(Resolution::kMinute, kHour, 1, true);
  EXPECT_EQ(StatsOf(fresh, kHour).rate, 1);
  const RollupWindow fresh_hour = SteadyCounter(Resolution::kHour, kHour, 1, true);
  EXPECT_EQ(StatsOf(fresh_hour, kHour).rate, 1);
}

TEST(RangeSummary, AnOpenLastWindowCountsUpToNow) {
  constexpr int64_t kStart = 1704067200000;
  // A closed minute then the current one, 30 s in: 600 + 300 over 90 s.
  std::vector<RollupWindow> windows = {
      SteadyCounter(Resolution::kMinute, kStart, 60, false),
      SteadyCounter(Resolution::kMinute, kStart + 60000, 30, true)};
  RangeSummary s = SummaryOf(windows, kStart + 90000);
  EXPECT_EQ(s.rate, 10);
  EXPECT_EQ(s.end_ms, kStart + 120000);  // The span shown is still whole windows.
  // Read by a clock at the current minute's start, behind its samples: up
  // to its newest sample (29 s in), 89 s in all.
  EXPECT_DOUBLE_EQ(SummaryOf(windows, kStart + 60000).rate, 900.0 / 89);
  // Closed: the whole two minutes.
  windows[1].set_open(false);
  EXPECT_DOUBLE_EQ(SummaryOf(windows, kStart + 90000).rate, 900.0 / 120);
  // Hours alike: an hour closed, the current one 15 min in.
  const std::vector<RollupWindow> hours = {
      SteadyCounter(Resolution::kHour, kStart, 3600, false),
      SteadyCounter(Resolution::kHour, kStart + 3600000, 900, true)};
  EXPECT_EQ(SummaryOf(hours, kStart + 4500000).rate, 10);
}

TEST(RangeSummary, NothingGivesNullStatistics) {
  for (const RangeSummary& s :
       {SummaryOf({}, kReadAt), SummaryOf(Minutes(MetricKind::kGauge, 0, {{}, {}}), kReadAt)}) {
    EXPECT_EQ(s.count, 0u);
    EXPECT_TRUE(std::isnan(s.avg));
    EXPECT_TRUE(std::isnan(s.p99));
    EXPECT_TRUE(std::isnan(s.rate));
    const nlohmann::json j = s;
    EXPECT_TRUE(j["p99"].is_null());
    EXPECT_TRUE(j["min"].is_null());
    const RangeSummary back = j.get<RangeSummary>();
    EXPECT_TRUE(std::isnan(back.p50));
    EXPECT_EQ(back.windows, s.windows);
  }
}

TEST(RangeSummary, HasTheDocumentedShape) {
  const RangeSummary s = SummaryOf(Minutes(MetricKind::kGauge, 1704067200000, {{2, 4}}), kReadAt);
  const nlohmann::json j = s;
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"windows", "count", "sum", "avg", "min", "max", "p50",
                                         "p90", "p99", "rate", "start_ms", "end_ms"}));
  EXPECT_EQ(j["avg"], 3.0);
  EXPECT_EQ(j["end_ms"], 1704067260000);
  // A rollups document without summaries is not this API's.
  EXPECT_FALSE(ParseRollupsResponse(R"({"host":"h","label":"","resolution":"minute",
      "from_ms":0,"to_ms":1,"series":[{"series":{"id":"1","host":"h","name":"n","tags":{},
      "kind":"gauge","value":1,"timestamp_ms":1},"windows":[]}]})")
                   .has_value());
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

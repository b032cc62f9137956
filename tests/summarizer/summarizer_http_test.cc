// Every HTTP route of an in-process Summarizer (real loopback socket, real
// LMDB in a temp dir, FakeClock for the sample windows): liz's exact JSON
// shape, liz's POST ingest and its errors, the /api/v1 JSON API parsed with
// api_json.h, /metrics, /healthz, and the errors of each route.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "sonde/api_json.h"
#include "sonde/clock.h"
#include "sonde/rollup_window.h"
#include "summarizer_test_util.h"

namespace sonde::summarizer {
namespace {

using nlohmann::json;
using testing::HttpCall;
using testing::HttpResult;

constexpr int64_t kHour0 = 1704067200000;              // 2024-01-01T00:00:00Z
constexpr int64_t kNow = kHour0 + 10 * 60000 + 30000;  // 00:10:30
constexpr int64_t kMinute = kHour0 + 10 * 60000;       // The minute of kNow.

std::set<std::string> Keys(const json& j) {
  std::set<std::string> k;
  for (const auto& [key, v] : j.items()) k.insert(key);
  return k;
}

class SummarizerHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    SummarizerOptions o;
    o.data_dir = dir_.path() + "/db";
    o.from = {"tcp://127.0.0.1:" + std::to_string(testing::FreePort())};
    o.http = "127.0.0.1:0";
    o.flush_interval = std::chrono::milliseconds(20);
    o.clock = &clock_;
    s_ = std::make_unique<testing::RunningSummarizer>(o);
    ASSERT_TRUE(s_->ok());
    port_ = s_->port();
    ASSERT_NE(port_, 0);
  }

  HttpResult Get(const std::string& target) { return HttpCall(port_, "GET", target); }
  HttpResult Post(const std::string& target, const std::string& body) {
    return HttpCall(port_, "POST", target, body);
  }
  // Posts liz-style and waits until the store shows `count` samples of
  // `label` in the current minute.
  void PostAndWait(const std::string& host, int64_t epoch_ms, const std::string& body) {
    HttpResult r = Post("/api/perf/" + host + "/" + std::to_string(epoch_ms / 1000), body);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Waits until the store holds every sample accepted so far.
  void WaitForFlush() {
    const uint64_t samples = (*s_)->counters().samples;
    ASSERT_TRUE(sonde::testing::WaitFor([&] { return Flushed(samples); }));
  }
  bool Flushed(uint64_t samples) {
    uint64_t total = 0;
    for (const std::string host : {"web-01", "web-02"}) {
      auto rr = api::ParseRollupsResponse(Get("/api/v1/rollups?host=" + host).body);
      if (!rr.has_value()) continue;
      for (const auto& s : rr->series) {
        for (const auto& w : s.windows) total += w.count;
      }
    }
    return total == samples;
  }
  void Feed() {
    PostAndWait("web-01", kNow - 20000, R"({"cpu": 4, "mem": 50})");
    PostAndWait("web-01", kNow - 10000, R"({"cpu": 6, "mem": 70})");
    PostAndWait("web-02", kNow - 5000, R"({"cpu": 1})");
    WaitForFlush();
  }

  sonde::testing::TempDir dir_;
  FakeClock clock_{kNow};
  std::unique_ptr<testing::RunningSummarizer> s_;
  uint16_t port_ = 0;
};

TEST_F(SummarizerHttp, LizPerfHasLizsExactShapeAndValues) {
  Feed();
  HttpResult r = Get("/api/perf/web-01/by-minute:cpu");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  json j = json::parse(r.body);
  ASSERT_EQ(Keys(j), std::set<std::string>{"summary:by-minute:cpu"});
  const json& sum = j["summary:by-minute:cpu"];
  EXPECT_EQ(Keys(sum), (std::set<std::string>{"averages", "start", "end", "timeslice-size-sec",
                                              "average-count"}));
  EXPECT_EQ(sum["start"].get<int64_t>(), WindowStart(kNow - 3600000, Resolution::kMinute) / 1000);
  EXPECT_EQ(sum["end"].get<int64_t>(), kNow / 1000);
  EXPECT_EQ(sum["timeslice-size-sec"].get<int64_t>(), 60);
  EXPECT_TRUE(sum["start"].is_number_integer());
  EXPECT_TRUE(sum["end"].is_number_integer());
  ASSERT_EQ(sum["average-count"].get<int>(), 1);
  ASSERT_EQ(sum["averages"].size(), 1u);
  const json& a = sum["averages"][0];
  EXPECT_EQ(Keys(a), (std::set<std::string>{"start-sec", "end-sec", "avg", "num-samples",
                                            "interval-size-sec", "min", "max", "sum", "last",
                                            "rate", "p50", "p90", "p99"}));
  EXPECT_EQ(a["start-sec"].get<int64_t>(), kMinute / 1000);
  EXPECT_EQ(a["end-sec"].get<int64_t>(), kMinute / 1000 + 60);
  EXPECT_TRUE(a["start-sec"].is_number_integer());
  EXPECT_TRUE(a["num-samples"].is_number_integer());
  EXPECT_EQ(a["interval-size-sec"].get<int>(), 60);
  EXPECT_DOUBLE_EQ(a["avg"].get<double>(), 5);
  EXPECT_EQ(a["num-samples"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(a["min"].get<double>(), 4);
  EXPECT_DOUBLE_EQ(a["max"].get<double>(), 6);
  EXPECT_DOUBLE_EQ(a["sum"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(a["last"].get<double>(), 6);
  // The minute is open, 30 s old at kNow: the rate is over those 30 s.
  EXPECT_DOUBLE_EQ(a["rate"].get<double>(), 10.0 / 30);
  // Nearest rank ceil(q * n) of {4, 6}: the first for q <= 0.5, else the
  // second.
  EXPECT_NEAR(a["p50"].get<double>(), 4, 4 * 0.02);
  EXPECT_NEAR(a["p90"].get<double>(), 6, 6 * 0.02);
  EXPECT_NEAR(a["p99"].get<double>(), 6, 6 * 0.02);

  // The hour: the merge of its minutes (here the open one, overlaid).
  r = Get("/api/perf/web-01/by-hour:cpu");
  ASSERT_EQ(r.status, 200);
  j = json::parse(r.body);
  ASSERT_EQ(Keys(j), std::set<std::string>{"summary:by-hour:cpu"});
  const json& hour = j["summary:by-hour:cpu"];
  EXPECT_EQ(hour["timeslice-size-sec"].get<int>(), 3600);
  EXPECT_EQ(hour["start"].get<int64_t>(), WindowStart(kNow - 86400000, Resolution::kHour) / 1000);
  ASSERT_EQ(hour["average-count"].get<int>(), 1);
  EXPECT_EQ(hour["averages"][0]["start-sec"].get<int64_t>(), kHour0 / 1000);
  EXPECT_EQ(hour["averages"][0]["interval-size-sec"].get<int>(), 3600);
  EXPECT_EQ(hour["averages"][0]["num-samples"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(hour["averages"][0]["avg"].get<double>(), 5);
}

TEST_F(SummarizerHttp, LizLabelIsACaseInsensitiveSubstringOfTheKey) {
  Feed();
  json all = json::parse(Get("/api/perf/web-01").body);
  EXPECT_EQ(Keys(all), (std::set<std::string>{"summary:by-minute:cpu", "summary:by-minute:mem",
                                              "summary:by-hour:cpu", "summary:by-hour:mem"}));
  EXPECT_EQ(Keys(json::parse(Get("/api/perf/web-01/BY-MINUTE").body)),
            (std::set<std::string>{"summary:by-minute:cpu", "summary:by-minute:mem"}));
  EXPECT_EQ(Keys(json::parse(Get("/api/perf/web-01/Mem").body)),
            (std::set<std::string>{"summary:by-minute:mem", "summary:by-hour:mem"}));
  EXPECT_EQ(Keys(json::parse(Get("/api/perf/web-01/summary:by-hour:cpu").body)),
            std::set<std::string>{"summary:by-hour:cpu"});
  HttpResult none = Get("/api/perf/web-01/disk");
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "{}");
}

TEST_F(SummarizerHttp, LizPostErrorsAre400WithAJsonError) {
  const std::string at = "/api/perf/web-01/" + std::to_string(kNow / 1000);
  struct Case {
    std::string target;
    std::string body;
  };
  const Case cases[] = {
      {at, R"({"cpu": "4.9"})"},
      {at, R"({"cpu": true})"},
      {at, R"({"cpu": null})"},
      {at, R"({"cpu": [1]})"},
      {at, R"({"cpu": {"a": 1}})"},
      {at, R"([1, 2])"},
      {at, R"(4.9)"},
      {at, R"({"cpu": 4.9)"},
      {at, R"({})"},
      {at, ""},
      {at, R"({"": 1})"},
      {"/api/perf/web-01/soon", R"({"cpu": 1})"},
      {"/api/perf/web-01/12", R"({"cpu": 1})"},  // 1970: outside the wire's range.
      {"/api/perf/web-01/1e20", R"({"cpu": 1})"},
  };
  for (const Case& c : cases) {
    HttpResult r = Post(c.target, c.body);
    EXPECT_EQ(r.status, 400) << c.target << " " << c.body << " -> " << r.body;
    auto e = api::ParseErrorResponse(r.body);
    ASSERT_TRUE(e.has_value()) << r.body;
    EXPECT_FALSE(e->error.empty());
  }
  EXPECT_EQ((*s_)->counters().samples, 0u);
  EXPECT_EQ((*s_)->counters().batches, 0u);
}

TEST_F(SummarizerHttp, LizPostCountsRejectedSamplesByReason) {
  // A fraction of a second is accepted in the epoch.
  HttpResult ok = Post("/api/perf/web-01/" + std::to_string(kNow / 1000) + ".5", R"({"a": 1})");
  ASSERT_EQ(ok.status, 200);
  // Nothing refused: liz's body exactly.
  EXPECT_EQ(json::parse(ok.body), json::parse(R"({"accepted": 1, "rejected": 0})"));
  // Still 200, as liz clients expect, with the reason in the body.
  HttpResult late =
      Post("/api/perf/web-01/" + std::to_string((kNow - 4 * 60000) / 1000), R"({"a": 1, "b": 2})");
  ASSERT_EQ(late.status, 200);
  EXPECT_EQ(json::parse(late.body),
            json::parse(R"({"accepted": 0, "rejected": 2, "rejected_reasons": {"late": 2}})"));
  HttpResult future =
      Post("/api/perf/web-01/" + std::to_string((kNow + 60000) / 1000), R"({"a": 1})");
  ASSERT_EQ(future.status, 200);
  EXPECT_EQ(json::parse(future.body),
            json::parse(R"({"accepted": 0, "rejected": 1, "rejected_reasons": {"future": 1}})"));
  auto c = (*s_)->counters();
  EXPECT_EQ(c.samples, 1u);
  EXPECT_EQ(c.late, 2u);
  EXPECT_EQ(c.rejected, 3u);
  EXPECT_EQ(c.http_ingest_samples, 4u);
}

TEST_F(SummarizerHttp, UnknownHostsAre404) {
  Feed();
  for (const std::string target :
       {"/api/perf/nobody", "/api/perf/nobody/cpu", "/api/v1/series?host=nobody",
        "/api/v1/rollups?host=nobody", "/api/v1/latest?host=nobody"}) {
    HttpResult r = Get(target);
    EXPECT_EQ(r.status, 404) << target;
    auto e = api::ParseErrorResponse(r.body);
    ASSERT_TRUE(e.has_value()) << r.body;
    EXPECT_NE(e->error.find("nobody"), std::string::npos) << e->error;
  }
}

TEST_F(SummarizerHttp, HostsRoutes) {
  Feed();
  EXPECT_EQ(json::parse(Get("/api/hosts").body), json::parse(R"({"hosts":["web-01","web-02"]})"));
  auto hosts = api::ParseHostsResponse(Get("/api/v1/hosts").body);
  ASSERT_TRUE(hosts.has_value()) << hosts.error().ToString();
  ASSERT_EQ(hosts->hosts.size(), 2u);
  EXPECT_EQ(hosts->hosts[0].host, "web-01");
  EXPECT_LE(hosts->hosts[0].first_seen_ms, hosts->hosts[0].last_seen_ms);
  EXPECT_EQ(hosts->hosts[0].last_seen_ms, kNow - 10000);
}

TEST_F(SummarizerHttp, SeriesAndLatestRoutes) {
  Feed();
  auto series = api::ParseSeriesResponse(Get("/api/v1/series?host=web-01").body);
  ASSERT_TRUE(series.has_value());
  EXPECT_EQ(series->host, "web-01");
  ASSERT_EQ(series->series.size(), 2u);
  EXPECT_EQ(series->series[0].key.name(), "cpu");
  EXPECT_EQ(series->series[0].value, 6);
  EXPECT_EQ(series->series[0].timestamp_ms, kNow - 10000);
  EXPECT_EQ(series->series[0].kind, MetricKind::kGauge);
  EXPECT_NE(series->series[0].id, kNoSeriesId);
  EXPECT_EQ(Get("/api/v1/series").status, 400);

  auto latest = api::ParseLatestResponse(Get("/api/v1/latest").body);
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->latest.size(), 3u);
  latest = api::ParseLatestResponse(Get("/api/v1/latest?host=web-01&label=CP").body);
  ASSERT_TRUE(latest.has_value());
  ASSERT_EQ(latest->latest.size(), 1u);
  EXPECT_EQ(latest->latest[0].value, 6);
  latest = api::ParseLatestResponse(Get("/api/v1/latest?where=dc=eu").body);
  ASSERT_TRUE(latest.has_value());
  EXPECT_TRUE(latest->latest.empty());  // liz posts carry no tags.
  EXPECT_EQ(Get("/api/v1/latest?where=dc").status, 400);
  EXPECT_EQ(Get("/api/v1/latest?where==eu").status, 400);
}

TEST_F(SummarizerHttp, RollupsCarryARangeSummaryFromTheMergedSketches) {
  // 1..9 in the minute before kNow's, 100 in kNow's. Over both (nearest
  // rank of ten values) p50 is 5, p90 9 and p99 100, while the later window
  // alone has p50 = p90 = 100: the summary merges the sketches.
  for (int i = 1; i <= 9; ++i) {
    PostAndWait("web-03", kMinute - 60000 + i * 1000, R"({"lat": )" + std::to_string(i) + "}");
  }
  PostAndWait("web-03", kNow - 10000, R"({"lat": 100})");
  std::optional<api::RollupsResponse> r;
  ASSERT_TRUE(sonde::testing::WaitFor([&] {
    auto parsed = api::ParseRollupsResponse(Get("/api/v1/rollups?host=web-03").body);
    if (!parsed.has_value() || parsed->series.size() != 1) return false;
    r = std::move(*parsed);
    return r->series[0].summary.count == 10;
  }));
  const api::SeriesWindows& series = r->series[0];
  ASSERT_EQ(series.windows.size(), 2u);
  EXPECT_EQ(series.windows[1].p90, 100);
  const api::RangeSummary& s = series.summary;
  EXPECT_EQ(s.windows, 2u);
  EXPECT_EQ(s.sum, 145);
  EXPECT_EQ(s.avg, 14.5);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 100);
  const double error = QuantileSketch::kRelativeAccuracy;
  EXPECT_NEAR(s.p50, 5, 5 * error);
  EXPECT_NEAR(s.p90, 9, 9 * error);
  EXPECT_NEAR(s.p99, 100, 100 * error);  // The one slow sample in ten shows.
  EXPECT_EQ(s.start_ms, kMinute - 60000);
  EXPECT_EQ(s.end_ms, kMinute + 60000);
  // From the first window's start to kNow, 30 s into the open last one.
  EXPECT_DOUBLE_EQ(s.rate, 145.0 / 90);
  // On the wire: "summary" beside "windows".
  const json doc = json::parse(Get("/api/v1/rollups?host=web-03").body);
  EXPECT_EQ(doc["series"][0]["summary"]["count"], 10);
  EXPECT_EQ(doc["series"][0]["summary"]["max"], 100.0);
}

TEST_F(SummarizerHttp, RollupsRouteAndItsParameters) {
  Feed();
  auto r = api::ParseRollupsResponse(Get("/api/v1/rollups?host=web-01&label=cpu").body);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->host, "web-01");
  EXPECT_EQ(r->label, "cpu");
  EXPECT_EQ(r->resolution, Resolution::kMinute);
  EXPECT_EQ(r->from_ms, kNow - 3600000);
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].windows.size(), 1u);
  const api::WindowStats& w = r->series[0].windows[0];
  EXPECT_EQ(w.start_ms, kMinute);
  EXPECT_EQ(w.end_ms, kMinute + 60000);
  EXPECT_EQ(w.count, 2u);
  EXPECT_EQ(w.sum, 10);
  EXPECT_EQ(w.avg, 5);
  EXPECT_EQ(w.last, 6);
  EXPECT_EQ(w.last_ms, kNow - 10000);
  EXPECT_TRUE(w.open);

  r = api::ParseRollupsResponse(Get("/api/v1/rollups?host=web-01&res=hour&since=2h").body);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->resolution, Resolution::kHour);
  EXPECT_EQ(r->from_ms, kNow - 7200000);
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].windows[0].start_ms, kHour0);
  EXPECT_EQ(r->series[0].windows[0].count, 2u);
  EXPECT_TRUE(r->series[0].windows[0].open);  // Its current minute still takes samples.

  const std::string id = api::FormatSeriesId(r->series[1].series.id);
  r = api::ParseRollupsResponse(Get("/api/v1/rollups?host=web-01&series=" + id +
                                    "&from=" + std::to_string(kMinute) +
                                    "&to=" + std::to_string(kMinute + 60000))
                                    .body);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].series.key.name(), "mem");
  EXPECT_EQ(r->series[0].windows[0].sum, 120);
  // A range without windows gives no series.
  r = api::ParseRollupsResponse(
      Get("/api/v1/rollups?host=web-01&from=0&to=" + std::to_string(kMinute)).body);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->series.empty());

  for (const std::string bad :
       {"/api/v1/rollups", "/api/v1/rollups?host=web-01&res=week",
        "/api/v1/rollups?host=web-01&since=10x", "/api/v1/rollups?host=web-01&since=1h&from=1",
        "/api/v1/rollups?host=web-01&from=10&to=5", "/api/v1/rollups?host=web-01&from=abc",
        "/api/v1/rollups?host=web-01&to=5", "/api/v1/rollups?host=web-01&series=xyz"}) {
    HttpResult e = Get(bad);
    EXPECT_EQ(e.status, 400) << bad << " " << e.body;
    EXPECT_TRUE(api::ParseErrorResponse(e.body).has_value()) << e.body;
  }
  EXPECT_EQ(Get("/api/v1/rollups?host=web-01&series=1234").status, 404);
}

TEST_F(SummarizerHttp, MetricsAndHealthz) {
  Feed();
  HttpResult m = Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("sonde_summarizer_samples_total 5\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("sonde_summarizer_batches_total{source=\"http\"} 3\n"), std::string::npos);
  EXPECT_NE(m.body.find("sonde_summarizer_rejected_total{reason=\"late\"} 0\n"), std::string::npos);
  EXPECT_NE(m.body.find("sonde_summarizer_series_active 3\n"), std::string::npos);
  EXPECT_NE(m.body.find("sonde_summarizer_store_writes_total"), std::string::npos);
  EXPECT_NE(m.body.find("sonde_summarizer_flush_duration_us"), std::string::npos);
  HttpResult h = Get("/healthz");
  ASSERT_EQ(h.status, 200);
  json j = json::parse(h.body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["writer"], "ok");
  EXPECT_EQ(j["series_active"].get<int>(), 3);
  // Nothing came over the bus in this test (liz POSTs only): no age yet.
  EXPECT_TRUE(j["bus_last_publication_age_s"].is_null()) << m.body;
  EXPECT_NE(m.body.find("sonde_summarizer_bus_last_publication_age_seconds -1\n"),
            std::string::npos);
}

TEST_F(SummarizerHttp, UnknownRoutesAndMethods) {
  EXPECT_EQ(Get("/api/nothing").status, 404);
  EXPECT_EQ(HttpCall(port_, "DELETE", "/api/hosts").status, 405);
  EXPECT_EQ(HttpCall(port_, "POST", "/metrics", "{}").status, 405);
  HttpResult r = Get("/api/perf/%zz");
  EXPECT_EQ(r.status, 400);
}

}  // namespace
}  // namespace sonde::summarizer

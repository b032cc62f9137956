// QueryService on a real LMDB store in a temp dir with a FakeClock: liz's
// summary keys (docs/http-api.md, "Summary keys") and which series they
// disambiguate.
#include "query_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "sonde/api_json.h"
#include "sonde/clock.h"
#include "sonde/store.h"
#include "testutil/testutil.h"

namespace sonde::summarizer {
namespace {

using nlohmann::json;

constexpr int64_t kHour0 = 1704067200000;               // 2024-01-01T00:00:00Z
constexpr int64_t kNow = kHour0 + 5 * 3600000 + 30000;  // 05:00:30
constexpr int64_t kMinuteMs = 60000;
constexpr int64_t kHourMs = 3600000;

SeriesKey MakeKey(std::string name, Tags tags = {}) {
  auto k = SeriesKey::Make("liztest", std::move(name), std::move(tags));
  EXPECT_TRUE(k.has_value());
  return k.value_or(SeriesKey());
}

LatestState Series(std::string name, Tags tags, int64_t latest_ms) {
  LatestState l;
  l.key = MakeKey(std::move(name), std::move(tags));
  l.id = l.key.Hash();
  l.timestamp_ms = latest_ms;
  return l;
}

std::set<std::string> Keys(const json& j) {
  std::set<std::string> k;
  for (const auto& [key, v] : j.items()) k.insert(key);
  return k;
}

std::set<std::string> Values(const std::unordered_map<SeriesId, std::string>& keys) {
  std::set<std::string> v;
  for (const auto& [id, key] : keys) v.insert(key);
  return v;
}

TEST(LizMetricKeys, OnlySeriesWithDataSinceTheStartDisambiguate) {
  const int64_t since = kNow - kHourMs;
  // An emitter added dc=eu1 to its batch tags two hours ago.
  const LatestState before = Series("cpu", {{"service", "auth"}}, kNow - 2 * kHourMs);
  const LatestState after = Series("cpu", {{"dc", "eu1"}, {"service", "auth"}}, kNow - 1000);
  auto keys = QueryService::LizMetricKeys({before, after}, since);
  EXPECT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[after.id], "cpu");
  // Over a period both have data in, both carry their tags.
  keys = QueryService::LizMetricKeys({before, after}, kNow - 24 * kHourMs);
  EXPECT_EQ(keys[before.id], "cpu{service=auth}");
  EXPECT_EQ(keys[after.id], "cpu{dc=eu1,service=auth}");
  // The start is inclusive.
  keys = QueryService::LizMetricKeys({before, after}, kNow - 2 * kHourMs);
  EXPECT_EQ(keys.size(), 2u);
}

TEST(LizMetricKeys, ANameThatLooksTaggedNeverLosesASeries) {
  const int64_t t = kNow - 1000;
  const LatestState literal = Series("cpu{core=0}", {}, t);  // A name with braces.
  const LatestState core0 = Series("cpu", {{"core", "0"}}, t);
  const LatestState core1 = Series("cpu", {{"core", "1"}}, t);
  auto keys = QueryService::LizMetricKeys({literal, core0, core1}, 0);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[literal.id], "cpu{core=0}#" + api::FormatSeriesId(literal.id));
  EXPECT_EQ(keys[core0.id], "cpu{core=0}#" + api::FormatSeriesId(core0.id));
  EXPECT_EQ(keys[core1.id], "cpu{core=1}");  // Shares its key with nobody.

  // A name equal to a suffixed key is suffixed in turn: still unique.
  const LatestState tricky = Series(keys[core0.id], {}, t);
  keys = QueryService::LizMetricKeys({literal, core0, core1, tricky}, 0);
  EXPECT_EQ(Values(keys).size(), 4u);
  EXPECT_EQ(keys[tricky.id],
            "cpu{core=0}#" + api::FormatSeriesId(core0.id) + "#" + api::FormatSeriesId(tricky.id));
  EXPECT_EQ(keys[core0.id], "cpu{core=0}#" + api::FormatSeriesId(core0.id));
}

TEST(LizMetricKeys, ASingleSeriesKeepsItsBareNameWhateverItsTags) {
  const LatestState l = Series("mem", {{"dc", "eu1"}}, kNow);
  EXPECT_EQ(QueryService::LizMetricKeys({l}, 0)[l.id], "mem");
  EXPECT_TRUE(QueryService::LizMetricKeys({l}, kNow + 1).empty());
}

// A QueryService over a real store in a temp dir, at a fake clock.
class StoreQueryTest : public ::testing::Test {
 protected:
  explicit StoreQueryTest(int64_t now_ms) : clock_(now_ms) {}

  void SetUp() override {
    StoreOptions o;
    o.dir = dir_.path();
    auto store = Store::Open(o);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(store).value();
    service_ = std::make_unique<QueryService>(store_.get(), &clock_, std::chrono::hours(1),
                                              std::chrono::hours(24));
  }

  sonde::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<QueryService> service_;
};

// The defect as a liz user saw it: GET /api/perf/liztest/by-minute after an
// emitter added a tag, through the real store.
class LizPerfKeys : public StoreQueryTest {
 protected:
  LizPerfKeys() : StoreQueryTest(kNow) {}

  // One sample of `key` at `ts`, written as its closed minute and hour.
  void Write(const SeriesKey& key, double value, int64_t ts) {
    FlushBatch b;
    b.series.push_back(
        {std::make_shared<const SeriesKey>(key), kNoSeriesId, MetricKind::kGauge, value, ts});
    for (Resolution res : {Resolution::kMinute, Resolution::kHour}) {
      RollupWindow w(MetricKind::kGauge, res, WindowStart(ts, res));
      w.Add(value, ts);
      b.windows.push_back({0, std::move(w)});
    }
    const Status s = store_->Write(b, nullptr);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  json Get(const std::string& label) {
    HttpResponse r = service_->LizPerf("liztest", label);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
};

TEST_F(LizPerfKeys, AddingATagKeepsTheByMinuteKeyOnceTheOldSeriesHasNoMinutes) {
  Write(MakeKey("cpu", {{"service", "auth"}}), 10, kNow - 3 * kHourMs);
  Write(MakeKey("cpu", {{"dc", "eu1"}, {"service", "auth"}}), 12, kNow - 10000);
  // The last hour has minutes of the new series only: the bare key, as
  // before the tag was added. The day has both: each with its tags.
  EXPECT_EQ(Keys(Get("")), (std::set<std::string>{"summary:by-minute:cpu",
                                                  "summary:by-hour:cpu{dc=eu1,service=auth}",
                                                  "summary:by-hour:cpu{service=auth}"}));
  const json minute = Get("by-minute");
  ASSERT_TRUE(minute.contains("summary:by-minute:cpu"));
  EXPECT_EQ(minute["summary:by-minute:cpu"]["averages"][0]["avg"], 12.0);
  // A label selects among the keys; it never changes one.
  EXPECT_EQ(Keys(Get("eu1")), std::set<std::string>{"summary:by-hour:cpu{dc=eu1,service=auth}"});
}

TEST_F(LizPerfKeys, CollidingKeysAreMadeUniqueNotDropped) {
  const SeriesKey literal = MakeKey("cpu{core=0}");
  const SeriesKey core0 = MakeKey("cpu", {{"core", "0"}});
  Write(literal, 1, kNow - 10000);
  Write(core0, 2, kNow - 10000);
  Write(MakeKey("cpu", {{"core", "1"}}), 3, kNow - 10000);
  const json j = Get("by-minute");
  const std::string literal_key =
      "summary:by-minute:cpu{core=0}#" + api::FormatSeriesId(literal.Hash());
  const std::string core0_key =
      "summary:by-minute:cpu{core=0}#" + api::FormatSeriesId(core0.Hash());
  ASSERT_EQ(Keys(j),
            (std::set<std::string>{literal_key, core0_key, "summary:by-minute:cpu{core=1}"}));
  EXPECT_EQ(j[literal_key]["averages"][0]["avg"], 1.0);
  EXPECT_EQ(j[core0_key]["averages"][0]["avg"], 2.0);
}

// The rate of the current window over HTTP (/api/v1/rollups and liz's
// /api/perf), read at the service's clock: a counter of 10/s, stored as the
// summarizer stores it in folded mode (closed minutes folded into their
// hour, the current minute written open).
class OpenWindowRate : public StoreQueryTest {
 protected:
  OpenWindowRate() : StoreQueryTest(kHour0) {}

  // 10 a second from the hour's start up to (excluding) `now`, which is
  // where the clock then stands.
  void WriteSteadyCounterUntil(int64_t now) {
    const SeriesKey key = MakeKey("requests");
    FlushBatch b;
    b.series.push_back(
        {std::make_shared<const SeriesKey>(key), kNoSeriesId, MetricKind::kCounter, 10, now});
    for (int64_t start = kHour0; start <= now; start += kMinuteMs) {
      RollupWindow w(MetricKind::kCounter, Resolution::kMinute, start);
      for (int64_t t = start; t < std::min(now, start + kMinuteMs); t += 1000) w.Add(10, t);
      const bool open = start + kMinuteMs > now;
      if (w.empty() && !open) continue;
      w.set_open(open);
      b.windows.push_back({0, std::move(w), !open});
    }
    const Status s = store_->Write(b, nullptr);
    ASSERT_TRUE(s.ok()) << s.ToString();
    clock_.SetWallMs(now);
  }

  // The rates of the windows /api/v1/rollups serves, oldest first, and
  // the range summary's.
  std::vector<double> Rates(const char* res, double* summary_rate) {
    HttpResponse r = service_->Rollups({{"host", "liztest"}, {"res", res}, {"since", "2m"}});
    EXPECT_EQ(r.status, 200) << r.body;
    auto doc = api::ParseRollupsResponse(r.body);
    EXPECT_TRUE(doc.has_value() && doc->series.size() == 1) << r.body;
    std::vector<double> rates;
    if (!doc.has_value() || doc->series.size() != 1) return rates;
    for (const api::WindowStats& w : doc->series[0].windows) rates.push_back(w.rate);
    *summary_rate = doc->series[0].summary.rate;
    return rates;
  }

  // The rate of liz's last window of `res` ("by-minute", "by-hour").
  double LizRate(const std::string& res) {
    HttpResponse r = service_->LizPerf("liztest", res);
    EXPECT_EQ(r.status, 200) << r.body;
    const json j = json::parse(r.body);
    const std::string key = "summary:" + res + ":requests";
    if (!j.contains(key) || j[key]["averages"].empty()) {
      ADD_FAILURE() << r.body;
      return 0;
    }
    return j[key]["averages"].back()["rate"].get<double>();
  }
};

TEST_F(OpenWindowRate, PartwayThroughTheWindowIsSumOverTimeElapsed) {
  // 00:20:20: the current minute is 20 s old, the current hour 1220 s.
  WriteSteadyCounterUntil(kHour0 + 20 * kMinuteMs + 20000);
  double summary = 0;
  // 00:18:20 back: 00:18 and 00:19 closed (600 over 60 s), 00:20 open (200
  // over 20 s); the summary 1400 over 140 s.
  EXPECT_EQ(Rates("minute", &summary), (std::vector<double>{10, 10, 10}));
  EXPECT_EQ(summary, 10);
  EXPECT_EQ(Rates("hour", &summary), std::vector<double>{10});
  EXPECT_EQ(summary, 10);
  EXPECT_EQ(LizRate("by-minute"), 10);
  EXPECT_EQ(LizRate("by-hour"), 10);
}

TEST_F(OpenWindowRate, AtTheWindowsStartDividesByTenSeconds) {
  // 01:00:00: the first sample of the hour, at its very first millisecond.
  WriteSteadyCounterUntil(kHour0 + kHourMs + 1);
  clock_.SetWallMs(kHour0 + kHourMs);
  double summary = 0;
  const std::vector<double> minutes = Rates("minute", &summary);
  ASSERT_EQ(minutes.size(), 3u);  // 00:58, 00:59 (closed), 01:00 (open).
  EXPECT_EQ(minutes[0], 10);
  // 10 over ten seconds (the interval one increment may stand for), not
  // over 0 s or 1 ms.
  EXPECT_EQ(minutes.back(), 1);
  EXPECT_DOUBLE_EQ(summary, 1210.0 / 130);
  const std::vector<double> hours = Rates("hour", &summary);
  ASSERT_EQ(hours.size(), 2u);
  EXPECT_EQ(hours[0], 10);  // 00:00, closed: 36000 over 3600 s.
  EXPECT_EQ(hours[1], 1);
  EXPECT_EQ(LizRate("by-minute"), 1);
  EXPECT_EQ(LizRate("by-hour"), 1);
}

TEST_F(OpenWindowRate, AClosedWindowIsSumOverItsLength) {
  // The minute 00:20 was closed at 00:20:20 (10/s for its first 20 s).
  WriteSteadyCounterUntil(kHour0 + 20 * kMinuteMs + 20000);
  const SeriesKey key = MakeKey("requests");
  FlushBatch b;
  b.series.push_back({std::make_shared<const SeriesKey>(key), kNoSeriesId, MetricKind::kCounter, 10,
                      kHour0 + 20 * kMinuteMs});
  RollupWindow w(MetricKind::kCounter, Resolution::kMinute, kHour0 + 20 * kMinuteMs);
  for (int i = 0; i < 20; ++i) w.Add(10, w.start_ms() + i * 1000);
  b.windows.push_back({0, w, true});
  ASSERT_TRUE(store_->Write(b, nullptr).ok());
  double summary = 0;
  const std::vector<double> minutes = Rates("minute", &summary);
  ASSERT_EQ(minutes.size(), 3u);
  EXPECT_DOUBLE_EQ(minutes.back(), 200.0 / 60);
  EXPECT_DOUBLE_EQ(summary, 1400.0 / 180);
  // The hour has no open minute left: closed, over its whole length.
  const std::vector<double> hours = Rates("hour", &summary);
  ASSERT_EQ(hours.size(), 1u);
  EXPECT_DOUBLE_EQ(hours[0], 12200.0 / 3600);
}

}  // namespace
}  // namespace sonde::summarizer

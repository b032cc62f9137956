#include "query_fixture.h"

#include <initializer_list>

namespace sonde::testing {

namespace {

struct SeriesSpec {
  const char* host;
  const char* name;
  Tags tags;
  MetricKind kind;
  double last_value;
  int64_t last_ms;
  // Minute index (from kT0) -> values; the window at index `open_minute` is
  // written open.
  std::map<int, std::vector<double>> minutes;
  int open_minute = -1;
  bool hour = false;  // Also write the 12:00 hour as the merge of the minutes.
};

std::vector<SeriesSpec> Specs() {
  return {
      {"web-01",
       "cpu",
       {{"core", "0"}, {"dc", "east"}},
       MetricKind::kGauge,
       90,
       kT0 + 270000,
       {{0, {10, 20}}, {1, {30}}, {2, {40, 50, 60}}, {4, {90}}},
       4,
       true},
      {"web-01",
       "cpu",
       {{"core", "1"}, {"dc", "east"}},
       MetricKind::kGauge,
       5,
       kT0 + 240000,
       {{0, {5}}, {1, {5}}, {2, {5}}, {3, {5}}, {4, {5}}}},
      {"web-01",
       "requests",
       {{"dc", "east"}},
       MetricKind::kCounter,
       300,
       kT0 + 250000,
       {{0, {60}}, {1, {120}}, {2, {180}}, {3, {240}}, {4, {300}}}},
      {"web-01",
       "mem.used",
       {{"dc", "east"}},
       MetricKind::kGauge,
       2.5e9,
       kT0 + 260000,
       {{4, {2.5e9}}}},
      {"web-02",
       "cpu",
       {{"core", "0"}, {"dc", "west"}},
       MetricKind::kGauge,
       75,
       kT0 + 195000,
       {{3, {75}}}},
      {"db-01",
       "disk.free",
       {{"dc", "east"}, {"role", "db"}},
       MetricKind::kGauge,
       0.25,
       kT0 + 50000,
       {{0, {0.25}}}},
  };
}

}  // namespace

void QueryFixture::SetUp() {
  StoreOptions options;
  options.dir = dir_.path();
  auto store = Store::Open(options);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  store_ = std::move(*store);
  WriteFixture();
}

void QueryFixture::WriteFixture() {
  FlushBatch batch;
  for (const SeriesSpec& spec : Specs()) {
    auto key = SeriesKey::Make(spec.host, spec.name, spec.tags);
    ASSERT_TRUE(key.has_value()) << key.error().ToString();
    const uint32_t index = static_cast<uint32_t>(batch.series.size());
    batch.series.push_back({std::make_shared<const SeriesKey>(*key), kNoSeriesId, spec.kind,
                            spec.last_value, spec.last_ms});
    RollupWindow hour(spec.kind, Resolution::kHour, kT0);
    for (const auto& [minute, values] : spec.minutes) {
      const int64_t start = kT0 + minute * kMinute;
      RollupWindow w(spec.kind, Resolution::kMinute, start);
      for (size_t i = 0; i < values.size(); ++i) {
        w.Add(values[i], start + 1000 * static_cast<int64_t>(i + 1));
      }
      w.set_open(minute == spec.open_minute);
      ASSERT_TRUE(hour.Merge(w).ok());
      batch.windows.push_back({index, std::move(w)});
    }
    if (spec.hour) batch.windows.push_back({index, std::move(hour)});
  }
  WriteResult result;
  Status s = store_->Write(batch, &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(result.series_rejected, 0u);
}

void QueryFixture::WriteLatest(const std::string& host, const std::string& name, const Tags& tags,
                               double value, int64_t timestamp_ms) {
  auto key = SeriesKey::Make(host, name, tags);
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  FlushBatch batch;
  batch.series.push_back({std::make_shared<const SeriesKey>(*key), kNoSeriesId, MetricKind::kGauge,
                          value, timestamp_ms});
  WriteResult result;
  Status s = store_->Write(batch, &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(result.series_rejected, 0u);
}

void QueryFixture::WriteWindows(const std::string& host, const std::string& name, MetricKind kind,
                                std::vector<RollupWindow> windows) {
  auto key = SeriesKey::Make(host, name, {});
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  ASSERT_FALSE(windows.empty());
  FlushBatch batch;
  batch.series.push_back({std::make_shared<const SeriesKey>(*key), kNoSeriesId, kind,
                          windows.back().last(), windows.back().last_ms()});
  for (RollupWindow& w : windows) batch.windows.push_back({0, std::move(w)});
  WriteResult result;
  Status s = store_->Write(batch, &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(result.series_rejected, 0u);
}

RunResult QueryFixture::Sonde(std::vector<std::string> args, int columns) {
  args.insert(args.end(), {"--db", dir_.path(), "--now", kNow});
  return SondeRaw(args, {{"COLUMNS", std::to_string(columns)}});
}

RunResult QueryFixture::SondeRaw(const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& extra_env) {
  std::map<std::string, std::string> env = {{"HOME", home_.path()}, {"PATH", "/usr/bin:/bin"}};
  for (const auto& [k, v] : extra_env) env[k] = v;
  return RunBinary(BinaryPath("sonde"), args, env);
}

}  // namespace sonde::testing

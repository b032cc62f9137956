// The LMDB store against a real database in a fresh temp dir: round trips,
// queries, upserts, reopening, schema checks and catalog collisions.
// Expiry is in store_expiry_test.cc; map growth, limits and other processes
// in store_process_test.cc.
#include <gtest/gtest.h>
#include <lmdb.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "records.h"  // Only to plant a colliding catalog record.
#include "sonde/store.h"
#include "store_test_util.h"
#include "testutil/testutil.h"

namespace sonde {
namespace {

using store_test::Batch;
using store_test::Key;
using store_test::kHourMs;
using store_test::kMinuteMs;
using store_test::kT0;
using store_test::OpenOrDie;
using store_test::Options;
using store_test::Window;

class LmdbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = OpenOrDie(Options(dir_.path())); }

  void Write(const FlushBatch& b, WriteResult* r = nullptr) {
    const Status s = store_->Write(b, r);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::vector<SeriesRollups> Rollups(RollupQuery q) {
    std::vector<SeriesRollups> out;
    const Status s = store_->ReadRollups(q, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(LmdbStoreTest, WriteThenReadRoundTrip) {
  Batch b;
  const auto cpu = Key("web-01", "cpu.user", {{"dc", "fra"}});
  const auto lat = Key("web-01", "http.latency", {{"route", "/"}});
  const uint32_t s0 = b.Series(cpu, 12.5, kT0 + 59000);
  const uint32_t s1 = b.Series(lat, 3.2, kT0 + 30000, MetricKind::kTiming);
  const RollupWindow w0 = Window(Resolution::kMinute, kT0, {10, 11, 12.5});
  const RollupWindow w1 = Window(Resolution::kMinute, kT0, {1, 2, 3.2}, MetricKind::kTiming);
  const RollupWindow h0 = Window(Resolution::kHour, kT0, {10, 11, 12.5});
  b.Add(s0, w0).Add(s1, w1).Add(s0, h0);
  WriteResult r;
  Write(b.get(), &r);
  ASSERT_EQ(r.ids.size(), 2u);
  EXPECT_EQ(r.ids[0], cpu->Hash());
  EXPECT_EQ(r.ids[1], lat->Hash());
  EXPECT_EQ(r.windows_written, 3u);

  std::vector<HostInfo> hosts;
  ASSERT_TRUE(store_->ListHosts(&hosts).ok());
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0], (HostInfo{"web-01", kT0 + 30000, kT0 + 59000}));

  std::vector<LatestState> series;
  ASSERT_TRUE(store_->ListSeries("web-01", &series).ok());
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0], (LatestState{r.ids[0], *cpu, MetricKind::kGauge, 12.5, kT0 + 59000}));
  EXPECT_EQ(series[1], (LatestState{r.ids[1], *lat, MetricKind::kTiming, 3.2, kT0 + 30000}));

  auto got = Rollups({"web-01", kNoSeriesId, "", Resolution::kMinute});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].series.key, *cpu);
  ASSERT_EQ(got[0].windows.size(), 1u);
  EXPECT_EQ(got[0].windows[0], w0);
  EXPECT_EQ(got[1].windows[0], w1);
  auto hours = Rollups({"web-01", r.ids[0], "", Resolution::kHour});
  ASSERT_EQ(hours.size(), 1u);
  EXPECT_EQ(hours[0].windows[0], h0);

  EXPECT_EQ(store_->GetStats().writes, 1u);
}

TEST_F(LmdbStoreTest, IdsFromAWriteAreReusable) {
  const auto k = Key("h", "m");
  Batch first;
  first.Add(first.Series(k, 1, kT0), Window(Resolution::kMinute, kT0, {1}));
  WriteResult r;
  Write(first.get(), &r);
  Batch second;
  second.Add(second.Series(k, 2, kT0 + kMinuteMs, MetricKind::kGauge, r.ids[0]),
             Window(Resolution::kMinute, kT0 + kMinuteMs, {2}));
  WriteResult r2;
  Write(second.get(), &r2);
  EXPECT_EQ(r2.ids[0], r.ids[0]);
  auto got = Rollups({"h", r.ids[0], "", Resolution::kMinute});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].windows.size(), 2u);
  EXPECT_EQ(got[0].series.value, 2);
  EXPECT_EQ(store_->GetStats().series_registered, 1u);
}

TEST_F(LmdbStoreTest, WindowUpsertIsIdempotent) {
  const auto k = Key("h", "requests");
  RollupWindow open = Window(Resolution::kMinute, kT0, {1, 1, 1}, MetricKind::kCounter, true);
  Batch b;
  b.Add(b.Series(k, 1, kT0 + 2, MetricKind::kCounter), open);
  Write(b.get());
  Write(b.get());  // The same tick again (a replay after a crash): counted once.
  auto got = Rollups({"h", kNoSeriesId, "", Resolution::kMinute});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].windows.size(), 1u);
  EXPECT_EQ(got[0].windows[0].count(), 3u);
  EXPECT_EQ(got[0].windows[0].sum(), 3);

  // The next tick carries the grown window: it replaces the stored one.
  RollupWindow grown = open;
  grown.Add(5, kT0 + 10);
  grown.set_open(false);
  Batch b2;
  b2.Add(b2.Series(k, 5, kT0 + 10, MetricKind::kCounter), grown);
  Write(b2.get());
  got = Rollups({"h", kNoSeriesId, "", Resolution::kMinute});
  ASSERT_EQ(got[0].windows.size(), 1u);
  EXPECT_EQ(got[0].windows[0], grown);
  EXPECT_EQ(got[0].windows[0].RatePerSec(kT0 + 20000), 8.0 / 60);  // Closed: the whole minute.
}

// Folded mode: the summarizer keeps only minutes; the store builds hours.
TEST_F(LmdbStoreTest, FoldedHoursCountEachMinuteOnce) {
  const auto k = Key("h", "latency");
  auto tick = [&](std::vector<WindowUpdate> windows) {
    Batch b;
    b.Series(k, 1, kT0, MetricKind::kTiming);
    for (WindowUpdate& w : windows) b.mutable_batch().windows.push_back(std::move(w));
    WriteResult r;
    Write(b.get(), &r);
    return r;
  };
  auto minute = [](int m, std::vector<double> v, bool open) {
    return Window(Resolution::kMinute, kT0 + m * kMinuteMs, v, MetricKind::kTiming, open);
  };
  auto hour_now = [&] {
    auto got = Rollups({"h", kNoSeriesId, "", Resolution::kHour});
    EXPECT_EQ(got.size(), 1u);
    return got.empty() || got[0].windows.empty() ? RollupWindow() : got[0].windows[0];
  };
  // Minute 0 open: the hour reads as minute 0 so far.
  tick({{0, minute(0, {1, 2}, true), false}});
  EXPECT_EQ(hour_now().count(), 2u);
  // Minute 0 closes and folds; minute 1 opens.
  WriteResult r = tick({{0, minute(0, {1, 2, 3}, false), true}, {0, minute(1, {10}, true), false}});
  EXPECT_EQ(r.minutes_folded, 1u);
  RollupWindow h = hour_now();
  EXPECT_EQ(h.count(), 4u);  // 3 folded + 1 open.
  EXPECT_EQ(h.sum(), 16);
  // The same closing flush replayed (a crash before the summarizer learned
  // it was written): nothing is counted twice.
  r = tick({{0, minute(0, {1, 2, 3}, false), true}, {0, minute(1, {10}, true), false}});
  EXPECT_EQ(r.minutes_folded, 0u);
  EXPECT_EQ(hour_now().count(), 4u);
  // Minute 1 closes: the stored hour holds both minutes, once.
  tick({{0, minute(1, {10, 20}, false), true}});
  h = hour_now();
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.sum(), 36);
  EXPECT_EQ(h.folded_minutes(), 3u);
  EXPECT_EQ(h.max(), 20);
  EXPECT_EQ(store_->GetStats().minutes_folded, 2u);
}

TEST_F(LmdbStoreTest, AnHourWithOpenMinutesReadsOpen) {
  // `sonde get --windows --res hour` marks the current hour with `*` and
  // /api/v1/rollups says "open" from this flag: an hour whose minutes still
  // receive samples must not read closed.
  const auto k = Key("h", "latency");
  auto tick = [&](std::vector<WindowUpdate> windows) {
    Batch b;
    b.Series(k, 1, kT0);
    for (WindowUpdate& w : windows) b.mutable_batch().windows.push_back(std::move(w));
    Write(b.get());
  };
  auto minute = [](int m, std::vector<double> v, bool open) {
    return Window(Resolution::kMinute, kT0 + m * kMinuteMs, v, MetricKind::kGauge, open);
  };
  auto hour_open = [&] {
    auto got = Rollups({"h", kNoSeriesId, "", Resolution::kHour});
    EXPECT_EQ(got.size(), 1u);
    EXPECT_EQ(got.empty() ? 0u : got[0].windows.size(), 1u);
    return !got.empty() && !got[0].windows.empty() && got[0].windows[0].open();
  };
  // Only an open minute: the hour is made from it alone.
  tick({{0, minute(0, {1}, true), false}});
  EXPECT_TRUE(hour_open());
  // A folded (stored, closed) hour plus an open minute.
  tick({{0, minute(0, {1, 2}, false), true}, {0, minute(1, {3}, true), false}});
  EXPECT_TRUE(hour_open());
  // Every minute closed: so is the hour.
  tick({{0, minute(1, {3, 4}, false), true}});
  EXPECT_FALSE(hour_open());
}

TEST_F(LmdbStoreTest, FoldIntoAHourWrittenWholeIsSkipped) {
  const auto k = Key("h", "m");
  Batch direct;
  const uint32_t s = direct.Series(k, 1, kT0);
  direct.Add(s, Window(Resolution::kHour, kT0, {1, 2}, MetricKind::kGauge, true));
  Write(direct.get());
  Batch fold;
  fold.Series(k, 1, kT0);
  fold.mutable_batch().windows.push_back({0, Window(Resolution::kMinute, kT0, {1}), true});
  Write(fold.get());
  EXPECT_EQ(store_->GetStats().folds_skipped, 1u);
  auto got = Rollups({"h", kNoSeriesId, "", Resolution::kHour});
  EXPECT_EQ(got[0].windows[0].count(), 2u);
  // And an open fold request is malformed.
  Batch bad;
  bad.Series(k, 1, kT0);
  bad.mutable_batch().windows.push_back(
      {0, Window(Resolution::kMinute, kT0, {1}, MetricKind::kGauge, true), true});
  EXPECT_TRUE(store_->Write(bad.get(), nullptr).IsInvalidArgument());
}

TEST_F(LmdbStoreTest, TwoUpdatesOfOneWindowInABatchKeepTheLater) {
  const auto k = Key("h", "m");
  Batch b;
  const uint32_t s = b.Series(k, 2, kT0);
  b.Add(s, Window(Resolution::kMinute, kT0, {1})).Add(s, Window(Resolution::kMinute, kT0, {1, 2}));
  Write(b.get());
  auto got = Rollups({"h", kNoSeriesId, "", Resolution::kMinute});
  ASSERT_EQ(got[0].windows.size(), 1u);
  EXPECT_EQ(got[0].windows[0].count(), 2u);
}

// Three hosts, several metrics, ten minutes each (with a gap), hours too.
class LmdbStoreQueryTest : public LmdbStoreTest {
 protected:
  void SetUp() override {
    LmdbStoreTest::SetUp();
    const char* names[] = {"cpu.user", "cpu.system", "sys.CPU.idle",
                           "mem.used", "disk.io",    "net.rx"};
    for (const char* host : {"db-01", "web-01", "web-02"}) {
      Batch b;
      for (const char* name : names) {
        const uint32_t s = b.Series(Key(host, name), 1, kT0 + 50 * kMinuteMs);
        for (int m : {0, 1, 2, 3, 4, 5, 6, 7, 30, 50}) {
          b.Add(s, Window(Resolution::kMinute, kT0 + m * kMinuteMs, {double(m), double(m + 1)}));
        }
        b.Add(s, Window(Resolution::kHour, kT0, {1, 2, 3}));
        b.Add(s, Window(Resolution::kHour, kT0 + kHourMs, {4}));
      }
      Write(b.get());
    }
  }

  static std::vector<int64_t> Starts(const SeriesRollups& r) {
    std::vector<int64_t> v;
    for (const RollupWindow& w : r.windows) v.push_back((w.start_ms() - kT0) / kMinuteMs);
    return v;
  }
};

TEST_F(LmdbStoreQueryTest, LabelIsACaseInsensitiveSubstring) {
  auto got = Rollups({"web-01", kNoSeriesId, "CPU", Resolution::kMinute});
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].series.key.name(), "cpu.system");  // Sorted by name.
  EXPECT_EQ(got[1].series.key.name(), "cpu.user");
  EXPECT_EQ(got[2].series.key.name(), "sys.CPU.idle");
  for (const auto& r : got) {
    EXPECT_EQ(r.series.key.host(), "web-01");
    EXPECT_EQ(Starts(r), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 30, 50}));
  }
  EXPECT_TRUE(Rollups({"web-01", kNoSeriesId, "nothing", Resolution::kMinute}).empty());
  EXPECT_EQ(Rollups({"web-02", kNoSeriesId, "", Resolution::kMinute}).size(), 6u);
}

TEST_F(LmdbStoreQueryTest, TimeRangeSelectsOverlappingWindows) {
  RollupQuery q{"db-01", kNoSeriesId, "mem", Resolution::kMinute};
  q.from_ms = kT0 + 2 * kMinuteMs + 1;  // Inside minute 2: it overlaps.
  q.to_ms = kT0 + 7 * kMinuteMs;        // Minute 7 starts at to: excluded.
  auto got = Rollups(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Starts(got[0]), (std::vector<int64_t>{2, 3, 4, 5, 6}));
  // Across the gap, for every series of the host (the host-scan path).
  q.label.clear();
  q.from_ms = kT0 + 6 * kMinuteMs;
  q.to_ms = kT0 + 51 * kMinuteMs;
  got = Rollups(q);
  ASSERT_EQ(got.size(), 6u);
  for (const auto& r : got) EXPECT_EQ(Starts(r), (std::vector<int64_t>{6, 7, 30, 50}));
  // Nothing in range.
  q.from_ms = kT0 + 8 * kMinuteMs;
  q.to_ms = kT0 + 30 * kMinuteMs;
  EXPECT_TRUE(Rollups(q).empty());
  // One series by id, with the hours.
  std::vector<LatestState> series;
  ASSERT_TRUE(store_->ListSeries("web-02", &series).ok());
  auto hours = Rollups({"web-02", series[0].id, "", Resolution::kHour});
  ASSERT_EQ(hours.size(), 1u);
  ASSERT_EQ(hours[0].windows.size(), 2u);
  EXPECT_EQ(hours[0].windows[0].count(), 3u);
  EXPECT_EQ(hours[0].windows[1].start_ms(), kT0 + kHourMs);
}

TEST_F(LmdbStoreQueryTest, UnknownHostsAndSeriesAreNotFound) {
  std::vector<SeriesRollups> out;
  EXPECT_TRUE(
      store_->ReadRollups({"nope", kNoSeriesId, "", Resolution::kMinute}, &out).IsNotFound());
  EXPECT_TRUE(store_->ReadRollups({"web-01", 12345, "", Resolution::kMinute}, &out).IsNotFound());
  EXPECT_TRUE(
      store_->ReadRollups({"", kNoSeriesId, "", Resolution::kMinute}, &out).IsInvalidArgument());
  RollupQuery backwards{"web-01", kNoSeriesId, "", Resolution::kMinute, kT0, kT0};
  EXPECT_TRUE(store_->ReadRollups(backwards, &out).IsInvalidArgument());
  std::vector<LatestState> series;
  EXPECT_TRUE(store_->ListSeries("nope", &series).IsNotFound());
  std::vector<HostInfo> hosts;
  ASSERT_TRUE(store_->ListHosts(&hosts).ok());
  ASSERT_EQ(hosts.size(), 3u);
  EXPECT_EQ(hosts[0].host, "db-01");
  EXPECT_EQ(hosts[2].host, "web-02");
}

TEST_F(LmdbStoreTest, LatestFiltersByTagAndHost) {
  Batch b;
  b.Series(Key("a", "cpu", {{"dc", "fra"}, {"role", "web"}}), 1, kT0);
  b.Series(Key("b", "cpu", {{"dc", "ams"}, {"role", "web"}}), 2, kT0);
  b.Series(Key("c", "cpu", {{"dc", "fra"}, {"role", "db"}}), 3, kT0);
  b.Series(Key("c", "mem", {{"dc", "fra"}}), 4, kT0);
  Write(b.get());
  std::vector<LatestState> out;
  ASSERT_TRUE(store_->ReadLatest({"", "", {{"dc", "fra"}}}, &out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].key.host(), "a");
  EXPECT_EQ(out[2].key.name(), "mem");
  ASSERT_TRUE(store_->ReadLatest({"", "", {{"dc", "fra"}, {"role", "db"}}}, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, 3);
  ASSERT_TRUE(store_->ReadLatest({"c", "MEM", {}}, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(store_->ReadLatest({}, &out).ok());
  EXPECT_EQ(out.size(), 4u);
  EXPECT_TRUE(store_->ReadLatest({"zz", "", {}}, &out).IsNotFound());
}

TEST_F(LmdbStoreTest, HostLastSeenOnlyMovesForward) {
  const auto k = Key("h", "m");
  Batch b1;
  b1.Series(k, 1, kT0 + 5000);
  Write(b1.get());
  Batch b2;
  b2.Series(k, 1, kT0 + 1000);  // Older: extends first-seen only.
  Write(b2.get());
  std::vector<HostInfo> hosts;
  ASSERT_TRUE(store_->ListHosts(&hosts).ok());
  EXPECT_EQ(hosts[0], (HostInfo{"h", kT0 + 1000, kT0 + 5000}));
}

TEST_F(LmdbStoreTest, LoadOpenWindowsResumesWhatWasOpen) {
  const auto a = Key("h", "a");
  const auto b = Key("h", "b");
  Batch batch;
  const uint32_t sa = batch.Series(a, 1, kT0);
  const uint32_t sb = batch.Series(b, 1, kT0, MetricKind::kTiming);
  const RollupWindow open_a =
      Window(Resolution::kMinute, kT0 + 2 * kMinuteMs, {1, 2}, MetricKind::kGauge, true);
  const RollupWindow open_b =
      Window(Resolution::kMinute, kT0 + 3 * kMinuteMs, {7}, MetricKind::kTiming, true);
  batch
      .Add(sa, Window(Resolution::kMinute, kT0 + kMinuteMs, {1}))  // Closed.
      .Add(sa, open_a)
      .Add(sb, open_b)
      .Add(sb, Window(Resolution::kMinute, kT0, {3}, MetricKind::kTiming, true))  // Too old.
      .Add(sa, Window(Resolution::kHour, kT0, {1, 1, 2}, MetricKind::kGauge, true));
  Write(batch.get());
  store_.reset();  // As after a crash: everything comes from disk.
  store_ = OpenOrDie(Options(dir_.path()));
  std::vector<OpenWindow> open;
  ASSERT_TRUE(store_->LoadOpenWindows(Resolution::kMinute, kT0 + kMinuteMs, &open).ok());
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].series.key, *a);
  EXPECT_EQ(open[0].series.id, a->Hash());
  EXPECT_EQ(open[0].window, open_a);
  EXPECT_EQ(open[1].series.key, *b);
  EXPECT_EQ(open[1].series.kind, MetricKind::kTiming);
  EXPECT_EQ(open[1].window, open_b);
  std::vector<OpenWindow> hours;
  ASSERT_TRUE(store_->LoadOpenWindows(Resolution::kHour, kT0, &hours).ok());
  ASSERT_EQ(hours.size(), 1u);
  EXPECT_EQ(hours[0].window.count(), 3u);
}

TEST_F(LmdbStoreTest, ReopenKeepsEverything) {
  Batch b;
  const uint32_t s = b.Series(Key("h", "m"), 9, kT0 + 1);
  b.Add(s, Window(Resolution::kMinute, kT0, {9}));
  Write(b.get());
  store_.reset();
  for (bool read_only : {false, true}) {
    StoreOptions o = Options(dir_.path());
    o.read_only = read_only;
    store_ = OpenOrDie(o);
    ASSERT_NE(store_, nullptr);
    auto got = Rollups({"h", kNoSeriesId, "", Resolution::kMinute});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].windows[0].sum(), 9);
    store_.reset();
  }
}

TEST_F(LmdbStoreTest, RejectsMalformedBatchesWhole) {
  const auto k = Key("h", "m");
  struct Case {
    const char* what;
    FlushBatch batch;
  };
  std::vector<Case> cases(5);
  cases[0] = {"null key", {}};
  cases[0].batch.series.push_back({nullptr, 0, MetricKind::kGauge, 1, kT0});
  cases[1] = {"window of a missing series", {}};
  cases[1].batch.series.push_back({k, 0, MetricKind::kGauge, 1, kT0});
  cases[1].batch.windows.push_back({1, Window(Resolution::kMinute, kT0, {1})});
  cases[2] = {"non-finite latest", {}};
  cases[2].batch.series.push_back({k, 0, MetricKind::kGauge, NAN, kT0});
  cases[3] = {"invalid key", {}};
  cases[3].batch.series.push_back(
      {std::make_shared<const SeriesKey>(), 0, MetricKind::kGauge, 1, kT0});
  cases[4] = {"unknown kind", {}};
  cases[4].batch.series.push_back({k, 0, static_cast<MetricKind>(7), 1, kT0});
  for (const Case& c : cases) {
    EXPECT_TRUE(store_->Write(c.batch, nullptr).IsInvalidArgument()) << c.what;
  }
  std::vector<HostInfo> hosts;
  ASSERT_TRUE(store_->ListHosts(&hosts).ok());
  EXPECT_TRUE(hosts.empty());  // Nothing of any of them was written.
}

TEST_F(LmdbStoreTest, ReadOnlyStoreRefusesWrites) {
  store_.reset();
  StoreOptions o = Options(dir_.path());
  o.read_only = true;
  store_ = OpenOrDie(o);
  EXPECT_TRUE(store_->Write(FlushBatch(), nullptr).IsInvalidArgument());
  EXPECT_TRUE(store_->Sweep(kT0, nullptr).IsInvalidArgument());
}

TEST_F(LmdbStoreTest, SecondOpenInOneProcessIsRefused) {
  auto again = Store::Open(Options(dir_.path()));
  ASSERT_FALSE(again.has_value());
  EXPECT_TRUE(again.error().IsInvalidArgument()) << again.error().ToString();
  StoreOptions ro = Options(dir_.path());
  ro.read_only = true;
  EXPECT_FALSE(Store::Open(ro).has_value());
}

TEST(LmdbStoreOpen, ReaderOfAMissingDatabaseIsNotFound) {
  testing::TempDir dir;
  StoreOptions o = Options(dir.File("nothing-here"));
  o.read_only = true;
  auto s = Store::Open(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_TRUE(s.error().IsNotFound()) << s.error().ToString();
}

TEST(LmdbStoreOpen, InvalidOptionsAreRefused) {
  StoreOptions o;
  auto s = Store::Open(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_TRUE(s.error().IsInvalidArgument());
}

// Rewrites the schema record with raw LMDB, as an older or newer build would
// have left it.
void PlantSchema(const std::string& dir, uint32_t schema) {
  MDB_env* env;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_set_maxdbs(env, 8), 0);
  ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0644), 0);
  MDB_txn* txn;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi meta;
  ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
  uint8_t v[4] = {static_cast<uint8_t>(schema), 0, 0, 0};
  MDB_val k{6, const_cast<char*>("schema")};
  MDB_val val{4, v};
  ASSERT_EQ(mdb_put(txn, meta, &k, &val, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

TEST(LmdbStoreOpen, SchemaMismatchIsAClearError) {
  testing::TempDir dir;
  { ASSERT_NE(OpenOrDie(Options(dir.path())), nullptr); }
  PlantSchema(dir.path(), 7);
  for (bool read_only : {false, true}) {
    StoreOptions o = Options(dir.path());
    o.read_only = read_only;
    auto s = Store::Open(o);
    ASSERT_FALSE(s.has_value());
    EXPECT_TRUE(s.error().IsCorruption());
    EXPECT_EQ(s.error().message(),
              "database at " + dir.path() + " has schema 7, this build reads 1");
  }
}

TEST(LmdbStoreOpen, DamagedFileIsCorruption) {
  testing::TempDir dir;
  {
    std::ofstream f(dir.File("data.mdb"), std::ios::binary);
    f << std::string(16384, 'x');
  }
  for (bool read_only : {false, true}) {
    StoreOptions o = Options(dir.path());
    o.read_only = read_only;
    auto s = Store::Open(o);
    ASSERT_FALSE(s.has_value());
    EXPECT_TRUE(s.error().IsCorruption()) << s.error().ToString();
  }
}

TEST(LmdbStoreOpen, ForeignLmdbDatabaseIsRefused) {
  testing::TempDir dir;
  MDB_env* env;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_open(env, dir.path().c_str(), 0, 0644), 0);
  MDB_txn* txn;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi main;
  ASSERT_EQ(mdb_dbi_open(txn, nullptr, 0, &main), 0);
  MDB_val k{3, const_cast<char*>("foo")};
  MDB_val v{3, const_cast<char*>("bar")};
  ASSERT_EQ(mdb_put(txn, main, &k, &v, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
  auto s = Store::Open(Options(dir.path()));
  ASSERT_FALSE(s.has_value());
  EXPECT_TRUE(s.error().IsCorruption());
  EXPECT_NE(s.error().message().find("not a Sonde database"), std::string::npos);
}

TEST(LmdbStoreOpen, IdCollisionsProbeTheNextId) {
  testing::TempDir dir;
  const auto wanted = Key("h", "wanted");
  {
    auto store = OpenOrDie(Options(dir.path()));
    Batch b;
    b.Series(Key("h", "other"), 1, kT0);
    ASSERT_TRUE(store->Write(b.get(), nullptr).ok());
  }
  // Plant the record of "other" under the id "wanted" hashes to, as if the
  // two keys collided.
  {
    MDB_env* env;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_maxdbs(env, 8), 0);
    ASSERT_EQ(mdb_env_open(env, dir.path().c_str(), 0, 0644), 0);
    MDB_txn* txn;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi series;
    ASSERT_EQ(mdb_dbi_open(txn, "series", 0, &series), 0);
    std::string key, value;
    store_internal::AppendSeriesKey(&key, "h", wanted->Hash());
    store_internal::EncodeSeriesRecord(*Key("h", "other"), MetricKind::kGauge, 1, kT0, &value);
    MDB_val k{key.size(), key.data()};
    MDB_val v{value.size(), value.data()};
    ASSERT_EQ(mdb_put(txn, series, &k, &v, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
  }
  auto store = OpenOrDie(Options(dir.path()));
  Batch b;
  b.Add(b.Series(wanted, 5, kT0), Window(Resolution::kMinute, kT0, {5}));
  WriteResult r;
  ASSERT_TRUE(store->Write(b.get(), &r).ok());
  EXPECT_EQ(r.ids[0], wanted->Hash() + 1);
  EXPECT_EQ(store->GetStats().series_collisions, 1u);
  // Written again without the id, the key finds the same probed id.
  WriteResult r2;
  ASSERT_TRUE(store->Write(b.get(), &r2).ok());
  EXPECT_EQ(r2.ids[0], r.ids[0]);
  std::vector<SeriesRollups> got;
  ASSERT_TRUE(store->ReadRollups({"h", kNoSeriesId, "wanted", Resolution::kMinute}, &got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].series.key, *wanted);
  EXPECT_EQ(got[0].windows[0].sum(), 5);
}

}  // namespace
}  // namespace sonde

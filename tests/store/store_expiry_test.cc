// Sweep(): time retention at its exact edge, bounded transactions, catalog
// expiry and the size cap.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

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

size_t CountWindows(Store* store, const std::string& host, Resolution res) {
  std::vector<SeriesRollups> out;
  const Status s = store->ReadRollups({host, kNoSeriesId, "", res}, &out);
  EXPECT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
  size_t n = 0;
  for (const auto& r : out) n += r.windows.size();
  return n;
}

void WriteWindows(Store* store, const std::string& host, int series, Resolution res,
                  int64_t first_start, int count, int64_t last_ms) {
  Batch b;
  for (int i = 0; i < series; ++i) {
    const uint32_t s = b.Series(Key(host, "m" + std::to_string(i)), 1, last_ms);
    for (int k = 0; k < count; ++k) {
      b.Add(s, Window(res, first_start + k * ResolutionMs(res), {1, 2, 3}));
    }
  }
  const Status st = store->Write(b.get(), nullptr);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST(StoreExpiry, MinuteWindowExpiresExactlyAtTheRetentionEdge) {
  testing::TempDir dir;
  auto store = OpenOrDie(Options(dir.path()));
  WriteWindows(store.get(), "h", 1, Resolution::kMinute, kT0, 2, kT0);
  // Window [kT0, kT0 + 1 min) expires when its end is 1 h (the default) old.
  const int64_t edge = kT0 + kMinuteMs + kHourMs;
  SweepResult r;
  ASSERT_TRUE(store->Sweep(edge - 1, &r).ok());
  EXPECT_EQ(r.minute_windows_expired, 0u);
  EXPECT_EQ(CountWindows(store.get(), "h", Resolution::kMinute), 2u);
  ASSERT_TRUE(store->Sweep(edge, &r).ok());
  EXPECT_EQ(r.minute_windows_expired, 1u);
  EXPECT_EQ(CountWindows(store.get(), "h", Resolution::kMinute), 1u);
  ASSERT_TRUE(store->Sweep(edge + kMinuteMs, &r).ok());
  EXPECT_EQ(r.minute_windows_expired, 1u);
  EXPECT_EQ(CountWindows(store.get(), "h", Resolution::kMinute), 0u);
  EXPECT_EQ(store->GetStats().windows_expired, 2u);
}

TEST(StoreExpiry, HourRetentionIsConfigurableWithoutRewriting) {
  testing::TempDir dir;
  StoreOptions week = Options(dir.path());
  week.hour_retention = std::chrono::hours(24 * 7);
  const int64_t now = kT0 + 8 * 24 * kHourMs;
  {
    auto store = OpenOrDie(week);
    // Hours from 8 days ago up to now.
    WriteWindows(store.get(), "h", 2, Resolution::kHour, kT0, 8 * 24, now);
    SweepResult r;
    ASSERT_TRUE(store->Sweep(now, &r).ok());
    // Windows ending at or before now - 7 days: the first 24.
    EXPECT_EQ(r.hour_windows_expired, 2u * 24);
    EXPECT_EQ(CountWindows(store.get(), "h", Resolution::kHour), 2u * 7 * 24);
  }
  StoreOptions day = Options(dir.path());  // Default: 24 h of hours.
  auto store = OpenOrDie(day);
  SweepResult r;
  ASSERT_TRUE(store->Sweep(now, &r).ok());
  EXPECT_EQ(r.hour_windows_expired, 2u * 6 * 24);
  EXPECT_EQ(CountWindows(store.get(), "h", Resolution::kHour), 2u * 24);
  // The edge again, for hours: the oldest left ends exactly 24 h + 1 h later.
  std::vector<SeriesRollups> out;
  ASSERT_TRUE(store->ReadRollups({"h", kNoSeriesId, "m0", Resolution::kHour}, &out).ok());
  EXPECT_EQ(out[0].windows.front().end_ms(), now - 24 * kHourMs + kHourMs);
}

TEST(StoreExpiry, DeletesInBoundedTransactions) {
  testing::TempDir dir;
  StoreOptions o = Options(dir.path());
  o.sweep_keys_per_txn = 10;
  o.sweep_txns_per_call = 4;
  auto store = OpenOrDie(o);
  WriteWindows(store.get(), "h", 5, Resolution::kMinute, kT0, 19, kT0);  // 95 windows.
  const int64_t now = kT0 + 200 * kMinuteMs;
  SweepResult r;
  ASSERT_TRUE(store->Sweep(now, &r).ok());
  EXPECT_TRUE(r.more);
  EXPECT_EQ(r.minute_windows_expired, 40u);  // 4 transactions of 10.
  EXPECT_EQ(r.transactions, 4u);
  uint64_t total = r.minute_windows_expired;
  for (int i = 0; i < 10 && r.more; ++i) {
    ASSERT_TRUE(store->Sweep(now, &r).ok());
    total += r.minute_windows_expired;
  }
  EXPECT_FALSE(r.more);
  EXPECT_EQ(total, 95u);
  EXPECT_EQ(CountWindows(store.get(), "h", Resolution::kMinute), 0u);
}

TEST(StoreExpiry, NothingToExpireCostsOneLookPerTable) {
  testing::TempDir dir;
  auto store = OpenOrDie(Options(dir.path()));
  WriteWindows(store.get(), "h", 50, Resolution::kMinute, kT0, 10, kT0);
  SweepResult r;
  ASSERT_TRUE(store->Sweep(kT0, &r).ok());
  EXPECT_EQ(r.minute_windows_expired + r.hour_windows_expired + r.series_expired, 0u);
  EXPECT_LE(r.transactions, 4u);
  EXPECT_FALSE(r.more);
}

TEST(StoreExpiry, CatalogForgetsSilentHostsAndSeries) {
  testing::TempDir dir;
  StoreOptions o = Options(dir.path());
  o.catalog_retention = std::chrono::hours(48);
  auto store = OpenOrDie(o);
  Batch b;
  b.Series(Key("gone", "cpu"), 1, kT0);
  b.Series(Key("gone", "mem"), 1, kT0);
  b.Series(Key("alive", "cpu"), 1, kT0 + 47 * kHourMs);
  b.Series(Key("alive", "old.metric"), 1, kT0);
  ASSERT_TRUE(store->Write(b.get(), nullptr).ok());
  SweepResult r;
  ASSERT_TRUE(store->Sweep(kT0 + 48 * kHourMs, &r).ok());
  EXPECT_EQ(r.hosts_expired, 1u);
  EXPECT_EQ(r.series_expired, 3u);
  std::vector<HostInfo> hosts;
  ASSERT_TRUE(store->ListHosts(&hosts).ok());
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].host, "alive");
  std::vector<LatestState> series;
  ASSERT_TRUE(store->ListSeries("alive", &series).ok());
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].key.name(), "cpu");
  EXPECT_TRUE(store->ListSeries("gone", &series).IsNotFound());
}

TEST(StoreExpiry, SizeCapEvictsOldestMinutesFirst) {
  testing::TempDir dir;
  StoreOptions o = Options(dir.path());
  o.size_cap_bytes = uint64_t{1} << 20;
  o.sweep_keys_per_txn = 200;
  auto store = OpenOrDie(o);
  // Wide sketches make ~500-byte windows: 60 series x 60 minutes is ~2 MB.
  std::vector<double> wide;
  for (int i = 0; i < 400; ++i) wide.push_back(std::pow(1.05, i));
  Batch b;
  for (int i = 0; i < 60; ++i) {
    const uint32_t s = b.Series(Key("h", "m" + std::to_string(i)), 1, kT0);
    for (int k = 0; k < 60; ++k) b.Add(s, Window(Resolution::kMinute, kT0 + k * kMinuteMs, wide));
    b.Add(s, Window(Resolution::kHour, kT0, wide));
  }
  ASSERT_TRUE(store->Write(b.get(), nullptr).ok());
  ASSERT_GT(store->GetStats().data_bytes, o.size_cap_bytes);
  SweepResult r;
  ASSERT_TRUE(store->Sweep(kT0 + kMinuteMs, &r).ok());  // Nothing is old enough to expire.
  EXPECT_EQ(r.minute_windows_expired, 0u);
  EXPECT_GT(r.windows_evicted, 0u);
  EXPECT_LE(store->GetStats().data_bytes, o.size_cap_bytes);
  EXPECT_EQ(store->GetStats().windows_evicted, r.windows_evicted);
  EXPECT_EQ(CountWindows(store.get(), "h", Resolution::kHour), 60u);  // Hours kept.
  // What is left of the minutes is the newest.
  std::vector<SeriesRollups> out;
  ASSERT_TRUE(store->ReadRollups({"h", kNoSeriesId, "", Resolution::kMinute}, &out).ok());
  ASSERT_FALSE(out.empty());
  for (const auto& s : out) EXPECT_EQ(s.windows.back().start_ms(), kT0 + 59 * kMinuteMs);
}

}  // namespace
}  // namespace sonde

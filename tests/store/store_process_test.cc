// The store's environment limits and other processes: MDB_MAP_FULL growth,
// the hard size limit, a reader process while writing, a second writer
// process, and kill -9 of the writer.
//
// Child processes run this same binary with --gtest_filter=StoreChild.Run
// and SONDE_STORE_CHILD=<mode>:<dir> (store_test_util.h); run directly,
// StoreChild.Run skips.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "sonde/store.h"
#include "store_test_util.h"
#include "testutil/testutil.h"

namespace sonde {
namespace {

using store_test::Batch;
using store_test::Key;
using store_test::kMinuteMs;
using store_test::kT0;
using store_test::OpenOrDie;
using store_test::Options;
using store_test::Window;

constexpr int kSeries = 40;

// ~500-byte windows: enough to fill a small map quickly.
const std::vector<double>& Wide() {
  static const auto* v = [] {
    auto* w = new std::vector<double>;
    for (int i = 0; i < 400; ++i) w->push_back(std::pow(1.05, i));
    return w;
  }();
  return *v;
}

// Batch k: every series of host "h" gets latest value k and the window of
// minute k. A reader that sees any of batch k sees all of it.
FlushBatch Tick(int k, int series = kSeries) {
  Batch b;
  for (int i = 0; i < series; ++i) {
    const uint32_t s = b.Series(Key("h", "m" + std::to_string(i)), k, kT0 + k * kMinuteMs);
    b.Add(s, Window(Resolution::kMinute, kT0 + k * kMinuteMs, Wide()));
  }
  return b.get();
}

TEST(StoreMap, GrowsWhenFullAndReplaysTheBatch) {
  testing::TempDir dir;
  auto store = OpenOrDie(Options(dir.path()));  // 1 MiB map.
  Batch b;
  for (int i = 0; i < 2000; ++i) {
    const uint32_t s = b.Series(Key("h", "m" + std::to_string(i)), 1, kT0);
    for (int k = 0; k < 3; ++k) b.Add(s, Window(Resolution::kMinute, kT0 + k * kMinuteMs, Wide()));
  }
  WriteResult r;
  const Status s = store->Write(b.get(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(r.map_grows, 1u);
  EXPECT_EQ(r.windows_written, 6000u);
  const StoreStats st = store->GetStats();
  EXPECT_EQ(st.map_grows, r.map_grows);
  EXPECT_GT(st.map_bytes, uint64_t{1} << 20);
  EXPECT_EQ(st.windows_written, 6000u);  // Counted once, not once per replay.
  std::vector<SeriesRollups> out;
  ASSERT_TRUE(store->ReadRollups({"h", kNoSeriesId, "", Resolution::kMinute}, &out).ok());
  ASSERT_EQ(out.size(), 2000u);
  for (const auto& series : out) ASSERT_EQ(series.windows.size(), 3u);
}

TEST(StoreMap, HardLimitShedsNewDataAndQueriesStillWork) {
  testing::TempDir dir;
  StoreOptions o = Options(dir.path());
  o.max_map_bytes = uint64_t{2} << 20;
  auto store = OpenOrDie(o);
  int written = 0;
  Status s;
  for (int k = 1; k <= 200 && s.ok(); ++k) {
    s = store->Write(Tick(k), nullptr);
    if (s.ok()) written = k;
  }
  ASSERT_TRUE(s.IsResourceExhausted()) << s.ToString();
  EXPECT_NE(s.message().find("max_map_bytes"), std::string::npos) << s.message();
  const StoreStats st = store->GetStats();
  EXPECT_EQ(st.batches_shed, 1u);
  EXPECT_EQ(st.windows_shed, static_cast<uint64_t>(kSeries));
  EXPECT_EQ(st.write_errors, 1u);
  EXPECT_LE(st.map_bytes, o.max_map_bytes);
  // Queries see everything accepted and nothing of the shed batch.
  std::vector<SeriesRollups> out;
  ASSERT_TRUE(store->ReadRollups({"h", kNoSeriesId, "", Resolution::kMinute}, &out).ok());
  ASSERT_EQ(out.size(), static_cast<size_t>(kSeries));
  EXPECT_EQ(out[0].windows.size(), static_cast<size_t>(written));
  EXPECT_EQ(out[0].series.value, written);
  // Expiry frees pages (using its small reserve if the map is full) and
  // writes resume.
  SweepResult r;
  ASSERT_TRUE(store->Sweep(kT0 + 10 * 24 * 3600000LL, &r).ok());
  EXPECT_EQ(r.minute_windows_expired, static_cast<uint64_t>(written) * kSeries);
  const Status again = store->Write(Tick(written + 1), nullptr);
  EXPECT_TRUE(again.ok()) << again.ToString();
}

// ---- Other processes -------------------------------------------------------------

// Reads until the parent writes host "done", checking that every read sees
// whole batches and never goes back in time.
void RunReader(const std::string& dir) {
  StoreOptions o = Options(dir);
  o.read_only = true;
  auto store = OpenOrDie(o);
  ASSERT_NE(store, nullptr);
  std::ofstream(dir + "/reader.ready") << getpid();
  double last_k = 0;
  uint64_t reads = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (bool done = false; !done; ++reads) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::vector<LatestState> latest;
    ASSERT_TRUE(store->ReadLatest({"h", "", {}}, &latest).ok());
    ASSERT_EQ(latest.size(), static_cast<size_t>(kSeries));
    for (const LatestState& l : latest) ASSERT_EQ(l.value, latest[0].value);
    ASSERT_GE(latest[0].value, last_k);
    last_k = latest[0].value;
    std::vector<SeriesRollups> rollups;
    ASSERT_TRUE(store->ReadRollups({"h", kNoSeriesId, "", Resolution::kMinute}, &rollups).ok());
    for (const auto& r : rollups) ASSERT_EQ(r.windows.size(), rollups[0].windows.size());
    std::vector<HostInfo> hosts;
    ASSERT_TRUE(store->ListHosts(&hosts).ok());
    for (const HostInfo& h : hosts) done = done || h.host == "done";
  }
  // "done" was written after the last tick, so a read now sees all of them.
  std::vector<LatestState> latest;
  ASSERT_TRUE(store->ReadLatest({"h", "", {}}, &latest).ok());
  EXPECT_EQ(latest[0].value, 150);
  std::cout << "reader: reads=" << reads
            << " map_resizes_adopted=" << store->GetStats().map_resizes_adopted << "\n";
}

// Must be refused while the parent holds the write lock.
void RunSecondWriter(const std::string& dir) {
  auto s = Store::Open(Options(dir));
  ASSERT_FALSE(s.has_value());
  EXPECT_TRUE(s.error().IsUnavailable()) << s.error().ToString();
  EXPECT_NE(s.error().message().find("pid " + std::to_string(getppid())), std::string::npos)
      << s.error().message();
}

// Writes ticks until killed.
void RunCrashWriter(const std::string& dir) {
  auto store = OpenOrDie(Options(dir));
  ASSERT_NE(store, nullptr);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int k = 1; std::chrono::steady_clock::now() < deadline; ++k) {
    ASSERT_TRUE(store->Write(Tick(k, 20), nullptr).ok());
  }
}

TEST(StoreChild, Run) {
  const std::string mode = store_test::ChildMode();
  if (mode.empty()) GTEST_SKIP() << "runs only as a child of another store test";
  const size_t colon = mode.find(':');
  const std::string name = mode.substr(0, colon);
  const std::string dir = mode.substr(colon + 1);
  if (name == "reader") return RunReader(dir);
  if (name == "writer") return RunSecondWriter(dir);
  if (name == "crash-writer") return RunCrashWriter(dir);
  FAIL() << "unknown child mode " << name;
}

bool ExitedCleanly(int status) {
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(StoreProcesses, ReaderProcessSeesWholeBatchesWhileTheMapGrows) {
  testing::TempDir dir;
  auto store = OpenOrDie(Options(dir.path()));  // 1 MiB map: it grows below.
  ASSERT_TRUE(store->Write(Tick(1), nullptr).ok());
  const pid_t child = store_test::SpawnChild("StoreChild.Run", "reader", dir.path());
  ASSERT_TRUE(testing::WaitFor([&] { return std::filesystem::exists(dir.File("reader.ready")); }));
  for (int k = 2; k <= 150; ++k) ASSERT_TRUE(store->Write(Tick(k), nullptr).ok());
  Batch done;
  done.Series(Key("done", "done"), 1, kT0);
  ASSERT_TRUE(store->Write(done.get(), nullptr).ok());
  EXPECT_TRUE(ExitedCleanly(store_test::WaitChild(child)));
  EXPECT_GE(store->GetStats().map_grows, 1u);
}

TEST(StoreProcesses, SecondWriterProcessIsRefused) {
  testing::TempDir dir;
  auto store = OpenOrDie(Options(dir.path()));
  const pid_t child = store_test::SpawnChild("StoreChild.Run", "writer", dir.path());
  EXPECT_TRUE(ExitedCleanly(store_test::WaitChild(child)));
}

TEST(StoreProcesses, KilledWriterLosesNoCommittedBatch) {
  testing::TempDir dir;
  const pid_t child = store_test::SpawnChild("StoreChild.Run", "crash-writer", dir.path());
  StoreOptions ro = Options(dir.path());
  ro.read_only = true;
  double seen = 0;
  {
    std::unique_ptr<Store> reader;
    ASSERT_TRUE(testing::WaitFor([&] {
      std::vector<LatestState> latest;
      if (reader == nullptr) {
        auto r = Store::Open(ro);
        if (!r) return false;  // Not created yet.
        reader = std::move(r.value());
      }
      if (!reader->ReadLatest({}, &latest).ok() || latest.empty()) return false;
      seen = latest[0].value;
      return seen >= 20;
    }));
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  // The lock died with the writer: a new writer opens at once.
  auto store = OpenOrDie(Options(dir.path()));
  ASSERT_NE(store, nullptr);
  std::vector<LatestState> latest;
  ASSERT_TRUE(store->ReadLatest({}, &latest).ok());
  ASSERT_EQ(latest.size(), 20u);
  for (const LatestState& l : latest) EXPECT_EQ(l.value, latest[0].value);  // Whole batches.
  EXPECT_GE(latest[0].value, seen);  // Nothing committed was lost.
  std::vector<SeriesRollups> out;
  ASSERT_TRUE(store->ReadRollups({"h", kNoSeriesId, "", Resolution::kMinute}, &out).ok());
  for (const auto& r : out) {
    EXPECT_EQ(r.windows.size(), static_cast<size_t>(latest[0].value));
  }
  EXPECT_TRUE(store->Write(Tick(static_cast<int>(latest[0].value) + 1, 20), nullptr).ok());
}

}  // namespace
}  // namespace sonde

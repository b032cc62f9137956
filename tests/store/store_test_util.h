// Helpers shared by the store tests: keys, windows and batches in one line,
// options for a fresh temp dir, and a child process running this same test
// binary (for readers and writers in another process).
#ifndef SONDE_TESTS_STORE_STORE_TEST_UTIL_H_
#define SONDE_TESTS_STORE_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "sonde/rollup_window.h"
#include "sonde/series_key.h"
#include "sonde/store.h"
#include "testutil/testutil.h"

extern char** environ;

namespace sonde::store_test {

constexpr int64_t kT0 = 1704067200000;  // 2024-01-01T00:00:00Z, an hour boundary.
constexpr int64_t kMinuteMs = 60000;
constexpr int64_t kHourMs = 3600000;

inline std::shared_ptr<const SeriesKey> Key(std::string host, std::string name, Tags tags = {}) {
  auto k = SeriesKey::Make(std::move(host), std::move(name), std::move(tags));
  EXPECT_TRUE(k.has_value());
  return std::make_shared<const SeriesKey>(k.value_or(SeriesKey()));
}

// A window holding `values`, sampled 1 ms apart from its start.
inline RollupWindow Window(Resolution res, int64_t start, const std::vector<double>& values,
                           MetricKind kind = MetricKind::kGauge, bool open = false) {
  RollupWindow w(kind, res, start);
  for (size_t i = 0; i < values.size(); ++i) w.Add(values[i], start + static_cast<int64_t>(i));
  w.set_open(open);
  return w;
}

// Builds a FlushBatch a series at a time.
class Batch {
 public:
  // Adds a series; returns its index for AddWindow.
  uint32_t Series(std::shared_ptr<const SeriesKey> key, double value, int64_t ts,
                  MetricKind kind = MetricKind::kGauge, SeriesId id = kNoSeriesId) {
    batch_.series.push_back({std::move(key), id, kind, value, ts});
    return static_cast<uint32_t>(batch_.series.size() - 1);
  }
  Batch& Add(uint32_t series, RollupWindow w) {
    batch_.windows.push_back({series, std::move(w)});
    return *this;
  }
  const FlushBatch& get() const { return batch_; }
  FlushBatch& mutable_batch() { return batch_; }

 private:
  FlushBatch batch_;
};

inline StoreOptions Options(const std::string& dir) {
  StoreOptions o;
  o.dir = dir;
  o.initial_map_bytes = uint64_t{1} << 20;
  o.max_map_bytes = uint64_t{256} << 20;
  o.size_cap_bytes = 0;
  return o;
}

inline std::unique_ptr<Store> OpenOrDie(const StoreOptions& o) {
  auto s = Store::Open(o);
  EXPECT_TRUE(s.has_value()) << s.status().ToString();
  return s ? std::move(s.value()) : nullptr;
}

// The mode a child process runs in ("" in the parent): SONDE_STORE_CHILD is
// "mode:dir".
inline std::string ChildMode() {
  const char* v = std::getenv("SONDE_STORE_CHILD");
  return v == nullptr ? "" : v;
}

// Runs this test binary again with --gtest_filter=<filter> and
// SONDE_STORE_CHILD=<mode>:<dir>. Returns the pid.
inline pid_t SpawnChild(const std::string& filter, const std::string& mode,
                        const std::string& dir) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.push_back("SONDE_STORE_CHILD=" + mode + ":" + dir);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe";
  std::string flt = "--gtest_filter=" + filter;
  char* argv[] = {exe.data(), flt.data(), nullptr};
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, envp.data()), 0);
  return pid;
}

// Waits (with a deadline, never a bare sleep) for a child; returns its exit
// status as waitpid reports it, or -1 on timeout (the child is then killed).
inline int WaitChild(pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  int status = -1;
  const bool exited =
      testing::WaitFor([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
  }
  return status;
}

}  // namespace sonde::store_test

#endif  // SONDE_TESTS_STORE_STORE_TEST_UTIL_H_

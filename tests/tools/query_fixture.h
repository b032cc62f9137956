// QueryFixture: a real LMDB store in a temp dir holding known windows and
// latest states, written through the store API by this (writer) process,
// and a runner for the real `sonde` binary as a separate reader process.
//
// The data (times are 2024-05-01, UTC; "now" is 12:05:00 via --now):
//   web-01  cpu{core=0,dc=east}   gauge   minutes 12:00 [10,20] 12:01 [30]
//                                          12:02 [40,50,60] 12:04 [90] (open);
//                                          hour 12:00 = all of them; last 90 @12:04:30
//           cpu{core=1,dc=east}   gauge   minutes 12:00..12:04 [5] each; last 5 @12:04:00
//           requests{dc=east}     counter minutes 12:00..12:04 sums 60,120,180,240,300
//                                          (one sample each); last 300 @12:04:10
//           mem.used{dc=east}     gauge   minute 12:04 [2.5e9]; last 2.5e9 @12:04:20
//   web-02  cpu{core=0,dc=west}   gauge   minute 12:03 [75]; last 75 @12:03:15
//   db-01   disk.free{dc=east,role=db} gauge  minute 12:00 [0.25]; last 0.25 @12:00:50
#ifndef SONDE_TESTS_TOOLS_QUERY_FIXTURE_H_
#define SONDE_TESTS_TOOLS_QUERY_FIXTURE_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sonde/store.h"
#include "testutil/testutil.h"

namespace sonde::testing {

// 2024-05-01T12:00:00Z.
inline constexpr int64_t kT0 = 1714564800000;
inline constexpr int64_t kMinute = 60000;
inline constexpr const char* kNow = "2024-05-01T12:05:00Z";

class QueryFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override { store_.reset(); }

  // Runs `sonde ARGS... --db <dir> --now kNow` with COLUMNS=`columns`.
  RunResult Sonde(std::vector<std::string> args, int columns = 100);
  // Runs `sonde ARGS...` as given, with this environment added.
  RunResult SondeRaw(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& extra_env = {});

  const std::string& db() const { return dir_.path(); }
  // Adds (or updates) one series' latest state, and so its host, to the
  // store; for tests that need more than the fixture's data.
  void WriteLatest(const std::string& host, const std::string& name, const Tags& tags, double value,
                   int64_t timestamp_ms);
  // Adds one untagged series of `kind` with these windows (written as
  // given, open ones open); its latest state is the last window's last.
  void WriteWindows(const std::string& host, const std::string& name, MetricKind kind,
                    std::vector<RollupWindow> windows);

  // Closes this process's writer, so that another (a summarizer) can open
  // the store.
  void CloseStore() { store_.reset(); }

 private:
  void WriteFixture();

  TempDir dir_;
  TempDir home_;
  std::unique_ptr<Store> store_;  // Stays open: the binary reads beside a writer.
};

}  // namespace sonde::testing

#endif  // SONDE_TESTS_TOOLS_QUERY_FIXTURE_H_

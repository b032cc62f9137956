// The real sonde-summarizer binary as a child process with a 1 s flush,
// fed through liz's POST ingest: kill -9 during ingest and restart (no loss
// beyond the last tick, no double counting), a clean SIGTERM that flushes
// everything, and a concurrent reader process on the same LMDB while the
// summarizer writes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "sonde/api_json.h"
#include "sonde/store.h"
#include "summarizer_test_util.h"

namespace sonde::summarizer {
namespace {

using testing::Child;
using testing::HttpCall;

struct Totals {
  uint64_t count = 0;
  double sum = 0;
};

class SummarizerProcess : public ::testing::Test {
 protected:
  void Start() {
    port_ = testing::FreePort();
    child_ = std::make_unique<Child>(
        std::vector<std::string>{sonde::testing::BinaryPath("sonde-summarizer"), "--data-dir", db_,
                                 "--http", "127.0.0.1:" + std::to_string(port_), "--from",
                                 "tcp://127.0.0.1:" + std::to_string(testing::FreePort()),
                                 "--flush-interval", "1s", "--log-level", "warn"},
        dir_.File("summarizer.log"));
    ASSERT_TRUE(
        sonde::testing::WaitFor([&] { return HttpCall(port_, "GET", "/healthz").status == 200; },
                                std::chrono::seconds(20)));
  }

  // Posts value `i` as sample "x" of host "h", now.
  void Post(int i) {
    const std::string target = "/api/perf/h/" + std::to_string(sonde::testing::NowMs() / 1000);
    auto r = HttpCall(port_, "POST", target, "{\"x\": " + std::to_string(i) + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.body, R"({"accepted":1,"rejected":0})");
  }

  // What the store holds for "x", summed over every window of `res`.
  Totals Stored(const std::string& res) {
    Totals t;
    auto r = api::ParseRollupsResponse(
        HttpCall(port_, "GET", "/api/v1/rollups?host=h&label=x&since=2h&res=" + res).body);
    if (!r.has_value()) return t;
    for (const auto& s : r->series) {
      for (const auto& w : s.windows) {
        t.count += w.count;
        t.sum += w.sum;
      }
    }
    return t;
  }

  static double PrefixSum(uint64_t n) { return static_cast<double>(n * (n + 1) / 2); }

  sonde::testing::TempDir dir_;
  std::string db_ = dir_.path() + "/db";
  uint16_t port_ = 0;
  std::unique_ptr<Child> child_;
};

// A reader process: opens the store read-only and reads while the
// summarizer writes, until it has seen `target` samples of h/x. Exit codes:
// 0 done, 2 open failed, 3 a read failed, 4 the count went backwards,
// 5 timed out.
int RunReader(const std::string& db, uint64_t target) {
  StoreOptions o;
  o.dir = db;
  o.read_only = true;
  std::unique_ptr<Store> store;
  if (!sonde::testing::WaitFor([&] {
        auto s = Store::Open(o);
        if (!s.has_value()) return false;
        store = std::move(s).value();
        return true;
      })) {
    return 2;
  }
  uint64_t last = 0;
  const bool done = sonde::testing::WaitFor(
      [&] {
        std::vector<HostInfo> hosts;
        if (!store->ListHosts(&hosts).ok()) return true;
        RollupQuery q;
        q.host = "h";
        q.label = "x";
        std::vector<SeriesRollups> out;
        Status s = store->ReadRollups(q, &out);
        if (s.IsNotFound()) return false;
        if (!s.ok()) {
          last = ~uint64_t{0};
          return true;
        }
        uint64_t n = 0;
        for (const auto& r : out) {
          for (const auto& w : r.windows) n += w.count();
        }
        if (n < last) {
          last = ~uint64_t{0} - 1;
          return true;
        }
        last = n;
        return n >= target;
      },
      std::chrono::seconds(30));
  if (last == ~uint64_t{0}) return 3;
  if (last == ~uint64_t{0} - 1) return 4;
  return done ? 0 : 5;
}

TEST_F(SummarizerProcess, KillDashNineLosesAtMostTheLastTickAndNeverDoubleCounts) {
  Start();
  // A concurrent reader process on the same environment.
  const pid_t reader = fork();
  ASSERT_GE(reader, 0);
  if (reader == 0) _exit(RunReader(db_, 50));

  // Phase A: 50 samples, confirmed flushed.
  for (int i = 1; i <= 50; ++i) Post(i);
  ASSERT_TRUE(sonde::testing::WaitFor([&] { return Stored("minute").count == 50; }));
  int status = 0;
  ASSERT_EQ(waitpid(reader, &status, 0), reader);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "reader process failed";

  // Phase B: 20 more, then kill -9 at once: these may or may not have been
  // flushed, but whatever was is a prefix of what was posted.
  for (int i = 51; i <= 70; ++i) Post(i);
  child_->Signal(SIGKILL);
  EXPECT_EQ(child_->Wait(), 128 + SIGKILL);

  Start();
  Totals after_kill = Stored("minute");
  EXPECT_GE(after_kill.count, 50u);
  EXPECT_LE(after_kill.count, 70u);
  EXPECT_DOUBLE_EQ(after_kill.sum, PrefixSum(after_kill.count));  // A prefix, counted once.
  Totals hour = Stored("hour");
  EXPECT_EQ(hour.count, after_kill.count);
  EXPECT_DOUBLE_EQ(hour.sum, after_kill.sum);

  // Phase C: the resumed windows keep counting; a clean SIGTERM right after
  // the last post still writes everything.
  const uint64_t base = after_kill.count;
  for (int i = 71; i <= 100; ++i) Post(i);
  child_->Signal(SIGTERM);
  EXPECT_EQ(child_->Wait(), 0);

  Start();
  Totals final_minutes = Stored("minute");
  EXPECT_EQ(final_minutes.count, base + 30);
  EXPECT_DOUBLE_EQ(final_minutes.sum, PrefixSum(base) + (PrefixSum(100) - PrefixSum(70)));
  Totals final_hours = Stored("hour");
  EXPECT_EQ(final_hours.count, final_minutes.count);
  EXPECT_DOUBLE_EQ(final_hours.sum, final_minutes.sum);
  child_->Signal(SIGTERM);
  EXPECT_EQ(child_->Wait(), 0);
}

TEST_F(SummarizerProcess, SecondWriterOnTheSameDirectoryIsRefused) {
  Start();
  Child second({sonde::testing::BinaryPath("sonde-summarizer"), "--data-dir", db_, "--http",
                "127.0.0.1:0", "--from", "tcp://127.0.0.1:1"},
               dir_.File("second.log"));
  EXPECT_EQ(second.Wait(), 1);
}

TEST_F(SummarizerProcess, BadFlagsExitWithTwo) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--from", "udp://x:1"},
                                               {"--flush-interval", "10x"},
                                               {"--http", "nonsense"},
                                               {"--max-series", "0"},
                                               {"--lateness", "2h"}}) {
    std::vector<std::string> argv{sonde::testing::BinaryPath("sonde-summarizer"), "--data-dir",
                                  db_};
    argv.insert(argv.end(), args.begin(), args.end());
    Child c(argv, dir_.File("bad.log"));
    EXPECT_EQ(c.Wait(), 2) << args[0] << " " << args[1];
  }
}

}  // namespace
}  // namespace sonde::summarizer

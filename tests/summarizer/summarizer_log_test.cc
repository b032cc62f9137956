// What an in-process Summarizer logs per flush tick (docs/summarizer.md,
// "Logs"): a routine flush at debug, so the default level (info) is not
// flooded with one line a second; a slow one at info. Lines are captured
// with a ringbuffer sink (spdlog 1.10 has no callback sink).
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "sonde/clock.h"
#include "summarizer_test_util.h"

namespace sonde::summarizer {
namespace {

constexpr int64_t kNow = 1704067200000 + 30000;  // 2024-01-01T00:00:30Z

// Wall time stands still; every steady reading is `step` later than the
// last, so every measured flush takes at least `step`.
class SteppingClock final : public Clock {
 public:
  explicit SteppingClock(std::chrono::nanoseconds step) : step_(step.count()) {}
  int64_t WallMs() const override { return kNow; }
  int64_t SteadyNs() const override { return steady_.fetch_add(step_) + step_; }

 private:
  const int64_t step_;
  mutable std::atomic<int64_t> steady_{0};
};

// Runs a summarizer with `clock` until it has flushed three posted samples,
// stops it, and returns its "event=flush" lines as "<level> <message>".
std::vector<std::string> FlushLines(const Clock* clock, std::chrono::milliseconds flush_interval) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1024);
  sink->set_pattern("%l %v");
  auto logger = std::make_shared<spdlog::logger>("test.summarizer", sink);
  logger->set_level(spdlog::level::trace);
  sonde::testing::TempDir dir;
  SummarizerOptions o;
  o.data_dir = dir.path() + "/db";
  o.from = {"tcp://127.0.0.1:" + std::to_string(testing::FreePort())};
  o.http = "127.0.0.1:0";
  o.flush_interval = flush_interval;
  o.clock = clock;
  o.logger = logger;
  {
    testing::RunningSummarizer s(o);
    EXPECT_TRUE(s.ok());
    if (!s.ok()) return {};
    for (uint64_t i = 1; i <= 3; ++i) {
      const std::string body = R"({"cpu": )" + std::to_string(i) + "}";
      EXPECT_EQ(testing::HttpCall(s.port(), "POST",
                                  "/api/perf/web-01/" + std::to_string(kNow / 1000), body)
                    .status,
                200);
      EXPECT_TRUE(sonde::testing::WaitFor([&] { return s->counters().flushes >= i; }));
    }
  }
  std::vector<std::string> lines;
  for (std::string& l : sink->last_formatted()) {
    if (l.find("event=flush ") != std::string::npos) lines.push_back(std::move(l));
  }
  return lines;
}

// A flush that went well, in time and with no tick skipped.
bool Routine(const std::string& line) {
  return line.find(" ok=true slow=false ticks_skipped=0 windows_shed=0") != std::string::npos;
}

TEST(SummarizerLog, RoutineFlushesLogAtDebug) {
  // Steady time stands still: every flush takes 0 us. A write may still
  // outlast a tick on a loaded machine (a skipped tick is logged at info),
  // hence the long tick.
  FakeClock clock(kNow);
  const std::vector<std::string> lines = FlushLines(&clock, std::chrono::milliseconds(250));
  EXPECT_GE(lines.size(), 3u);
  size_t routine = 0;
  for (const std::string& l : lines) {
    const bool is_routine = Routine(l);
    routine += is_routine;
    EXPECT_EQ(l.rfind(is_routine ? "debug event=flush " : "info event=flush ", 0), 0u) << l;
  }
  EXPECT_GE(routine, 1u);
}

TEST(SummarizerLog, FlushesSlowerThanATickLogAtInfo) {
  SteppingClock clock(std::chrono::seconds(1));  // Far beyond the 20 ms tick.
  const std::vector<std::string> lines = FlushLines(&clock, std::chrono::milliseconds(20));
  EXPECT_GE(lines.size(), 3u);
  for (const std::string& l : lines) {
    EXPECT_EQ(l.rfind("info event=flush ", 0), 0u) << l;
    EXPECT_NE(l.find(" slow=true "), std::string::npos) << l;
  }
}

}  // namespace
}  // namespace sonde::summarizer

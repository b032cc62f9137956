#include "sonde/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>

#include "testutil/testutil.h"

namespace sonde {
namespace {

// A logger whose lines the test can read back.
RateLimitedLog::Options LimiterOptions(const Clock* clock, size_t max_keys = 1024) {
  RateLimitedLog::Options o;
  o.clock = clock;
  o.max_keys = max_keys;
  return o;
}

LogOptions WithLevel(std::string level) {
  LogOptions o;
  o.level = std::move(level);
  return o;
}

struct CapturedLogger {
  CapturedLogger() : sink(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(128)) {
    sink->set_pattern("%v");
    logger = std::make_shared<spdlog::logger>("test.capture", sink);
    logger->set_level(spdlog::level::trace);
  }
  std::vector<std::string> Lines() {
    auto lines = sink->last_formatted();
    for (auto& l : lines) {
      while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
    }
    return lines;
  }

  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink;
  std::shared_ptr<spdlog::logger> logger;
};

TEST(RateLimitedLog, OneLinePerKeyPerIntervalWithSuppressedCount) {
  CapturedLogger cap;
  FakeClock clock;
  RateLimitedLog limiter(cap.logger, LimiterOptions(&clock));
  EXPECT_TRUE(limiter.Warn("sample_dropped", "truncated", "peer={} bytes={}", "10.0.0.7:5000", 3));
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(limiter.Warn("sample_dropped", "truncated", "peer={}", "x"));
  }
  EXPECT_EQ(limiter.PendingSuppressedForTest("sample_dropped", "truncated"), 4u);
  // Another reason has its own budget.
  EXPECT_TRUE(limiter.Warn("sample_dropped", "nan", ""));
  clock.AdvanceMs(9999);
  EXPECT_FALSE(limiter.Warn("sample_dropped", "truncated", "peer={}", "y"));
  clock.AdvanceMs(1);
  EXPECT_TRUE(limiter.Warn("sample_dropped", "truncated", "peer={}", "z"));
  EXPECT_EQ(limiter.PendingSuppressedForTest("sample_dropped", "truncated"), 0u);
  EXPECT_EQ(cap.Lines(), (std::vector<std::string>{
                             "event=sample_dropped reason=truncated peer=10.0.0.7:5000 bytes=3 "
                             "suppressed=0",
                             "event=sample_dropped reason=nan suppressed=0",
                             "event=sample_dropped reason=truncated peer=z suppressed=5",
                         }));
}

// A type whose formatting the test can observe.
struct Expensive {
  int* formatted;
};

}  // namespace
}  // namespace sonde

template <>
struct fmt::formatter<sonde::Expensive> : fmt::formatter<int> {
  auto format(const sonde::Expensive& e, fmt::format_context& ctx) const {
    ++*e.formatted;
    return fmt::formatter<int>::format(1, ctx);
  }
};

namespace sonde {
namespace {

TEST(RateLimitedLog, SuppressedLinesAreNotFormatted) {
  CapturedLogger cap;
  FakeClock clock;
  RateLimitedLog limiter(cap.logger, LimiterOptions(&clock));
  int formatted = 0;
  for (int i = 0; i < 100; ++i) limiter.Warn("e", "r", "v={}", Expensive{&formatted});
  EXPECT_EQ(formatted, 1);
  EXPECT_EQ(cap.Lines().size(), 1u);
}

TEST(RateLimitedLog, BelowLevelNeitherLogsNorCounts) {
  CapturedLogger cap;
  cap.logger->set_level(spdlog::level::err);
  FakeClock clock;
  RateLimitedLog limiter(cap.logger, LimiterOptions(&clock));
  EXPECT_FALSE(limiter.Warn("e", "r", ""));
  EXPECT_TRUE(limiter.Error("e", "r", ""));
  EXPECT_EQ(cap.Lines(), std::vector<std::string>{"event=e reason=r suppressed=0"});
}

TEST(RateLimitedLog, TooManyKeysShareOneBudget) {
  CapturedLogger cap;
  FakeClock clock;
  RateLimitedLog limiter(cap.logger, LimiterOptions(&clock, 2));
  EXPECT_TRUE(limiter.Warn("e", "a", ""));
  EXPECT_TRUE(limiter.Warn("e", "b", ""));
  EXPECT_TRUE(limiter.Warn("e", "c", ""));   // First in the shared budget.
  EXPECT_FALSE(limiter.Warn("e", "d", ""));  // Shares c's budget.
  clock.AdvanceMs(10000);
  // a and b are quiet and owe nothing: they make room again.
  EXPECT_TRUE(limiter.Warn("e", "d", ""));
  EXPECT_EQ(cap.Lines().size(), 4u);
}

TEST(ParseLevelSpec, GlobalAndPerLogger) {
  auto spec = ParseLevelSpec("warn, sonde.broker=debug,sonde.http = trace");
  ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
  EXPECT_EQ(spec->global, spdlog::level::warn);
  EXPECT_EQ(spec->loggers.at("sonde.broker"), spdlog::level::debug);
  EXPECT_EQ(spec->loggers.at("sonde.http"), spdlog::level::trace);
  EXPECT_FALSE(ParseLevelSpec("")->global.has_value());
  EXPECT_EQ(ParseLevelSpec("off")->global, spdlog::level::off);
}

TEST(ParseLevelSpec, RejectsUnknownLevels) {
  EXPECT_FALSE(ParseLevelSpec("loud").has_value());
  EXPECT_FALSE(ParseLevelSpec("info,sonde.x=verbose").has_value());
  EXPECT_FALSE(ParseLevelSpec("=debug").has_value());
  EXPECT_FALSE(WithLevel("nope").Validate().ok());
  EXPECT_TRUE(WithLevel("info").Validate().ok());
}

// Global logging state: one test sets it up and tears it down.
TEST(SetupLogging, EnvThenFlagLevelsFileSinkAndReopen) {
  testing::TempDir dir;
  const std::string path = dir.File("sonde.log");
  setenv("SPDLOG_LEVEL", "warn,sonde.a=debug,sonde.b=error", 1);
  auto early = GetLogger("sonde.early");  // Created before set-up: follows it.
  LogOptions options = WithLevel("sonde.b=trace,sonde.c=critical");
  options.file = path;
  options.color = LogOptions::Color::kNever;
  ASSERT_TRUE(SetupLogging(options).ok());
  unsetenv("SPDLOG_LEVEL");
  EXPECT_EQ(GetLogger("sonde.a")->level(), spdlog::level::debug);     // From the env.
  EXPECT_EQ(GetLogger("sonde.b")->level(), spdlog::level::trace);     // The flag wins.
  EXPECT_EQ(GetLogger("sonde.c")->level(), spdlog::level::critical);  // Flag only.
  EXPECT_EQ(GetLogger("sonde.other")->level(), spdlog::level::warn);  // Env global.
  EXPECT_EQ(early->level(), spdlog::level::warn);
  EXPECT_EQ(GetLogger("sonde.a"), GetLogger("sonde.a"));

  GetLogger("sonde.a")->debug("event=first n={}", 1);
  early->warn("event=early_line");
  GetLogger("sonde.other")->info("event=hidden");
  spdlog::default_logger()->error("event=default_line");
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
  std::string text = testing::ReadFile(path);
  EXPECT_NE(text.find("[sonde.a] event=first n=1"), std::string::npos) << text;
  EXPECT_NE(text.find("[sonde.early] event=early_line"), std::string::npos) << text;
  EXPECT_NE(text.find("[sonde] event=default_line"), std::string::npos) << text;
  EXPECT_EQ(text.find("event=hidden"), std::string::npos) << text;

  // logrotate: move the file away, SIGHUP -> ReopenLogFile().
  ASSERT_EQ(std::rename(path.c_str(), dir.File("sonde.log.1").c_str()), 0);
  ASSERT_TRUE(ReopenLogFile().ok());
  GetLogger("sonde.a")->warn("event=after_rotate");  // warn flushes at once.
  EXPECT_NE(testing::ReadFile(path).find("event=after_rotate"), std::string::npos);
  EXPECT_EQ(testing::ReadFile(dir.File("sonde.log.1")).find("event=after_rotate"), std::string::npos);

  ShutdownLogging();
  EXPECT_TRUE(ReopenLogFile().ok());     // No file any more: a no-op.
  spdlog::info("event=after_shutdown");  // Must not crash.
}

TEST(SetupLogging, RejectsBadSpecsAndUnopenableFile) {
  setenv("SPDLOG_LEVEL", "chatty", 1);
  Status s = SetupLogging({});
  unsetenv("SPDLOG_LEVEL");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("SPDLOG_LEVEL"), std::string::npos) << s.ToString();
  EXPECT_TRUE(SetupLogging(WithLevel("x=y")).IsInvalidArgument());
  // A path below a regular file cannot be created (spdlog would create
  // missing directories otherwise).
  testing::TempDir dir;
  std::ofstream(dir.File("plain")) << "x";
  LogOptions bad_file;
  bad_file.file = dir.File("plain") + "/y.log";
  EXPECT_TRUE(SetupLogging(bad_file).IsIOError());
  ShutdownLogging();
}

TEST(SondeCheckDeathTest, LogsCriticalAndAborts) {
  EXPECT_DEATH(SONDE_CHECK(1 + 1 == 3), "event=check_failed condition=\"1 \\+ 1 == 3\" file=");
  EXPECT_DEATH(SONDE_CHECK_OK(Status::IOError("disk gone")), "status=IOError: disk gone");
}

}  // namespace
}  // namespace sonde

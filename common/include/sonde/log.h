// Logging for Sonde services: set-up for main(), named loggers, rate-limited
// lines for untrusted input, and SONDE_CHECK.
//
// Policy (../shared/STYLE.md, "Logging policy"):
//   - Only main() calls SetupLogging(). Libraries take a
//     std::shared_ptr<spdlog::logger> in their Options (null: the default
//     logger, see LoggerOrDefault) and never create sinks or set levels.
//   - Lines are "event=name key=value ...": event first, lower_snake, no
//     trailing period, no secrets.
//   - Bad input is logged through RateLimitedLog, never one line per input.
//
// Level specs (SPDLOG_LEVEL and --log-level share one syntax):
//   "info"                          every logger at info
//   "warn,sonde.broker=debug"       default warn, sonde.broker at debug
//   "sonde.http=trace"              only that logger changes
// Levels: trace, debug, info, warn, error, critical, off.
//
// Thread-safety: SetupLogging()/ShutdownLogging() must be called from one
// thread while no other thread logs (start-up and exit). ReopenLogFile(),
// GetLogger() and RateLimitedLog are safe from any thread.
#ifndef SONDE_LOG_H_
#define SONDE_LOG_H_

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sonde/clock.h"
#include "sonde/status.h"

namespace sonde {

struct LogOptions {
  // A level spec (see above), applied after SPDLOG_LEVEL so that it wins
  // for every logger it names.
  // Default: "" (SPDLOG_LEVEL if set, else info).
  std::string level;

  // Also write to this file (appending). Reopened by ReopenLogFile(), so
  // that logrotate can move it away and send SIGHUP.
  // Default: "" (stderr only).
  std::string file;

  enum class Color { kAuto, kAlways, kNever };
  // Colour the level on stderr. kAuto: only when stderr is a terminal.
  // Default: kAuto.
  Color color = Color::kAuto;

  // Returns InvalidArgument when `level` is not a valid level spec.
  Status Validate() const;
};

// A parsed level spec: an optional default level plus per-logger levels.
struct LevelSpec {
  std::optional<spdlog::level::level_enum> global;
  std::map<std::string, spdlog::level::level_enum> loggers;
};

// Parses a level spec. An empty spec gives an empty LevelSpec.
// Returns InvalidArgument naming the bad part, e.g. "unknown level 'loud'".
Result<LevelSpec> ParseLevelSpec(std::string_view spec);

// Installs the process's sinks and levels. For main() only.
//  - a stderr sink (coloured per options.color), plus a file sink if
//    options.file is set;
//  - the default logger becomes "sonde" over those sinks;
//  - levels: SPDLOG_LEVEL from the environment, then options.level on top;
//  - flush_on(warn) and flush_every(1 s).
// Calling it again replaces the sinks (loggers from GetLogger follow).
// Returns InvalidArgument for a bad level spec (in either source; the
// message says which) and IOError when the log file cannot be opened.
Status SetupLogging(const LogOptions& options);

// Reopens the log file (for SIGHUP after logrotate). OK and a no-op when no
// file is configured. Returns IOError when the file cannot be reopened; the
// stderr sink keeps working either way.
Status ReopenLogFile();

// Flushes and drops every logger (spdlog::shutdown). Call before main()
// returns; logging afterwards goes to a fresh default stderr logger.
void ShutdownLogging();

// Returns the logger named `name` (e.g. "sonde.broker"), creating it over
// the configured sinks with the level the specs give that name. The same
// name always returns the same logger. Never null. Works before
// SetupLogging() too (the logger then shares spdlog's default sinks).
std::shared_ptr<spdlog::logger> GetLogger(std::string_view name);

// `logger` if non-null, else spdlog::default_logger(). For libraries
// resolving the logger passed in their Options.
std::shared_ptr<spdlog::logger> LoggerOrDefault(std::shared_ptr<spdlog::logger> logger);

// RateLimitedLog: at most one line per (event, reason) per interval (10 s by
// default). A line that gets through carries "suppressed=N", the number of
// lines swallowed for that key since the previous one. A suppressed call
// costs a mutex and a map lookup: its arguments are not formatted.
//
//   limiter.Warn("sample_dropped", "truncated", "peer={} bytes={}", peer, n);
//   -> "event=sample_dropped reason=truncated peer=10.0.0.7:5000 bytes=3 suppressed=0"
//
// Event and reason should come from a closed set (names, not input): the
// table keeps one entry per key, and beyond Options::max_keys every new key
// shares a single "other" budget.
// Thread-safety: safe for concurrent use. The logger is shared, not owned
// exclusively; the clock (if given) must outlive this object.
class RateLimitedLog {
 public:
  struct Options {
    // Minimum time between two lines of one (event, reason).
    // Default: 10 s.
    std::chrono::nanoseconds interval = std::chrono::seconds(10);
    // Keys tracked before new keys share one budget.
    // Default: 1024.
    size_t max_keys = 1024;
    // Time source for the interval. Default: nullptr (Clock::Real()).
    const Clock* clock = nullptr;
  };

  // `logger` null means the default logger at the time of each call.
  explicit RateLimitedLog(std::shared_ptr<spdlog::logger> logger);
  RateLimitedLog(std::shared_ptr<spdlog::logger> logger, Options options);
  RateLimitedLog(const RateLimitedLog&) = delete;
  RateLimitedLog& operator=(const RateLimitedLog&) = delete;

  // Logs "event=<event> reason=<reason> <fmt...> suppressed=N" at `level`
  // unless the key logged within the interval; `fmt` may be empty ("").
  // Returns whether a line was written.
  template <typename... Args>
  bool Log(spdlog::level::level_enum level, std::string_view event, std::string_view reason,
           fmt::format_string<Args...> fmt, Args&&... args) {
    auto& logger = Logger();
    uint64_t suppressed = 0;
    if (!logger.should_log(level) || !Admit(event, reason, &suppressed)) return false;
    Emit(logger, level, event, reason, fmt::format(fmt, std::forward<Args>(args)...), suppressed);
    return true;
  }

  template <typename... Args>
  bool Warn(std::string_view event, std::string_view reason, fmt::format_string<Args...> fmt,
            Args&&... args) {
    return Log(spdlog::level::warn, event, reason, fmt, std::forward<Args>(args)...);
  }

  template <typename... Args>
  bool Error(std::string_view event, std::string_view reason, fmt::format_string<Args...> fmt,
             Args&&... args) {
    return Log(spdlog::level::err, event, reason, fmt, std::forward<Args>(args)...);
  }

  // Lines swallowed so far for a key, not yet reported. For tests.
  uint64_t PendingSuppressedForTest(std::string_view event, std::string_view reason) const;

 private:
  struct Key {
    std::string event;
    std::string reason;
  };
  struct KeyView {
    std::string_view event;
    std::string_view reason;
  };
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.event, a.reason) <
             std::pair<std::string_view, std::string_view>(b.event, b.reason);
    }
  };
  struct Entry {
    int64_t last_ns = 0;
    uint64_t suppressed = 0;
  };

  spdlog::logger& Logger() const;
  // Decides whether the key may log now; on yes, sets *suppressed and
  // restarts the key's interval, on no counts one more suppressed line.
  bool Admit(std::string_view event, std::string_view reason, uint64_t* suppressed);
  void Emit(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view event,
            std::string_view reason, const std::string& rest, uint64_t suppressed);

  std::shared_ptr<spdlog::logger> logger_;
  Options options_;
  mutable std::mutex mu_;
  std::map<Key, Entry, KeyLess> entries_;  // Guarded by mu_.
};

namespace internal {
// Logs "event=check_failed condition=... file=... line=..." at critical on the
// default logger, flushes every logger and aborts.
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line,
                              const std::string& detail);
}  // namespace internal

}  // namespace sonde

// SONDE_CHECK(cond): for failures that cannot happen after start-up
// (uv_loop_init, pthread_create, a broken invariant in release builds). Logs
// critical, then aborts. Never use it for input or environment errors:
// those return a Status.
#define SONDE_CHECK(cond)                                                       \
  do {                                                                          \
    if (__builtin_expect(!(cond), 0))                                           \
      ::sonde::internal::CheckFailed(#cond, __FILE__, __LINE__, std::string()); \
  } while (0)

// SONDE_CHECK_OK(status_expr): as SONDE_CHECK, for a Status that must be OK;
// the line carries the Status text.
#define SONDE_CHECK_OK(expr)                                                                     \
  do {                                                                                           \
    ::sonde::Status sonde_check_status_ = (expr);                                                \
    if (__builtin_expect(!sonde_check_status_.ok(), 0))                                          \
      ::sonde::internal::CheckFailed(#expr, __FILE__, __LINE__, sonde_check_status_.ToString()); \
  } while (0)

#endif  // SONDE_LOG_H_

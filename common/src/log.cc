#include "sonde/log.h"

#include <spdlog/details/file_helper.h>
#include <spdlog/details/registry.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace sonde {
namespace {

constexpr char kPattern[] = "%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v";
constexpr char kDefaultLoggerName[] = "sonde";

// A file sink that can reopen its file by name, for logrotate + SIGHUP.
// spdlog 1.10's basic_file_sink cannot; file_helper can.
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(const std::string& path) { file_.open(path, /*truncate=*/false); }

  void Reopen() {
    std::lock_guard<std::mutex> lock(mutex_);
    file_.reopen(/*truncate=*/false);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_.write(formatted);
  }
  void flush_() override { file_.flush(); }

 private:
  spdlog::details::file_helper file_;
};

struct LogState {
  std::mutex mu;
  std::vector<spdlog::sink_ptr> sinks;  // Empty until SetupLogging().
  std::shared_ptr<ReopenableFileSink> file_sink;
};

LogState& State() {
  static LogState* state = new LogState();  // Never destroyed: used until exit.
  return *state;
}

Result<spdlog::level::level_enum> ParseLevel(std::string_view name) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace},  {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},    {"warn", spdlog::level::warn},
      {"warning", spdlog::level::warn}, {"error", spdlog::level::err},
      {"err", spdlog::level::err},      {"critical", spdlog::level::critical},
      {"off", spdlog::level::off}};
  for (const auto& [n, level] : kLevels) {
    if (n == name) return level;
  }
  return Status::InvalidArgument("unknown level '" + std::string(name) +
                                 "' (expected trace, debug, info, warn, error, critical or off)");
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void Overlay(const LevelSpec& top, LevelSpec* base) {
  if (top.global) base->global = top.global;
  for (const auto& [name, level] : top.loggers) base->loggers[name] = level;
}

}  // namespace

Result<LevelSpec> ParseLevelSpec(std::string_view spec) {
  LevelSpec out;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    std::string_view item = Trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      auto level = ParseLevel(item);
      if (!level) return level.error();
      out.global = *level;
      continue;
    }
    const std::string_view name = Trim(item.substr(0, eq));
    if (name.empty()) {
      return Status::InvalidArgument("'" + std::string(item) + "': missing logger name");
    }
    auto level = ParseLevel(Trim(item.substr(eq + 1)));
    if (!level) return level.error();
    out.loggers[std::string(name)] = *level;
  }
  return out;
}

Status LogOptions::Validate() const {
  auto spec = ParseLevelSpec(level);
  if (!spec) return spec.error().WithContext("--log-level");
  return Status::OK();
}

Status SetupLogging(const LogOptions& options) {
  LevelSpec levels;
  if (const char* env = std::getenv("SPDLOG_LEVEL"); env != nullptr) {
    auto spec = ParseLevelSpec(env);
    if (!spec) return spec.error().WithContext("SPDLOG_LEVEL");
    levels = std::move(*spec);
  }
  auto flag = ParseLevelSpec(options.level);
  if (!flag) return flag.error().WithContext("--log-level");
  Overlay(*flag, &levels);

  const auto color = options.color == LogOptions::Color::kAlways  ? spdlog::color_mode::always
                     : options.color == LogOptions::Color::kNever ? spdlog::color_mode::never
                                                                  : spdlog::color_mode::automatic;
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>(color));
  std::shared_ptr<ReopenableFileSink> file_sink;
  if (!options.file.empty()) {
    try {
      file_sink = std::make_shared<ReopenableFileSink>(options.file);
    } catch (const spdlog::spdlog_ex& e) {
      return Status::IOError("--log-file " + options.file + ": " + e.what());
    }
    sinks.push_back(file_sink);
  }

  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.sinks = sinks;
  state.file_sink = file_sink;
  // Loggers from earlier GetLogger() calls follow the new sinks.
  spdlog::apply_all(
      [&](const std::shared_ptr<spdlog::logger>& logger) { logger->sinks() = sinks; });
  auto default_logger =
      std::make_shared<spdlog::logger>(kDefaultLoggerName, sinks.begin(), sinks.end());
  spdlog::drop(kDefaultLoggerName);
  spdlog::set_default_logger(default_logger);
  spdlog::set_pattern(kPattern);
  spdlog::level::level_enum global = levels.global.value_or(spdlog::level::info);
  spdlog::details::registry::instance().set_levels(
      spdlog::details::registry::log_levels(levels.loggers.begin(), levels.loggers.end()), &global);
  spdlog::flush_on(spdlog::level::warn);
  spdlog::flush_every(std::chrono::seconds(1));
  return Status::OK();
}

Status ReopenLogFile() {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  if (!state.file_sink) return Status::OK();
  try {
    state.file_sink->Reopen();
  } catch (const spdlog::spdlog_ex& e) {
    return Status::IOError(std::string("reopening log file: ") + e.what());
  }
  return Status::OK();
}

void ShutdownLogging() {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  spdlog::shutdown();
  state.sinks.clear();
  state.file_sink.reset();
  // spdlog::shutdown() leaves no default logger; code that still logs (a
  // static destructor, a late thread) must not crash.
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "", std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
}

std::shared_ptr<spdlog::logger> GetLogger(std::string_view name) {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  const std::string key(name);
  if (auto existing = spdlog::get(key)) return existing;
  std::vector<spdlog::sink_ptr> sinks = state.sinks;
  if (sinks.empty()) {
    if (auto def = spdlog::default_logger()) sinks = def->sinks();
  }
  auto logger = std::make_shared<spdlog::logger>(key, sinks.begin(), sinks.end());
  // Registers the logger and applies the registry's pattern, level for this
  // name (SPDLOG_LEVEL / --log-level) and flush level.
  spdlog::initialize_logger(logger);
  return logger;
}

std::shared_ptr<spdlog::logger> LoggerOrDefault(std::shared_ptr<spdlog::logger> logger) {
  return logger ? std::move(logger) : spdlog::default_logger();
}

RateLimitedLog::RateLimitedLog(std::shared_ptr<spdlog::logger> logger)
    : RateLimitedLog(std::move(logger), Options()) {}

RateLimitedLog::RateLimitedLog(std::shared_ptr<spdlog::logger> logger, Options options)
    : logger_(std::move(logger)), options_(options) {
  if (options_.clock == nullptr) options_.clock = Clock::Real();
  if (options_.max_keys == 0) options_.max_keys = 1;
}

spdlog::logger& RateLimitedLog::Logger() const {
  return logger_ ? *logger_ : *spdlog::default_logger_raw();
}

bool RateLimitedLog::Admit(std::string_view event, std::string_view reason, uint64_t* suppressed) {
  const int64_t now = options_.clock->SteadyNs();
  const int64_t interval = options_.interval.count();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(KeyView{event, reason});
  if (it == entries_.end()) {
    if (entries_.size() >= options_.max_keys) {
      // Forget keys that are quiet and owe no suppressed count.
      std::erase_if(entries_, [&](const auto& kv) {
        return kv.second.suppressed == 0 && now - kv.second.last_ns >= interval;
      });
    }
    if (entries_.size() >= options_.max_keys) {
      // Too many keys: all new ones share one budget under the empty key.
      it = entries_.find(KeyView{"", ""});
      if (it == entries_.end())
        it = entries_.emplace(Key{"", ""}, Entry{now, 0}).first;
      else if (now - it->second.last_ns < interval) {
        ++it->second.suppressed;
        return false;
      }
      *suppressed = it->second.suppressed;
      it->second = Entry{now, 0};
      return true;
    }
    entries_.emplace(Key{std::string(event), std::string(reason)}, Entry{now, 0});
    *suppressed = 0;
    return true;
  }
  Entry& e = it->second;
  if (now - e.last_ns < interval) {
    ++e.suppressed;
    return false;
  }
  *suppressed = e.suppressed;
  e = Entry{now, 0};
  return true;
}

void RateLimitedLog::Emit(spdlog::logger& logger, spdlog::level::level_enum level,
                          std::string_view event, std::string_view reason, const std::string& rest,
                          uint64_t suppressed) {
  if (rest.empty()) {
    logger.log(level, "event={} reason={} suppressed={}", event, reason, suppressed);
  } else {
    logger.log(level, "event={} reason={} {} suppressed={}", event, reason, rest, suppressed);
  }
}

uint64_t RateLimitedLog::PendingSuppressedForTest(std::string_view event,
                                                  std::string_view reason) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(KeyView{event, reason});
  return it == entries_.end() ? 0 : it->second.suppressed;
}

namespace internal {

void CheckFailed(const char* condition, const char* file, int line, const std::string& detail) {
  const std::string status = detail.empty() ? std::string() : " status=" + detail;
  bool configured;
  {
    LogState& state = State();
    std::lock_guard<std::mutex> lock(state.mu);
    configured = !state.sinks.empty();
  }
  if (auto logger = spdlog::default_logger()) {
    logger->critical("event=check_failed condition=\"{}\" file={} line={}{}", condition, file, line,
                     status);
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
  }
  // Without SetupLogging() the default logger writes to stdout; a crash
  // belongs on stderr.
  if (!configured) {
    std::fprintf(stderr, "event=check_failed condition=\"%s\" file=%s line=%d%s\n", condition, file,
                 line, status.c_str());
  }
  std::abort();
}

}  // namespace internal
}  // namespace sonde

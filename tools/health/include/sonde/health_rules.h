// HealthRules: the thresholds and limits `sonde health` judges servers by,
// with tMan's defaults, loaded from a TOML rules file (docs/health.md).
//
//   max_age = "5m"           # older data makes a server Stale (FREQ)
//   min_healthy = 2          # per service
//   [thresholds.cpu]         # any metric name: warning and critical levels
//   warning = 75
//   critical = 85
//   [services.AuthService]   # overrides for one service
//   min_healthy = 3
//   [services.AuthService.thresholds.memory]
//   warning = 90
//   critical = 95
//
// A value at or above `warning` makes a server Degraded, at or above
// `critical` Unhealthy; with `below = true` the levels are floors instead
// (e.g. a success rate). Metric names match series names without regard to
// case. Thread-safety: a value type.
#ifndef SONDE_HEALTH_RULES_H_
#define SONDE_HEALTH_RULES_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sonde/status.h"

namespace sonde::health {

struct Threshold {
  double warning = 75;
  double critical = 85;
  bool below = false;  // True: lower values are worse.
  bool operator==(const Threshold&) const = default;
};

// OK when the warning level is on the safe side of the critical one (equal
// is allowed); else InvalidArgument "90 is above critical 80".
Status CheckLevels(const Threshold& t);

// The largest min_healthy taken (file or flag): far beyond any fleet, and
// small enough that no count can overflow.
inline constexpr int kMinHealthyLimit = 1000000;

struct ServiceRules {
  std::map<std::string, Threshold> thresholds;  // Metric (lower case) -> levels.
  std::optional<int> min_healthy;               // Unset: the fleet default.
};

struct HealthRules {
  // Metric (lower case) -> levels, for every service. Default: tMan's amber
  // 75 / red 85 for CPU and memory (the agent's `mem`, a status page's `memory`).
  std::map<std::string, Threshold> thresholds = {
      {"cpu", {75, 85}}, {"mem", {75, 85}}, {"memory", {75, 85}}};

  // Fewest Healthy servers a service needs. Default: 2.
  int min_healthy = 2;

  // Data older than this makes a server Stale. Default: 5 min.
  std::chrono::milliseconds max_age = std::chrono::minutes(5);

  // Per-service overrides, by exact service name.
  std::map<std::string, ServiceRules> services;

  // The levels for `metric` (any case) on a server of `service`: the
  // service's own, else the fleet's; null when the metric is not judged.
  const Threshold* Find(std::string_view service, std::string_view metric) const;

  // The service's minimum, else min_healthy.
  int MinHealthy(std::string_view service) const;

  // Returns InvalidArgument naming the first bad setting: a warning level
  // beyond its critical one, a negative minimum, a max_age not above zero.
  Status Validate() const;
};

// Parses a rules file's text. Settings it leaves out keep their defaults
// (thresholds it names are added to, or replace, the default ones).
// Returns InvalidArgument "<origin>:<line>:<col>: <key>: ..." for bad TOML,
// an unknown key, a value of the wrong type or out of range, or a warning
// level beyond its critical one (pointing at the warning).
Result<HealthRules> ParseHealthRules(std::string_view text, std::string_view origin);

// Reads and parses `path`. Returns NotFound/IOError when it cannot be read.
Result<HealthRules> LoadHealthRules(const std::string& path);

}  // namespace sonde::health

#endif  // SONDE_HEALTH_RULES_H_

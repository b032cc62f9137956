#include "sonde/health_rules.h"

#include <string>

#include "exact_number.h"
#include "sonde/ascii.h"

namespace sonde::health {
namespace {

Status CheckThreshold(const std::string& where, const Threshold& t) {
  Status s = CheckLevels(t);
  return s.ok() ? s : Status::InvalidArgument(where + ".warning: " + s.message());
}

Status CheckThresholds(const std::string& prefix, const std::map<std::string, Threshold>& map) {
  for (const auto& [metric, t] : map) {
    SONDE_RETURN_IF_ERROR(CheckThreshold(prefix + "thresholds." + metric, t));
  }
  return Status::OK();
}

}  // namespace

Status CheckLevels(const Threshold& t) {
  const bool ordered = t.below ? t.warning >= t.critical : t.warning <= t.critical;
  if (ordered) return Status::OK();
  return Status::InvalidArgument(ExactNumber(t.warning) + (t.below ? " is below" : " is above") +
                                 " critical " + ExactNumber(t.critical) +
                                 (t.below ? " (below = true: lower values are worse)" : ""));
}

const Threshold* HealthRules::Find(std::string_view service, std::string_view metric) const {
  const std::string key = AsciiLower(metric);
  if (auto s = services.find(std::string(service)); s != services.end()) {
    if (auto t = s->second.thresholds.find(key); t != s->second.thresholds.end()) {
      return &t->second;
    }
  }
  auto t = thresholds.find(key);
  return t == thresholds.end() ? nullptr : &t->second;
}

int HealthRules::MinHealthy(std::string_view service) const {
  auto s = services.find(std::string(service));
  if (s != services.end() && s->second.min_healthy) return *s->second.min_healthy;
  return min_healthy;
}

Status HealthRules::Validate() const {
  if (min_healthy < 0) return Status::InvalidArgument("min_healthy: must be 0 or more");
  if (max_age.count() <= 0) return Status::InvalidArgument("max_age: must be above zero");
  SONDE_RETURN_IF_ERROR(CheckThresholds("", thresholds));
  for (const auto& [name, s] : services) {
    const std::string prefix = "services." + name + ".";
    if (s.min_healthy && *s.min_healthy < 0) {
      return Status::InvalidArgument(prefix + "min_healthy: must be 0 or more");
    }
    SONDE_RETURN_IF_ERROR(CheckThresholds(prefix, s.thresholds));
  }
  return Status::OK();
}

}  // namespace sonde::health

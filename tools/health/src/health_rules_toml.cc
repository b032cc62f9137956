// The one adapter to toml++ for health rules: every toml++ exception and
// type mismatch becomes an InvalidArgument naming the file, line and key.
#include <toml++/toml.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sonde/ascii.h"
#include "sonde/health_rules.h"
#include "sonde/units.h"

namespace sonde::health {
namespace {

// Beyond this, seconds would overflow the milliseconds max_age is kept in
// long before they made sense (about 31 years).
constexpr int64_t kMaxAgeSecondsLimit = 1'000'000'000;

class RulesReader {
 public:
  explicit RulesReader(std::string_view origin) : origin_(origin) {}

  Status Error(const toml::node& node, const std::string& key, const std::string& what) const {
    const auto& at = node.source().begin;
    return Status::InvalidArgument(origin_ + ":" + std::to_string(at.line) + ":" +
                                   std::to_string(at.column) + ": " + key + ": " + what);
  }

  Status Number(const toml::node& node, const std::string& key, double* out) const {
    if (auto v = node.value<double>(); v && node.is_number()) {
      *out = *v;
      return Status::OK();
    }
    return Error(node, key, "expected a number");
  }

  Status MinHealthy(const toml::node& node, const std::string& key, int* out) const {
    auto v = node.as_integer();
    if (!v || v->get() < 0 || v->get() > kMinHealthyLimit) {
      return Error(
          node, key,
          "expected a whole number of servers from 0 to " + std::to_string(kMinHealthyLimit));
    }
    *out = static_cast<int>(v->get());
    return Status::OK();
  }

  Status MaxAge(const toml::node& node, HealthRules* rules) const {
    if (auto s = node.as_string()) {
      Result<std::chrono::milliseconds> d = ParseDuration(s->get());
      if (!d) return Error(node, "max_age", d.error().message());
      if (d->count() <= 0) return Error(node, "max_age", "must be above zero");
      rules->max_age = *d;
      return Status::OK();
    }
    if (auto i = node.as_integer()) {  // Plain seconds.
      if (i->get() <= 0 || i->get() > kMaxAgeSecondsLimit) {
        return Error(node, "max_age",
                     "expected seconds above zero, at most " + std::to_string(kMaxAgeSecondsLimit));
      }
      rules->max_age = std::chrono::seconds(i->get());
      return Status::OK();
    }
    return Error(node, "max_age", "expected a duration such as \"5m\" or seconds");
  }

  Status Threshold1(const toml::node& node, const std::string& key, Threshold* t) const {
    const toml::table* table = node.as_table();
    if (!table) return Error(node, key, "expected a table with warning and critical");
    const toml::node* warning = nullptr;
    const toml::node* critical = nullptr;
    for (const auto& [k, v] : *table) {
      const std::string name(k.str());
      if (name == "warning") {
        SONDE_RETURN_IF_ERROR(Number(v, key + ".warning", &t->warning));
        warning = &v;
      } else if (name == "critical") {
        SONDE_RETURN_IF_ERROR(Number(v, key + ".critical", &t->critical));
        critical = &v;
      } else if (name == "below") {
        if (!v.is_boolean()) return Error(v, key + ".below", "expected true or false");
        t->below = v.as_boolean()->get();
      } else {
        return Error(v, key + "." + name, "unknown key (expected warning, critical, below)");
      }
    }
    if (!warning || !critical) return Error(node, key, "needs both warning and critical");
    // Checked here rather than only in Validate() so the error can point at
    // the line that holds the level.
    if (Status s = CheckLevels(*t); !s.ok()) return Error(*warning, key + ".warning", s.message());
    return Status::OK();
  }

  Status Thresholds(const toml::node& node, const std::string& key,
                    std::map<std::string, Threshold>* out) const {
    const toml::table* table = node.as_table();
    if (!table) return Error(node, key, "expected a table of metrics");
    for (const auto& [metric, v] : *table) {
      Threshold t;
      SONDE_RETURN_IF_ERROR(Threshold1(v, key + "." + std::string(metric.str()), &t));
      (*out)[AsciiLower(metric.str())] = t;
    }
    return Status::OK();
  }

  Status Service(const toml::node& node, const std::string& key, ServiceRules* out) const {
    const toml::table* table = node.as_table();
    if (!table) return Error(node, key, "expected a table");
    for (const auto& [k, v] : *table) {
      const std::string name(k.str());
      if (name == "min_healthy") {
        int n = 0;
        SONDE_RETURN_IF_ERROR(MinHealthy(v, key + ".min_healthy", &n));
        out->min_healthy = n;
      } else if (name == "thresholds") {
        SONDE_RETURN_IF_ERROR(Thresholds(v, key + ".thresholds", &out->thresholds));
      } else {
        return Error(v, key + "." + name, "unknown key (expected min_healthy, thresholds)");
      }
    }
    return Status::OK();
  }

  Status Top(const toml::table& root, HealthRules* rules) const {
    for (const auto& [k, v] : root) {
      const std::string name(k.str());
      if (name == "max_age") {
        SONDE_RETURN_IF_ERROR(MaxAge(v, rules));
      } else if (name == "min_healthy") {
        SONDE_RETURN_IF_ERROR(MinHealthy(v, name, &rules->min_healthy));
      } else if (name == "thresholds") {
        SONDE_RETURN_IF_ERROR(Thresholds(v, name, &rules->thresholds));
      } else if (name == "services") {
        const toml::table* services = v.as_table();
        if (!services) return Error(v, name, "expected a table of services");
        for (const auto& [service, rules_node] : *services) {
          const std::string service_name(service.str());
          SONDE_RETURN_IF_ERROR(
              Service(rules_node, "services." + service_name, &rules->services[service_name]));
        }
      } else {
        return Error(v, name, "unknown key (expected max_age, min_healthy, thresholds, services)");
      }
    }
    return Status::OK();
  }

 private:
  std::string origin_;
};

}  // namespace

Result<HealthRules> ParseHealthRules(std::string_view text, std::string_view origin) {
  HealthRules rules;
  RulesReader reader(origin);
  try {
    toml::table root = toml::parse(text, origin);
    SONDE_RETURN_IF_ERROR(reader.Top(root, &rules));
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return Status::InvalidArgument(std::string(origin) + ":" + std::to_string(at.line) + ":" +
                                   std::to_string(at.column) + ": " + std::string(e.description()));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string(origin) + ": " + e.what());
  }
  if (Status s = rules.Validate(); !s.ok()) return s.WithContext(origin);
  return rules;
}

Result<HealthRules> LoadHealthRules(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("rules file '" + path + "' cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("rules file '" + path + "': read failed");
  return ParseHealthRules(text.str(), path);
}

}  // namespace sonde::health

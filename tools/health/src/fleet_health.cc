// AssessFleet: groups the latest state by host, judges each host against the
// rules, then counts Healthy servers per service. docs/health.md.
#include "sonde/fleet_health.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "exact_number.h"
#include "sonde/ascii.h"
#include "sonde/fleet_report.h"
#include "sonde/units.h"

namespace sonde::health {
namespace {

constexpr std::string_view kServiceTag = "service";
constexpr std::string_view kUpMetric = "up";  // sonde-poller's (docs/poller.md).

// At the level is crossing it, as tMan.
bool Crosses(const Threshold& t, double v, double level) {
  return t.below ? v <= level : v >= level;
}

// A value in a reason: four significant digits ("1.5", "91.52"), unless
// that rounding lands on the other side of one of the metric's levels
// (84.99996 would read "85" next to critical 85); then every digit.
std::string ReasonValue(double v, const Threshold& t) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  const double shown = std::strtod(buf, nullptr);
  for (double level : {t.warning, t.critical}) {
    if (Crosses(t, shown, level) != Crosses(t, v, level)) return ExactNumber(v);
  }
  return buf;
}

// The host's series that are still current: those whose newest sample is at
// most max_age older than the host's newest. A series a host stopped sending
// (a tag changed value, e.g. a new version, or a tag was added) stays in the
// catalog until retention; this keeps its last value from being judged.
// Returns them in input order; *last_seen_ms is the host's newest sample time.
std::vector<const LatestState*> CurrentSeries(const std::vector<const LatestState*>& series,
                                              std::chrono::milliseconds max_age,
                                              int64_t* last_seen_ms) {
  int64_t newest = series.front()->timestamp_ms;
  for (const LatestState* s : series) newest = std::max(newest, s->timestamp_ms);
  std::vector<const LatestState*> current;
  for (const LatestState* s : series) {
    if (newest - s->timestamp_ms <= max_age.count()) current.push_back(s);
  }
  *last_seen_ms = newest;
  return current;
}

// A series' `service` tag (the key in any case), or null. A series key
// holds each tag key once.
const std::string* ServiceTag(const LatestState& s) {
  for (const Tag& t : s.key.tags()) {
    if (AsciiIEquals(t.key, kServiceTag)) return &t.value;
  }
  return nullptr;
}

// The `service` tag of the newest series that has one (so a host that moved
// to another service reports the new one); ties go to the smallest name so
// the answer does not depend on the store's order. "" when none has it.
std::string ServiceOf(const std::vector<const LatestState*>& series) {
  const std::string* service = nullptr;
  int64_t service_ts = 0;
  for (const LatestState* s : series) {
    const std::string* tagged = ServiceTag(*s);
    if (tagged == nullptr) continue;
    if (!service || s->timestamp_ms > service_ts ||
        (s->timestamp_ms == service_ts && *tagged < *service)) {
      service = tagged;
      service_ts = s->timestamp_ms;
    }
  }
  return service ? *service : "";
}

// The services a host serves: the `service` tags of its current series, in
// order, each once (an agent tagged service=db and an app tagged service=web
// on one host make it a server of both). A host whose status page has failed
// for longer than max_age sends only the untagged `up` = 0: it stays a
// (down) server of the service it last reported, so that its service counts
// it. {""} for a host that never had a service.
std::vector<std::string> ServicesOfHost(const std::vector<const LatestState*>& all,
                                        const std::vector<const LatestState*>& current) {
  std::vector<std::string> services;
  for (const LatestState* s : current) {
    if (const std::string* tagged = ServiceTag(*s)) services.push_back(*tagged);
  }
  std::sort(services.begin(), services.end());
  services.erase(std::unique(services.begin(), services.end()), services.end());
  if (services.empty()) services.push_back(ServiceOf(all));
  return services;
}

std::map<std::string, std::vector<const LatestState*>> GroupByHost(
    std::span<const LatestState> latest) {
  std::map<std::string, std::vector<const LatestState*>> by_host;
  for (const LatestState& s : latest) by_host[s.key.host()].push_back(&s);
  return by_host;
}

// The worst (highest, or lowest for `below`) value of `metric` on the host.
std::optional<double> Worst(const std::vector<const LatestState*>& series, std::string_view metric,
                            bool below = false) {
  std::optional<double> worst;
  for (const LatestState* s : series) {
    if (!AsciiIEquals(s->key.name(), metric) || std::isnan(s->value)) continue;
    if (!worst || (below ? s->value < *worst : s->value > *worst)) worst = s->value;
  }
  return worst;
}

void Raise(HealthStatus* status, HealthStatus to) {
  if (static_cast<int>(to) > static_cast<int>(*status)) *status = to;
}

// Every judged metric the host has, against its levels. Reasons list the
// critical crossings first, then the warnings, each by metric name.
void JudgeThresholds(const std::vector<const LatestState*>& series, const HealthRules& rules,
                     ServerHealth* server) {
  std::map<std::string, bool> seen;  // Lower-case metric names, judged once each.
  std::vector<std::string> critical;
  std::vector<std::string> warning;
  for (const LatestState* s : series) {
    const std::string metric = AsciiLower(s->key.name());
    if (seen[metric]) continue;
    seen[metric] = true;
    const Threshold* t = rules.Find(server->service, metric);
    if (!t) continue;
    const std::optional<double> v = Worst(series, metric, t->below);
    if (!v) continue;
    const std::string crossed = metric + " " + ReasonValue(*v, *t) + (t->below ? " <= " : " >= ");
    if (Crosses(*t, *v, t->critical)) {
      critical.push_back(crossed + ExactNumber(t->critical));
    } else if (Crosses(*t, *v, t->warning)) {
      warning.push_back(crossed + ExactNumber(t->warning));
    }
  }
  std::sort(critical.begin(), critical.end());
  std::sort(warning.begin(), warning.end());
  if (!warning.empty()) Raise(&server->status, HealthStatus::kDegraded);
  if (!critical.empty()) Raise(&server->status, HealthStatus::kUnhealthy);
  server->reasons = std::move(critical);
  server->reasons.insert(server->reasons.end(), warning.begin(), warning.end());
}

// The series that speak for the host as a server of `service`: those
// tagged with it and those tagged with no service (host-wide: `up`, an
// untagged agent). Another service's series have no say: its levels are
// not this service's, and its failures are its own.
std::vector<const LatestState*> SeriesOfService(const std::vector<const LatestState*>& current,
                                                const std::string& service) {
  std::vector<const LatestState*> out;
  for (const LatestState* s : current) {
    const std::string* tagged = ServiceTag(*s);
    if (tagged == nullptr || *tagged == service) out.push_back(s);
  }
  return out;
}

// The host as a server of `service`, against that service's levels.
ServerHealth JudgeServer(const std::string& host, const std::vector<const LatestState*>& current,
                         int64_t last_seen_ms, const std::string& service,
                         const HealthRules& rules, int64_t now_ms) {
  const std::vector<const LatestState*> series = SeriesOfService(current, service);
  ServerHealth server;
  server.host = host;
  server.service = service;
  server.last_seen_ms = last_seen_ms;
  server.cpu = Worst(series, "cpu");
  server.memory = Worst(series, "mem");
  if (!server.memory) server.memory = Worst(series, "memory");
  JudgeThresholds(series, rules, &server);
  if (std::optional<double> up = Worst(series, kUpMetric, /*below=*/true); up && *up < 0.5) {
    server.status = HealthStatus::kDown;
    server.reasons.insert(server.reasons.begin(), "up = 0");
  }
  const int64_t age_ms = now_ms - server.last_seen_ms;
  if (age_ms > rules.max_age.count()) {
    server.status = HealthStatus::kStale;
    server.reasons.insert(
        server.reasons.begin(),
        "no data for " + FormatDuration(std::chrono::milliseconds(age_ms / 1000 * 1000)));
  }
  return server;
}

std::vector<ServiceHealth> CountServices(const std::vector<ServerHealth>& servers,
                                         const HealthRules& rules) {
  struct Sums {
    ServiceHealth health;
    double cpu = 0, memory = 0;
    int cpu_n = 0, memory_n = 0;
  };
  std::map<std::string, Sums> by_service;
  for (const ServerHealth& s : servers) {
    if (s.service.empty()) continue;
    Sums& sums = by_service[s.service];
    ++sums.health.servers;
    if (s.status == HealthStatus::kHealthy) ++sums.health.healthy;
    if (s.status == HealthStatus::kStale || s.status == HealthStatus::kDown) continue;
    if (s.cpu) sums.cpu += *s.cpu, ++sums.cpu_n;
    if (s.memory) sums.memory += *s.memory, ++sums.memory_n;
  }
  std::vector<ServiceHealth> out;
  for (auto& [name, sums] : by_service) {
    ServiceHealth h = sums.health;
    h.service = name;
    h.min_healthy = rules.MinHealthy(name);
    h.below_minimum = h.healthy < h.min_healthy;
    if (sums.cpu_n) h.avg_cpu = sums.cpu / sums.cpu_n;
    if (sums.memory_n) h.avg_memory = sums.memory / sums.memory_n;
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace

const char* HealthStatusName(HealthStatus status) {
  switch (status) {
    case HealthStatus::kHealthy:
      return "Healthy";
    case HealthStatus::kDegraded:
      return "Degraded";
    case HealthStatus::kUnhealthy:
      return "Unhealthy";
    case HealthStatus::kDown:
      return "Down";
    case HealthStatus::kStale:
      return "Stale";
  }
  return "?";
}

bool ParseHealthStatus(std::string_view text, HealthStatus* status) {
  for (HealthStatus s : {HealthStatus::kHealthy, HealthStatus::kDegraded, HealthStatus::kUnhealthy,
                         HealthStatus::kDown, HealthStatus::kStale}) {
    if (AsciiIEquals(text, HealthStatusName(s))) {
      *status = s;
      return true;
    }
  }
  return false;
}

bool IsProblem(HealthStatus status) {
  return status == HealthStatus::kUnhealthy || status == HealthStatus::kDown ||
         status == HealthStatus::kStale;
}

bool FleetHealth::AnyUnhealthy(bool strict) const {
  for (const ServerHealth& s : servers) {
    if (IsProblem(s.status) || (strict && s.status == HealthStatus::kDegraded)) return true;
  }
  for (const ServiceHealth& s : services) {
    if (s.below_minimum) return true;
  }
  return false;
}

FleetHealth AssessFleet(std::span<const LatestState> latest, const HealthRules& rules,
                        int64_t now_ms, const FleetHealthOptions& options) {
  FleetHealth fleet;
  for (const auto& [host, all] : GroupByHost(latest)) {
    int64_t last_seen_ms = 0;
    const std::vector<const LatestState*> current = CurrentSeries(all, rules.max_age, &last_seen_ms);
    for (const std::string& service : ServicesOfHost(all, current)) {
      if (!options.service.empty() && !AsciiIEquals(service, options.service)) continue;
      fleet.servers.push_back(JudgeServer(host, current, last_seen_ms, service, rules, now_ms));
    }
  }
  // "web-2" before "web-10": the poller report's order; a host's services
  // in name order.
  std::sort(fleet.servers.begin(), fleet.servers.end(),
            [](const ServerHealth& a, const ServerHealth& b) {
              if (a.host != b.host) return sonde::fleet::NaturalLess(a.host, b.host);
              return a.service < b.service;
            });
  fleet.services = CountServices(fleet.servers, rules);
  // A service asked for by name that has no server at all has none healthy.
  if (!options.service.empty() && fleet.services.empty()) {
    ServiceHealth missing;
    missing.service = options.service;
    missing.min_healthy = rules.MinHealthy(options.service);
    missing.below_minimum = missing.min_healthy > 0;
    fleet.services.push_back(missing);
  }
  return fleet;
}

std::vector<std::string> KnownServices(std::span<const LatestState> latest,
                                       const HealthRules& rules) {
  std::vector<std::string> services;
  for (const auto& [host, all] : GroupByHost(latest)) {
    int64_t last_seen_ms = 0;
    const std::vector<const LatestState*> current = CurrentSeries(all, rules.max_age, &last_seen_ms);
    for (std::string& service : ServicesOfHost(all, current)) {
      if (!service.empty()) services.push_back(std::move(service));
    }
  }
  std::sort(services.begin(), services.end());
  services.erase(std::unique(services.begin(), services.end()), services.end());
  return services;
}

}  // namespace sonde::health

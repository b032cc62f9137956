// FleetHealth: every server's status and every service's healthy count,
// from the pipeline's latest state (sonde/latest_state.h) and HealthRules.
// docs/health.md.
//
// A server is a host (a sample source) as a member of one service, judged
// on the host's current series only: those whose newest sample is at most
// rules.max_age older than the host's newest sample. Older series are ones
// the host stopped sending (a tag changed, e.g. a new version) that the
// catalog keeps until retention. A host serves every service named by the
// `service` tag of a current series (the agent's --tag service=..., a status
// page's "service" field), so a host running two services is two servers,
// each judged against its service's levels on the host's current series
// tagged with that service or with none (host-wide, e.g. `up`); a host
// without any has service "". Its status, worst first:
//   Stale      its newest sample is older than rules.max_age;
//   Down       its `up` series (the poller's) is 0;
//   Unhealthy  a judged metric is at or beyond its critical level;
//   Degraded   a judged metric is at or beyond its warning level;
//   Healthy    otherwise.
// A metric with several series on one host (disk.used_pct per mount) is
// judged by its worst one. The CPU column is the `cpu` series, memory `mem`
// or else `memory`.
//
// A service is below its minimum when fewer than rules.MinHealthy() of its
// servers are Healthy. Hosts without a service are not counted.
//
// Thread-safety: reentrant; the results are values.
#ifndef SONDE_FLEET_HEALTH_H_
#define SONDE_FLEET_HEALTH_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sonde/health_rules.h"
#include "sonde/latest_state.h"

namespace sonde::health {

// In order of severity; the numbers are not part of any format.
enum class HealthStatus { kHealthy, kDegraded, kUnhealthy, kDown, kStale };

// "Healthy", "Degraded", "Unhealthy", "Down", "Stale".
const char* HealthStatusName(HealthStatus status);
// Parses a name above, any case; false when unknown.
bool ParseHealthStatus(std::string_view text, HealthStatus* status);
// True for Unhealthy, Down and Stale: what the exit status reports.
bool IsProblem(HealthStatus status);

struct ServerHealth {
  std::string host;
  std::string service;
  std::optional<double> cpu;     // %; none when the host has no cpu series.
  std::optional<double> memory;  // %.
  HealthStatus status = HealthStatus::kHealthy;
  int64_t last_seen_ms = 0;          // Newest sample time of the host.
  std::vector<std::string> reasons;  // "cpu 91 >= 85", "up = 0", "no data for 6m".
  bool operator==(const ServerHealth&) const = default;
};

struct ServiceHealth {
  std::string service;
  int servers = 0;
  int healthy = 0;
  int min_healthy = 0;
  bool below_minimum = false;
  // Means over the service's servers that are neither Stale nor Down.
  std::optional<double> avg_cpu;
  std::optional<double> avg_memory;
  bool operator==(const ServiceHealth&) const = default;
};

struct FleetHealthOptions {
  // Only servers whose service equals this (any case); when none has it,
  // the service is listed with 0 servers (below its minimum unless that is
  // 0). Default: "" (all).
  std::string service;
};

struct FleetHealth {
  std::vector<ServerHealth> servers;    // Sorted by host (natural order), then service.
  std::vector<ServiceHealth> services;  // Sorted by service; "" left out.

  // True when a server IsProblem() or a service is below its minimum; with
  // `strict`, Degraded servers count too.
  bool AnyUnhealthy(bool strict = false) const;
};

// Judges every host in `latest` (every series of every host, any order).
// `now_ms`: ms since the epoch, for freshness.
FleetHealth AssessFleet(std::span<const LatestState> latest, const HealthRules& rules,
                        int64_t now_ms, const FleetHealthOptions& options = {});

// The distinct services of the hosts in `latest` (as AssessFleet assigns
// them), sorted; for telling a user which names --service could take.
std::vector<std::string> KnownServices(std::span<const LatestState> latest,
                                       const HealthRules& rules);

}  // namespace sonde::health

#endif  // SONDE_FLEET_HEALTH_H_

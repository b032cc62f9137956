// The host agent: runs every host probe (sonde/host_probe.h) once per
// interval and reports the readings, as one host with static tags, through
// the emitter (sonde/emitter.h). docs/agent.md.
//
//   sonde::agent::AgentOptions options;        // Defaults: 1 s, udp://127.0.0.1:7700
//   options.tags = {{"service", "auth"}};
//   Status s = sonde::agent::RunAgentService(options);   // until SIGINT/SIGTERM
//
// Agent alone (no emitter, no loop) is what tests drive: Open(), then Tick()
// with a sink of their own.
//
// Thread-safety: an Agent is used by one thread at a time.
#ifndef SONDE_AGENT_H_
#define SONDE_AGENT_H_

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sonde/host_probe.h"
#include "sonde/sample.h"
#include "sonde/status.h"

namespace sonde::agent {

struct AgentOptions {
  // Where samples go (sonde/endpoint.h).
  // Default: the broker's UDP ingest on loopback.
  std::string endpoint = "udp://127.0.0.1:7700";

  // What this host is called in Sonde (liz's --this-host): a host name, an
  // IP, an asset id. At most kMaxSourceBytes.
  // Default: "", meaning gethostname().
  std::string host;

  // Tags on every sample, e.g. {{"service", "auth"}}; keys unique and
  // non-empty, at most kMaxTagsPerLevel.
  // Default: none.
  Tags tags;

  // How often the probes run. 100 ms to 1 hour.
  // Default: 1 s (the overhead budget, < 1 % of a core, is measured at 1 s).
  std::chrono::milliseconds interval{1000};

  // The directory holding proc/ and the mount points; tests point it at a
  // fake tree.
  // Default: "/".
  std::string root = "/";

  // Report cpu.core per core as well as the total.
  // Default: true.
  bool per_core = true;

  // Null: the default logger.
  std::shared_ptr<spdlog::logger> logger;

  // Returns InvalidArgument naming the first field out of range.
  Status Validate() const;
};

struct AgentCounters {
  uint64_t ticks = 0;         // Tick() calls.
  uint64_t probe_errors = 0;  // Probe readings that failed (logged rate-limited).
};

class Agent {
 public:
  // Opens every probe under options.root. Returns InvalidArgument for bad
  // options and IOError naming a file that cannot be opened.
  static Result<std::unique_ptr<Agent>> Open(const AgentOptions& options);

  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Runs every probe once into `sink`. A failing probe is counted and logged
  // (rate-limited) and the others still run. `steady_ns`: Clock::SteadyNs().
  void Tick(int64_t steady_ns, GaugeSink* sink);

  AgentCounters counters() const { return counters_; }

 private:
  struct Impl;
  explicit Agent(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  AgentCounters counters_;
};

// Opens the emitter and the agent, then ticks every options.interval on a
// libuv loop until SIGINT or SIGTERM; on the signal it stops, drains the
// emitter (at most its close timeout) and returns OK. Returns the Status of
// a failed start (Validate, Agent::Open, Emitter::Open).
Status RunAgentService(const AgentOptions& options);

}  // namespace sonde::agent

#endif  // SONDE_AGENT_H_

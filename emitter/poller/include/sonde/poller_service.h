// sonde-poller as a library: the flags (AddPollerFlags) and the run
// (RunPollerService) that main() wires together, so that main stays thin and
// tests drive the whole program in-process.
//
// One-shot (--once): poll every target once, write the report files to -o
// DIR (report.json, targets.csv, summary.csv, success_rate.csv with -s),
// print the summary table to stdout, and judge QoS. Daemon (default): poll
// every --interval, send samples to --to, log one line per round, stop
// cleanly on SIGINT/SIGTERM. docs/poller.md.
//
// Thread-safety: RunPollerService runs its own loop on the calling thread.
#ifndef SONDE_POLLER_SERVICE_H_
#define SONDE_POLLER_SERVICE_H_

#include <spdlog/logger.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "sonde/fleet_report.h"
#include "sonde/log.h"
#include "sonde/poller.h"
#include "sonde/service_cli.h"
#include "sonde/status.h"

namespace sonde::poller {

// Exit statuses of sonde-poller.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // Start-up or I/O failure (one stderr line).
inline constexpr int kExitUsage = 2;         // Bad flags or config (ServiceCli).
inline constexpr int kExitQosNotMet = 3;     // --once: fewer than -q percent answered.

struct PollerServiceOptions {
  PollerOptions poller;
  fleet::FleetReportOptions report;

  // Inventory file (-i) and/or discovery URL (--discover); at least one.
  // Default: none.
  std::string inventory;
  std::string discover_url;

  // Poll once, report and exit (--once); otherwise poll every `interval`.
  // Default: false, 60 s (1 s to 1 day).
  bool once = false;
  std::chrono::milliseconds interval{60000};

  // Report directory (-o), created if missing. --once only.
  // Default: "" (no files; the table is still printed).
  std::string output_dir;

  // Where samples go: udp://host:port, tcp://host:port or ipc://path.
  // Default: "" meaning udp://127.0.0.1:7700 in daemon mode and no samples
  // with --once.
  std::string to;

  // List failed targets in the table and log every failure (-v).
  // Default: false.
  bool verbose = false;

  // Failed targets listed in the table with -v. Default: 50.
  int list_failed = 50;

  // Progress line on stderr during a round; only ever drawn when stderr is
  // a terminal. Default: true.
  bool progress = true;

  // Where the summary table goes (--once). Default: stdout.
  std::FILE* table_out = stdout;

  // Default: null, meaning GetLogger("sonde.poller").
  std::shared_ptr<spdlog::logger> logger;

  // Returns InvalidArgument naming the first bad field (including those of
  // `poller` and `report`).
  Status Validate() const;
};

// Registers sonde-poller's flags on `cli`, writing into *options; the
// ClusterStats flags -i -o -q -v -s -t -f -r keep their meaning.
// `options` must outlive cli.Parse().
void AddPollerFlags(ServiceCli* cli, PollerServiceOptions* options);

// The log options main() should use: -v means debug for sonde.poller, and a
// one-shot run without -v logs warnings only (ClusterStats hid its error
// logs by default). --log-level and SPDLOG_LEVEL still win.
LogOptions PollerLogOptions(const LogOptions& parsed, const PollerServiceOptions& options);

// Runs the poller until --once finishes or a stop signal arrives. Returns
// the exit status (kExitOk or kExitQosNotMet), or an error Status for
// start-up and I/O failures (map it to kExitRuntimeError).
Result<int> RunPollerService(const PollerServiceOptions& options);

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SERVICE_H_

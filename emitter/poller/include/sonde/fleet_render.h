// Renderers for the fleet report: JSON (everything), CSV (one table per
// file) and a readable terminal table. The formats are specified in
// docs/poller.md ("Report files"); tests pin them byte for byte.
//
// Every renderer returns a complete string (ending in '\n') and never fails:
// invalid UTF-8 from a status page is replaced, CSV cells are quoted per
// RFC 4180. Numbers are rounded for display: percentages to 2 decimals,
// milliseconds to 3.
//
// Thread-safety: reentrant.
#ifndef SONDE_FLEET_RENDER_H_
#define SONDE_FLEET_RENDER_H_

#include <cstdint>
#include <span>
#include <string>

#include "sonde/fleet_report.h"
#include "sonde/target_record.h"

namespace sonde::fleet {

// The whole report as one JSON document: {"generated_ms", "totals", "qos",
// "failures", "latency_ms", ["success_rate",] "targets": [...]}. `targets`
// may be empty (the query tool may render aggregates only). generated_ms 0
// leaves the field out.
std::string RenderJson(const FleetReport& report, std::span<const TargetRecord> targets,
                       int64_t generated_ms);

// targets.csv: target,up,failure,http_status,latency_ms,attempts,application,
// version,requests,successes,errors,error. The application/version/count
// columns come from the fields named in `options`.
std::string RenderTargetsCsv(std::span<const TargetRecord> targets,
                             const FleetReportOptions& options);

// success_rate.csv: application,version,targets,requests,successes,errors,
// success_rate_percent.
std::string RenderSuccessRateCsv(const FleetReport& report);

// summary.csv: two columns, key,value: totals, QoS, failures by class,
// latency distribution.
std::string RenderSummaryCsv(const FleetReport& report);

struct TableOptions {
  // ANSI colour for the QoS verdict. Set it only when writing to a terminal.
  // Default: false.
  bool color = false;
  // List up to this many failed targets (target, class, cause) under the
  // summary (ClusterStats -v). Default: 0.
  int list_failed = 0;
};

// The readable summary for a terminal. `targets` is only read when
// options.list_failed > 0.
std::string RenderTable(const FleetReport& report, std::span<const TargetRecord> targets,
                        const TableOptions& options);

}  // namespace sonde::fleet

#endif  // SONDE_FLEET_RENDER_H_

// `sonde report success-rate`: the poller's fleet report (sonde/fleet_report.h,
// the same aggregation and renderers as `sonde-poller --once`) over the
// pipeline's latest state: each poller target's samples are turned back into
// a TargetRecord (sonde/poll_metrics.h). docs/health.md.
#ifndef SONDE_TOOLS_SONDE_REPORT_COMMAND_H_
#define SONDE_TOOLS_SONDE_REPORT_COMMAND_H_

#include "command.h"

namespace sonde::tools {

Command AddReportCommand(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_REPORT_COMMAND_H_

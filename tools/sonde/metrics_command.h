// `sonde metrics HOST`: the series of one host with their kind, last value
// and its age (docs/query.md).
#ifndef SONDE_TOOLS_SONDE_METRICS_COMMAND_H_
#define SONDE_TOOLS_SONDE_METRICS_COMMAND_H_

#include "command.h"

namespace sonde::tools {

Command AddMetricsCommand(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_METRICS_COMMAND_H_

// `sonde get HOST [LABEL]`: the rollups of a host's series whose metric name
// contains LABEL (case-insensitive, as liz matched labels): a summary row and
// a sparkline per series, or every window (docs/query.md).
#ifndef SONDE_TOOLS_SONDE_GET_COMMAND_H_
#define SONDE_TOOLS_SONDE_GET_COMMAND_H_

#include "command.h"

namespace sonde::tools {

Command AddGetCommand(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_GET_COMMAND_H_

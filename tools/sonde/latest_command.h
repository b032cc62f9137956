// `sonde latest`: the latest state of every series as a table that can be
// filtered (--host, --metric, --where), narrowed (--columns), sorted and
// cut (--sort, --limit) (docs/query.md).
#ifndef SONDE_TOOLS_SONDE_LATEST_COMMAND_H_
#define SONDE_TOOLS_SONDE_LATEST_COMMAND_H_

#include "command.h"

namespace sonde::tools {

Command AddLatestCommand(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_LATEST_COMMAND_H_

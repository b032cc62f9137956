// `sonde hosts`: every host that reported, with when it was last seen and
// how long ago (docs/query.md).
#ifndef SONDE_TOOLS_SONDE_HOSTS_COMMAND_H_
#define SONDE_TOOLS_SONDE_HOSTS_COMMAND_H_

#include "command.h"

namespace sonde::tools {

Command AddHostsCommand(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_HOSTS_COMMAND_H_

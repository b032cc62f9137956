// `sonde tail`: subscribes to a broker's PUB socket and prints every sample
// as it arrives, one line each (text or JSON lines), counting sequence gaps
// per broker, which only a subscription to every source can tell from
// filtered-out publications (docs/broker.md, "sonde tail").
#ifndef SONDE_TOOLS_SONDE_TAIL_COMMAND_H_
#define SONDE_TOOLS_SONDE_TAIL_COMMAND_H_

#include "command.h"

namespace sonde::tools {

Command AddTailCommand(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_TAIL_COMMAND_H_

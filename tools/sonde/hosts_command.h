// `sonde hosts`: every host that reported, with when it was last seen and
// how long ago (docs/query.md).
#ifndef SONDE_TOOLS_SONDE_HOSTS_COMMAND_H_
#define SONDE_TOOLS_SONDE_HOSTS_COMMAND_H_

#include <cstdint>
#include <vector>

#include "command.h"
#include "sonde/latest_state.h"

namespace sonde::tools {

// A host's age at `now_ms` (ms): 0 when it was last seen after then (its
// clock is ahead of ours, or --now looks back), never negative.
int64_t HostAgeMs(const HostInfo& host, int64_t now_ms);

// --now in the past: leaves out the hosts first seen after `now_ms`, which
// had not reported by then. (A host seen again since stays, with age 0.)
void DropHostsNotSeenBy(int64_t now_ms, std::vector<HostInfo>* hosts);

Command AddHostsCommand(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_HOSTS_COMMAND_H_

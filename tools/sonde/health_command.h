// `sonde health`: one row per server (host, service, CPU, memory, status)
// judged by the rules in sonde/health_rules.h, services below their minimum
// of healthy servers, averages by service (--avg), and an exit status for
// cron and CI (docs/health.md).
#ifndef SONDE_TOOLS_SONDE_HEALTH_COMMAND_H_
#define SONDE_TOOLS_SONDE_HEALTH_COMMAND_H_

#include "command.h"

namespace sonde::tools {

// Exit codes of `sonde health` (docs/health.md, "Exit status").
inline constexpr int kHealthExitHealthy = 0;
inline constexpr int kHealthExitUnhealthy = 1;  // A server Unhealthy/Down/Stale, or a service below its minimum.
inline constexpr int kHealthExitUsage = 2;
inline constexpr int kHealthExitNoData = 3;     // The state could not be read.

Command AddHealthCommand(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_HEALTH_COMMAND_H_

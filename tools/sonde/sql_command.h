// `sonde sql`: SQL over the latest state of the fleet, for Qasino's users
// (docs/query.md, "sonde sql"; the tables are described in latest_sql.h).
#ifndef SONDE_TOOLS_SONDE_SQL_COMMAND_H_
#define SONDE_TOOLS_SONDE_SQL_COMMAND_H_

#include "command.h"

namespace sonde::tools {

Command AddSqlCommand(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_SQL_COMMAND_H_

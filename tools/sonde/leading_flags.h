// Subcommand flags given before the subcommand: `sonde --db DIR hosts` is
// read as `sonde hosts --db DIR`, as users of other tools expect. CLI11 binds
// each flag to the subcommand that declares it, and would otherwise refuse
// "--db" ahead of "hosts" with an unhelpful "arguments were not expected".
#ifndef SONDE_TOOLS_SONDE_LEADING_FLAGS_H_
#define SONDE_TOOLS_SONDE_LEADING_FLAGS_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace sonde::tools {

// `args` is argv (args[0] the program). Returns it with the leading flags
// that `app` itself does not declare (with their values) moved to just after
// the subcommand, or after the nested subcommands (`report success-rate`).
// The app's own flags (--verbose, --log-level, --config) stay where they are;
// without a subcommand, or after "--", `args` comes back unchanged.
std::vector<std::string> MoveLeadingFlags(const CLI::App& app,
                                          const std::vector<std::string>& args);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_LEADING_FLAGS_H_

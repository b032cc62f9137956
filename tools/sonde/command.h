// How `sonde` subcommands plug into main.cc: each lives in its own
// <name>_command.{h,cc} and exposes one Add<Name>Command(CLI::App&), which
// adds a subcommand with its flags and returns a Command. main() parses the
// command line, then runs the Command whose subcommand was picked.
//
// Adding a subcommand: write <name>_command.{h,cc}, list the .cc in
// tools/sonde/CMakeLists.txt, and add its Add<Name>Command to kCommands in
// main.cc (plus the #include).
#ifndef SONDE_TOOLS_SONDE_COMMAND_H_
#define SONDE_TOOLS_SONDE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <functional>

namespace sonde::tools {

struct Command {
  CLI::App* app = nullptr;  // The subcommand, owned by the parent app.
  // Runs the command once flags are parsed; returns the process exit code
  // (0 success, 1 runtime failure, 2 usage). Owns the command's flag values.
  std::function<int()> run;
};

using AddCommandFn = Command (*)(CLI::App& parent);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_COMMAND_H_

// sonde: the command-line tool for a Sonde pipeline. Each subcommand lives in
// its own <name>_command.cc (see command.h).
#include <cstdio>
#include <string>
#include <vector>

#include "command.h"
#include "get_command.h"
#include "health_command.h"
#include "hosts_command.h"
#include "latest_command.h"
#include "leading_flags.h"
#include "metrics_command.h"
#include "report_command.h"
#include "sonde/log.h"
#include "sonde/service_cli.h"
#include "sql_command.h"
#include "tail_command.h"

namespace {

// The subcommands, in --help order: one line each.
// clang-format off
constexpr sonde::tools::AddCommandFn kCommands[] = {
    sonde::tools::AddHostsCommand,
    sonde::tools::AddMetricsCommand,
    sonde::tools::AddGetCommand,
    sonde::tools::AddLatestCommand,
    sonde::tools::AddSqlCommand,
    sonde::tools::AddTailCommand,
    sonde::tools::AddHealthCommand,
    sonde::tools::AddReportCommand,
};
// clang-format on

}  // namespace

int main(int argc, char** argv) {
  sonde::ServiceCli cli("sonde", "Query and watch a Sonde telemetry pipeline.");
  cli.app().require_subcommand(1);
  // Subcommands inherit this: --verbose and --log-level work after them too.
  cli.app().fallthrough();
  bool verbose = false;
  cli.app().add_flag("-v,--verbose", verbose, "Log to stderr at debug level (default: no logs)");
  std::vector<sonde::tools::Command> commands;
  for (sonde::tools::AddCommandFn add : kCommands) commands.push_back(add(cli.app()));
  // `sonde --db DIR hosts` works as `sonde hosts --db DIR` does.
  const std::vector<std::string> args =
      sonde::tools::MoveLeadingFlags(cli.app(), std::vector<std::string>(argv, argv + argc));
  std::vector<const char*> arg_pointers;
  for (const std::string& arg : args) arg_pointers.push_back(arg.c_str());
  if (auto code = cli.Parse(static_cast<int>(arg_pointers.size()), arg_pointers.data())) {
    return *code;
  }
  // sonde prints answers, not logs: stderr holds only errors and notes unless
  // --verbose or --log-level asks for more.
  sonde::LogOptions log = cli.log_options();
  if (log.level.empty()) log.level = verbose ? "debug" : "off";
  if (auto s = sonde::SetupLogging(log); !s.ok()) return cli.Fail(s.message());
  int code = 2;
  for (const sonde::tools::Command& command : commands) {
    if (command.app->parsed()) code = command.run();
  }
  sonde::ShutdownLogging();
  return code;
}

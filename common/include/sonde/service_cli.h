// ServiceCli: the one flag and config-file loader for every Sonde binary.
//
// A thin wrapper around CLI11 that adds the standard flags and turns every
// parse outcome into an exit code, so that main() stays thin:
//
//   int main(int argc, char** argv) {
//     sonde::ServiceCli cli("sonde-broker", "Validates and fans out Sonde batches.");
//     sonde::broker::BrokerOptions opts;
//     cli.app().add_option("--udp", opts.udp, "UDP ingest endpoint")->capture_default_str();
//     cli.AddDuration("--stats-interval", &opts.stats_interval, "Emit own counters every");
//     if (auto code = cli.Parse(argc, argv)) return *code;
//     if (auto s = opts.Validate(); !s.ok()) return cli.Fail(s.message());
//     if (auto s = sonde::SetupLogging(cli.log_options()); !s.ok()) return cli.Fail(s.message());
//     ...
//   }
//
// Standard flags:
//   --config FILE     TOML file; keys are the long flag names without "--"
//                     (log-level = "debug", udp = "udp://0.0.0.0:7700").
//                     Flags on the command line override the file. A key that
//                     names no flag is an error. See docs/config.md.
//   --log-level SPEC  level spec, as SPDLOG_LEVEL (sonde/log.h)
//   --log-file PATH   also log to PATH (reopened on SIGHUP)
//   --version, --help
//
// Exit codes from Parse(): 0 after --help/--version; 2 for usage and config
// errors, after printing ONE line to stderr:
//   sonde-broker: error: --udp: expected udp://host:port (see --help)
// When the flag's value came from the config file (not overridden on the
// command line), the line says where, before the flag's own message:
//   sonde-broker: error: broker.toml:3:11: Could not convert: --pub-hwm = lots (see --help)
//
// Registration (app(), Add*) happens before Parse() and may throw CLI11's
// exceptions for programming errors such as a duplicate flag; Parse() never
// throws. Thread-safety: none; use from main() only.
#ifndef SONDE_SERVICE_CLI_H_
#define SONDE_SERVICE_CLI_H_

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sonde/log.h"

namespace sonde {

// The project version, e.g. "0.1.0".
std::string_view SondeVersion();

class ServiceCli {
 public:
  // `binary` names the program in --help, --version and error lines.
  ServiceCli(std::string binary, std::string description);
  ServiceCli(const ServiceCli&) = delete;
  ServiceCli& operator=(const ServiceCli&) = delete;

  // The CLI11 app, for the service's own flags. Long names become config
  // keys, so prefer long names for everything a file may set.
  CLI::App& app() { return app_; }

  // A flag taking a duration ("500ms", "10s", "5m", "1h", "7d"); the help
  // and the effective config show *out's initial value as the default.
  // `out` must outlive Parse().
  CLI::Option* AddDuration(const std::string& name, std::chrono::milliseconds* out,
                           const std::string& help);

  // A flag taking a byte size ("64MiB", "1GB", "4096"). As AddDuration.
  CLI::Option* AddByteSize(const std::string& name, uint64_t* out, const std::string& help);

  // Parses flags, then the config file if --config was given.
  // Returns nullopt to go on, else the exit code for main() to return (the
  // output for --help/--version or the one error line is already printed).
  std::optional<int> Parse(int argc, const char* const* argv);

  // Logging flags as parsed (level spec and file). Valid after Parse().
  const LogOptions& log_options() const { return log_options_; }

  // The --config path, or "" when none was given.
  std::string config_file() const;

  // Every option and its effective value, as one line of "key=value"
  // pairs, for the start-up info line (event=config ...).
  std::string EffectiveConfig() const;

  // Prints "<binary>: error: <message>" to stderr and returns 2, for
  // main()'s own checks after Parse() (Options::Validate()). When the first
  // flag the message names ("--pub-hwm: 0 is out of range ...") got its
  // value from the config file, "<file>:<line>:<column>: " goes first.
  int Fail(std::string_view message) const;

  const std::string& binary() const { return binary_; }

 private:
  // "<file>:<line>:<column>: " when the first flag `message` names was set
  // by the config file, else "".
  std::string ConfigValuePosition(std::string_view message) const;

  std::string binary_;
  CLI::App app_;
  LogOptions log_options_;
  // "line:column" of each value the config file set (the command line's
  // values win and are not here); filled while Parse() reads the file.
  std::map<const CLI::Option*, std::string> config_positions_;
};

// CLI11 transformers: check the value and rewrite it into plain integers
// (milliseconds, bytes), for options bound directly to integer fields. The
// error names the flag: "--flush: '10x': unknown unit 'x' ...".
CLI::Validator DurationMsTransformer();
CLI::Validator ByteSizeTransformer();
// A duration ("500ms", "5s") or, as ClusterStats' -t took it, a bare number
// of seconds ("2", "1.5"); rewritten into milliseconds.
CLI::Validator SecondsOrDurationMsTransformer();

// A flag of that form bound to *out, its default shown as a duration: the
// timeouts of sonde-poller (-t), sonde-emit and sonde (--timeout).
CLI::Option* AddSecondsOrDuration(CLI::App& app, const std::string& name,
                                  std::chrono::milliseconds* out, const std::string& help);

}  // namespace sonde

#endif  // SONDE_SERVICE_CLI_H_

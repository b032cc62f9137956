// sonde-emit: sends one-off samples from the shell.
//   sonde-emit --to udp://127.0.0.1:7700 --host web-01 cpu=12.5 mem=40 --tag service=auth
//   vmstat-to-samples | sonde-emit --to tcp://127.0.0.1:7701 -
#include <cstdio>

#include "emit_command.h"
#include "sonde/service_cli.h"
#include "sonde/units.h"

int main(int argc, char** argv) {
  sonde::ServiceCli cli("sonde-emit",
                        "Sends samples to a Sonde broker (exit 0: sent, "
                        "1: sending failed, 2: bad input).");
  sonde::emit::EmitCommand cmd;
  CLI::App& app = cli.app();
  app.add_option("--to", cmd.to, "Endpoint: udp://host:port, tcp://host:port or ipc://path")
      ->capture_default_str();
  app.add_option("--host", cmd.host, "Source host name (default: this host's name)");
  app.add_option("--tag", cmd.tags, "key=value tag for every sample; repeatable")
      ->allow_extra_args(false);  // One value per --tag: samples may follow it.
  app.add_option("--kind", cmd.kind, "Kind for samples without ':kind': gauge, counter, timing")
      ->capture_default_str();
  app.add_option("--time", cmd.time,
                 "Sample time: ms since the epoch or RFC 3339, e.g. 2024-05-01T12:00:00Z "
                 "(default: now)");
  // As `sonde tail --timeout`: a duration, or a bare number of seconds.
  sonde::AddSecondsOrDuration(app, "--timeout", &cmd.timeout,
                              "How long to wait for delivery, " +
                                  std::string(sonde::emit::kTimeoutRange) +
                                  ", e.g. 5s or 500ms; a bare number is seconds");
  app.add_flag("-v,--verbose", cmd.verbose, "Print what was sent");
  app.add_option("samples", cmd.samples,
                 "name=value[:kind] (e.g. cpu=12.5 requests=5:counter), or - to read such "
                 "tokens from stdin, one or more per line")
      ->required();
  if (auto code = cli.Parse(argc, argv)) return *code;
  return sonde::emit::RunEmit(cmd, stdin, stdout, stderr);
}

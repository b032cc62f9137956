// sonde-poller: polls the JSON status pages of a fleet into the Sonde pipeline,
// or (--once) writes a ClusterStats-style report. docs/poller.md.
#include <cstdio>

#include "sonde/log.h"
#include "sonde/poller_service.h"
#include "sonde/service_cli.h"

int main(int argc, char** argv) {
  sonde::ServiceCli cli("sonde-poller",
                        "Polls the JSON status pages of many servers into Sonde samples, "
                        "or once into a report (docs/poller.md).");
  sonde::poller::PollerServiceOptions options;
  sonde::poller::AddPollerFlags(&cli, &options);
  if (auto code = cli.Parse(argc, argv)) return *code;
  if (auto s = options.Validate(); !s.ok()) return cli.Fail(s.message());
  const sonde::LogOptions log = sonde::poller::PollerLogOptions(cli.log_options(), options);
  if (auto s = sonde::SetupLogging(log); !s.ok()) return cli.Fail(s.message());
  sonde::GetLogger("sonde.poller")->info("event=config {}", cli.EffectiveConfig());

  sonde::Result<int> code = sonde::poller::RunPollerService(options);
  if (!code) {
    std::fprintf(stderr, "sonde-poller: error: %s\n", code.error().ToString().c_str());
  }
  sonde::ShutdownLogging();
  return code ? *code : sonde::poller::kExitRuntimeError;
}

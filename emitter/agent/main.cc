// sonde-agent: reports this host's CPU, memory, load, disk and network use
// into the Sonde pipeline every interval. docs/agent.md.
#include <cstdio>

#include "sonde/agent.h"
#include "sonde/agent_flags.h"
#include "sonde/log.h"
#include "sonde/service_cli.h"

int main(int argc, char** argv) {
  sonde::ServiceCli cli("sonde-agent",
                        "Reports this host's CPU, memory, load, disk and network use to Sonde "
                        "(docs/agent.md).");
  sonde::agent::AgentFlags flags;
  sonde::agent::AddAgentFlags(&cli, &flags);
  if (auto code = cli.Parse(argc, argv)) return *code;
  sonde::Result<sonde::agent::AgentOptions> options = sonde::agent::ResolveAgentFlags(flags);
  if (!options) return cli.Fail(options.error().message());
  if (auto s = options->Validate(); !s.ok()) return cli.Fail(s.message());
  if (auto s = sonde::SetupLogging(cli.log_options()); !s.ok()) return cli.Fail(s.message());
  options->logger = sonde::GetLogger("sonde.agent");
  options->logger->info("event=config {}", cli.EffectiveConfig());

  sonde::Status s = sonde::agent::RunAgentService(*options);
  if (!s.ok()) std::fprintf(stderr, "sonde-agent: error: %s\n", s.ToString().c_str());
  sonde::ShutdownLogging();
  return s.ok() ? 0 : 1;
}

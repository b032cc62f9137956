#include "sonde/agent_flags.h"

#include <string>

namespace sonde::agent {

void AddAgentFlags(ServiceCli* cli, AgentFlags* flags) {
  CLI::App& app = cli->app();
  AgentOptions& o = flags->options;
  app.add_option("--to", o.endpoint, "Where to send samples: udp://, tcp:// or ipc://")
      ->capture_default_str();
  app.add_option("--this-host", o.host, "Host name to report as (default: the host name)");
  app.add_option("--tag", flags->tags, "key=value tag on every sample; repeatable");
  cli->AddDuration("--interval", &o.interval, "Probe interval");
  app.add_option("--root", o.root, "Directory holding proc/ (for tests)")->capture_default_str();
  app.add_flag("--no-per-core", flags->no_per_core, "Report only the total CPU, not each core");
}

Result<AgentOptions> ResolveAgentFlags(const AgentFlags& flags) {
  AgentOptions options = flags.options;
  options.per_core = !flags.no_per_core;
  Result<Tags> tags = ParseTagFlags(flags.tags);
  if (!tags) return tags.error();
  options.tags.insert(options.tags.end(), tags->begin(), tags->end());
  return options;
}

}  // namespace sonde::agent

// sonde-agent's command line, on top of ServiceCli (sonde/service_cli.h):
//   --to URI            endpoint (default udp://127.0.0.1:7700)
//   --this-host NAME    host name reported (default: gethostname())
//   --tag KEY=VALUE     static tag, repeatable
//   --interval DURATION probe interval (default 1s)
//   --root DIR          where proc/ lives (default /)
//   --no-per-core       only the total CPU
// Every flag is also a config-file key (docs/config.md, "sonde-agent").
#ifndef SONDE_AGENT_FLAGS_H_
#define SONDE_AGENT_FLAGS_H_

#include <string>
#include <string_view>
#include <vector>

#include "sonde/agent.h"
#include "sonde/service_cli.h"
#include "sonde/tag_flag.h"

namespace sonde::agent {

struct AgentFlags {
  AgentOptions options;
  std::vector<std::string> tags;  // "key=value", as given.
  bool no_per_core = false;
};

// Registers the flags above on `cli`, bound to *flags (which must outlive Parse()).
void AddAgentFlags(ServiceCli* cli, AgentFlags* flags);

// Turns parsed flags into options (tags parsed with ParseTagFlags,
// sonde/tag_flag.h); then call Validate(). Returns InvalidArgument for a tag
// that is not key=value.
Result<AgentOptions> ResolveAgentFlags(const AgentFlags& flags);

}  // namespace sonde::agent

#endif  // SONDE_AGENT_FLAGS_H_

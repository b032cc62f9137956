#include "sonde/agent.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sonde/log.h"
#include "sonde/wire.h"

namespace sonde::agent {
namespace {

constexpr std::chrono::milliseconds kMinInterval{100};
constexpr std::chrono::milliseconds kMaxInterval = std::chrono::hours(1);

Status ValidateTags(const Tags& tags) {
  if (tags.size() > kMaxTagsPerLevel) {
    return Status::InvalidArgument("tags: at most " + std::to_string(kMaxTagsPerLevel));
  }
  std::set<std::string_view> keys;
  for (const Tag& t : tags) {
    if (t.key.empty() || t.key.size() > kMaxTagKeyBytes) {
      return Status::InvalidArgument("tag '" + t.key + "': key must be 1 to " +
                                     std::to_string(kMaxTagKeyBytes) + " bytes");
    }
    if (t.value.size() > kMaxTagValueBytes) {
      return Status::InvalidArgument("tag '" + t.key + "': value over " +
                                     std::to_string(kMaxTagValueBytes) + " bytes");
    }
    if (!keys.insert(t.key).second) {
      return Status::InvalidArgument("tag '" + t.key + "': given twice");
    }
  }
  return Status::OK();
}

}  // namespace

Status AgentOptions::Validate() const {
  if (endpoint.empty()) return Status::InvalidArgument("endpoint: must not be empty");
  if (host.size() > kMaxSourceBytes) {
    return Status::InvalidArgument("host: at most " + std::to_string(kMaxSourceBytes) + " bytes");
  }
  SONDE_RETURN_IF_ERROR(ValidateTags(tags));
  if (interval < kMinInterval || interval > kMaxInterval) {
    return Status::InvalidArgument("interval: must be between 100ms and 1h");
  }
  if (root.empty()) return Status::InvalidArgument("root: must not be empty");
  return Status::OK();
}

struct Agent::Impl {
  explicit Impl(std::shared_ptr<spdlog::logger> logger) : log(std::move(logger)) {}
  std::vector<std::unique_ptr<HostProbe>> probes;
  RateLimitedLog log;
};

Agent::Agent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Agent::~Agent() = default;

Result<std::unique_ptr<Agent>> Agent::Open(const AgentOptions& options) {
  SONDE_RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<Impl>(LoggerOrDefault(options.logger));
  Result<std::unique_ptr<HostProbe>> opened[] = {
      OpenCpuProbe(options.root, options.per_core), OpenMemoryProbe(options.root),
      OpenLoadProbe(options.root), OpenDiskProbe(options.root), OpenNetworkProbe(options.root)};
  for (auto& probe : opened) {
    if (!probe) return probe.error();
    impl->probes.push_back(std::move(*probe));
  }
  return std::unique_ptr<Agent>(new Agent(std::move(impl)));
}

void Agent::Tick(int64_t steady_ns, GaugeSink* sink) {
  ++counters_.ticks;
  for (auto& probe : impl_->probes) {
    Status s = probe->Sample(steady_ns, sink);
    if (s.ok()) continue;
    ++counters_.probe_errors;
    impl_->log.Warn("probe_failed", probe->name(), "error=\"{}\" probe_errors={}", s.ToString(),
                    counters_.probe_errors);
  }
}

}  // namespace sonde::agent

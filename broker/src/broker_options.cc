// BrokerOptions::Validate: one check per field, each tested and named by its
// flag (as sonde-broker spells it), since that is what a user typed
// (tests/broker/broker_options_test.cc).
#include <string>

#include "sonde/broker.h"
#include "sonde/endpoint.h"

namespace sonde::broker {

namespace {

Status CheckEndpoint(const std::string& field, const std::string& uri, bool zmq) {
  Result<Endpoint> endpoint = ParseEndpoint(uri, EndpointRole::kBind);
  if (!endpoint.has_value()) return endpoint.error().WithContext(field);
  if (endpoint->is_zmq() != zmq) {
    return Status::InvalidArgument(field + ": '" + uri + "': expected " +
                                   (zmq ? "tcp://host:port or ipc://path" : "udp://host:port"));
  }
  return Status::OK();
}

Status CheckRange(const char* field, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return Status::OK();
  return Status::InvalidArgument(std::string(field) + ": " + std::to_string(value) +
                                 " is out of range [" + std::to_string(min) + ", " +
                                 std::to_string(max) + "]");
}

}  // namespace

Status BrokerOptions::Validate() const {
  if (udp.empty() && pull.empty()) {
    return Status::InvalidArgument("--udp, --pull: at least one ingest endpoint is needed");
  }
  if (!udp.empty()) SONDE_RETURN_IF_ERROR(CheckEndpoint("--udp", udp, false));
  if (!pull.empty()) SONDE_RETURN_IF_ERROR(CheckEndpoint("--pull", pull, true));
  if (pub.empty()) return Status::InvalidArgument("--pub: a PUB endpoint is needed");
  SONDE_RETURN_IF_ERROR(CheckEndpoint("--pub", pub, true));
  if (broker_id.size() > kMaxBrokerIdBytes) {
    return Status::InvalidArgument("--broker-id: longer than " + std::to_string(kMaxBrokerIdBytes) +
                                   " bytes");
  }
  for (unsigned char c : broker_id) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("--broker-id: contains a control character");
    }
  }
  if (stats_source.size() > kMaxSourceBytes) {
    return Status::InvalidArgument("--stats-source: longer than " + std::to_string(kMaxSourceBytes) +
                                   " bytes");
  }
  SONDE_RETURN_IF_ERROR(CheckRange("--stats-interval (ms)", stats_interval.count(), 0, 86400000));
  if (stats_interval.count() > 0 && stats_interval.count() < 10) {
    return Status::InvalidArgument("--stats-interval: below 10ms (use 0 to disable)");
  }
  SONDE_RETURN_IF_ERROR(CheckRange("--max-message-bytes", static_cast<int64_t>(max_message_bytes), 64,
                                   kMaxMessageBytes));
  SONDE_RETURN_IF_ERROR(CheckRange("--udp-rcvbuf", udp_rcvbuf_bytes, 0, 1 << 30));
  SONDE_RETURN_IF_ERROR(CheckRange("--pub-hwm", pub_hwm, 1, 10000000));
  SONDE_RETURN_IF_ERROR(CheckRange("--pull-hwm", pull_hwm, 1, 10000000));
  SONDE_RETURN_IF_ERROR(CheckRange("--drain-batch", drain_batch, 1, 1000000));
  SONDE_RETURN_IF_ERROR(CheckRange("--linger (ms)", linger.count(), 0, 60000));
  return Status::OK();
}

}  // namespace sonde::broker

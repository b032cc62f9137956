// EmitterOptions::Validate: one check per field, each with its range in the
// message (statsite's sane_*() checks).
#include <string>
#include <vector>

#include "emitter_limits.h"
#include "sonde/emitter.h"
#include "sonde/endpoint.h"
#include "wire_limits.h"

namespace sonde {
namespace {

Status OutOfRange(std::string_view field, std::string_view value, std::string_view range) {
  std::string msg(field);
  msg.append(": ").append(value).append(" is out of range (").append(range).append(")");
  return Status::InvalidArgument(msg);
}

std::string Ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// Checks source and batch tags with the codec itself, so that the emitter
// accepts exactly what the wire format does.
Status CheckEnvelope(const EmitterOptions& o, size_t max_batch_bytes) {
  std::vector<TagView> tags;
  tags.reserve(o.tags.size());
  for (const Tag& t : o.tags) tags.push_back({t.key, t.value});
  BatchBuilder builder(max_batch_bytes);
  // An empty source means gethostname(); check the rest with a stand-in.
  WireError err = builder.Begin(o.source.empty() ? "localhost" : o.source, kMinTimestampMs, tags);
  switch (err) {
    case WireError::kOk:
      return Status::OK();
    case WireError::kBadSource:
      return Status::InvalidArgument("source '" + o.source +
                                     "': longer than 255 bytes or has control characters");
    case WireError::kTooManyTags:
      return Status::InvalidArgument("tags: " + std::to_string(o.tags.size()) +
                                     " batch tags, at most " + std::to_string(kMaxTagsPerLevel));
    case WireError::kBadTag:
      return Status::InvalidArgument(
          "tags: a key is empty or over 64 bytes, a value over 255 bytes, or one has control "
          "characters");
    case WireError::kDuplicateTag:
      // The store could not tell which value a series has (wire-format.md).
      return Status::InvalidArgument(
          "tag '" + std::string(wire_internal::FindDuplicateKey(tags)->key) + "' given twice");
    case WireError::kOversized:
      return Status::InvalidArgument("source and tags alone take more than max_batch_bytes (" +
                                     std::to_string(max_batch_bytes) + ")");
    default:
      return Status::InvalidArgument(std::string("source or tags: ") + WireErrorName(err));
  }
}

}  // namespace

Status EmitterOptions::Validate() const {
  Result<Endpoint> ep = ParseEndpoint(endpoint, EndpointRole::kConnect);
  if (!ep) return ep.error();
  if (flush_interval < kMinFlushInterval || flush_interval > kMaxFlushInterval) {
    return OutOfRange("flush_interval", Ms(flush_interval), "1 ms to 1 h");
  }
  const size_t max_batch_limit =
      ep->transport == Transport::kUdp ? kMaxUdpMessageBytes : kMaxMessageBytes;
  if (max_batch_bytes != 0 &&
      (max_batch_bytes < kMinBatchBytes || max_batch_bytes > max_batch_limit)) {
    return OutOfRange("max_batch_bytes", std::to_string(max_batch_bytes),
                      "0 for the default, or 256 to " + std::to_string(max_batch_limit) + " for " +
                          (ep->transport == Transport::kUdp ? "udp" : "zeromq"));
  }
  if (queue_bytes < kMinQueueBytes || queue_bytes > kMaxQueueBytes) {
    return OutOfRange("queue_bytes", std::to_string(queue_bytes), "64 KiB to 1 GiB");
  }
  if (close_timeout < std::chrono::milliseconds(0) || close_timeout > kMaxCloseTimeout) {
    return OutOfRange("close_timeout", Ms(close_timeout), "0 to 60 s");
  }
  if (zmq_send_hwm < 1 || zmq_send_hwm > kMaxZmqSendHwm) {
    return OutOfRange("zmq_send_hwm", std::to_string(zmq_send_hwm), "1 to 1000000");
  }
  return CheckEnvelope(*this, EffectiveMaxBatchBytes(*this, ep->transport));
}

size_t EffectiveMaxBatchBytes(const EmitterOptions& options, Transport transport) {
  if (options.max_batch_bytes != 0) return options.max_batch_bytes;
  return transport == Transport::kUdp ? kDefaultUdpBatchBytes : kMaxMessageBytes;
}

}  // namespace sonde

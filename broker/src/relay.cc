#include "relay.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <uv.h>

namespace sonde::broker {

namespace {

// Formats a peer address only when the rate limiter lets a line through.
struct Peer {
  const sockaddr* addr;
};

}  // namespace

}  // namespace sonde::broker

template <>
struct fmt::formatter<sonde::broker::Peer> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const sonde::broker::Peer& peer, Context& ctx) const {
    char host[64] = "-";
    int port = 0;
    if (peer.addr != nullptr && peer.addr->sa_family == AF_INET) {
      auto* in = reinterpret_cast<const sockaddr_in*>(peer.addr);
      uv_ip4_name(in, host, sizeof host);
      port = ntohs(in->sin_port);
    } else if (peer.addr != nullptr && peer.addr->sa_family == AF_INET6) {
      auto* in6 = reinterpret_cast<const sockaddr_in6*>(peer.addr);
      uv_ip6_name(in6, host, sizeof host);
      port = ntohs(in6->sin6_port);
    }
    return fmt::format_to(ctx.out(), "{}:{}", host, port);
  }
};

namespace sonde::broker {

Relay::Relay(ZmqPublisher* publisher, BrokerMetrics* metrics, RateLimitedLog* log,
             size_t max_message_bytes, const Clock* clock)
    : metrics_(metrics),
      log_(log),
      max_message_bytes_(max_message_bytes),
      clock_(clock),
      bundler_(publisher) {}

bool Relay::Accept(Ingest ingest, std::string_view message, const sockaddr* peer,
                   std::string_view* source) {
  BrokerMetrics::Received& received = metrics_->of(ingest);
  received.messages->Inc();
  received.bytes->Inc(message.size());
  uint32_t samples = 0;
  WireError error = message.size() > max_message_bytes_ ? WireError::kOversized
                                                        : ValidateBatch(message, source, &samples);
  if (error == WireError::kOk) {
    received.samples->Inc(samples);
    return true;
  }
  metrics_->malformed[static_cast<int>(error)]->Inc();
  if (peer != nullptr) {
    log_->Warn("message_dropped", WireErrorName(error), "transport={} peer={} bytes={}",
               IngestName(ingest), Peer{peer}, message.size());
  } else {
    log_->Warn("message_dropped", WireErrorName(error), "transport={} bytes={}", IngestName(ingest),
               message.size());
  }
  return false;
}

void Relay::OnDatagram(std::string_view message, const sockaddr* peer) {
  std::string_view source;
  if (!Accept(Ingest::kUdp, message, peer, &source)) return;
  bundler_.Add(source, message, BurstMs());
}

void Relay::OnPullMessage(zmq_msg_t* message) {
  std::string_view bytes(static_cast<const char*>(zmq_msg_data(message)), zmq_msg_size(message));
  std::string_view source;
  if (!Accept(Ingest::kPull, bytes, nullptr, &source)) return;
  bundler_.AddMessage(source, message, BurstMs());
}

void Relay::OnPullMultipart(size_t frames, size_t bytes) {
  BrokerMetrics::Received& received = metrics_->of(Ingest::kPull);
  received.messages->Inc();
  received.bytes->Inc(bytes);
  metrics_->pull_multipart->Inc();
  log_->Warn("message_dropped", "multipart", "transport=pull frames={} bytes={}", frames, bytes);
}

}  // namespace sonde::broker

#include "broker_metrics.h"

#include <fmt/format.h>

#include <iterator>
#include <string>

namespace sonde::broker {

const char* IngestName(Ingest ingest) { return ingest == Ingest::kUdp ? "udp" : "pull"; }

BrokerMetrics::BrokerMetrics(CounterRegistry* r) {
  for (int i = 0; i < kIngestCount; ++i) {
    MetricLabel label{"transport", IngestName(static_cast<Ingest>(i))};
    received[i].messages = r->AddCounter("received", "Messages received, valid or not.", label);
    received[i].bytes = r->AddCounter("received_bytes", "Bytes of messages received.", label);
    received[i].samples =
        r->AddCounter("received_samples", "Samples in valid messages received.", label);
  }
  for (int i = 1; i < kWireErrorCount; ++i) {
    malformed[i] = r->AddCounter("malformed", "Messages dropped as malformed, by reason.",
                                 {"reason", WireErrorName(static_cast<WireError>(i))});
  }
  pull_multipart = r->AddCounter("pull_multipart", "Multi-frame PULL messages dropped.");
  pull_peers = r->AddGauge("pull_peers", "Connections to the PULL socket open now.");
  pull_peer_disconnects = r->AddCounter(
      "pull_peer_disconnects",
      "PUSH peers disconnected, for any reason; a message over max_message_bytes disconnects "
      "its sender.");
  pull_handshake_failures = r->AddCounter(
      "pull_handshake_failures",
      "Connections to the PULL socket that ended before completing the ZMTP handshake.");
  published = r->AddCounter("published", "Publications on the PUB socket, own stats included.");
  published_messages =
      r->AddCounter("published_messages", "Messages in publications (several per bundle).");
  published_bytes = r->AddCounter("published_bytes", "Payload bytes published.");
  publish_errors = r->AddCounter("publish_errors", "Publications ZeroMQ refused.");
  stats_published = r->AddCounter("stats_published", "Own-stats publications.");
  udp_receive_errors = r->AddCounter("udp_receive_errors", "Errors reading the UDP socket.");
  udp_kernel_drops =
      r->AddCounter("udp_kernel_drops", "Datagrams the kernel dropped (receive buffer full).");
  udp_rcvbuf_bytes = r->AddGauge("udp_rcvbuf_bytes", "SO_RCVBUF granted by the kernel.");
}

namespace {

TransportCounters Copy(const BrokerMetrics::Received& c) {
  return {
      .messages = c.messages->value(), .bytes = c.bytes->value(), .samples = c.samples->value()};
}

}  // namespace

BrokerCounters BrokerMetrics::Snapshot() const {
  BrokerCounters s;
  s.udp = Copy(received[static_cast<int>(Ingest::kUdp)]);
  s.pull = Copy(received[static_cast<int>(Ingest::kPull)]);
  for (int i = 1; i < kWireErrorCount; ++i) {
    s.malformed[i] = malformed[i]->value();
    s.malformed_total += s.malformed[i];
  }
  s.pull_multipart = pull_multipart->value();
  s.pull_peers = pull_peers->value();
  s.pull_peer_disconnects = pull_peer_disconnects->value();
  s.pull_handshake_failures = pull_handshake_failures->value();
  s.published = published->value();
  s.published_messages = published_messages->value();
  s.published_bytes = published_bytes->value();
  s.publish_errors = publish_errors->value();
  s.stats_published = stats_published->value();
  s.udp_receive_errors = udp_receive_errors->value();
  s.udp_kernel_drops = udp_kernel_drops->value();
  s.udp_rcvbuf_bytes = static_cast<int>(udp_rcvbuf_bytes->value());
  return s;
}

std::string FormatCounters(const BrokerCounters& c) {
  std::string out = fmt::format(
      "udp_messages={} udp_samples={} udp_bytes={} pull_messages={} pull_samples={} "
      "pull_bytes={} malformed={} pull_multipart={} pull_peers={} pull_peer_disconnects={} "
      "pull_handshake_failures={} published={} published_messages={} published_bytes={} "
      "publish_errors={} stats_published={} udp_receive_errors={} udp_kernel_drops={}",
      c.udp.messages, c.udp.samples, c.udp.bytes, c.pull.messages, c.pull.samples, c.pull.bytes,
      c.malformed_total, c.pull_multipart, c.pull_peers, c.pull_peer_disconnects,
      c.pull_handshake_failures, c.published, c.published_messages, c.published_bytes,
      c.publish_errors, c.stats_published, c.udp_receive_errors, c.udp_kernel_drops);
  for (int i = 1; i < kWireErrorCount; ++i) {
    if (c.malformed[i] == 0) continue;
    fmt::format_to(std::back_inserter(out), " malformed_{}={}",
                   WireErrorName(static_cast<WireError>(i)), c.malformed[i]);
  }
  return out;
}

}  // namespace sonde::broker

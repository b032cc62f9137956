// The adapter for libzmq's socket monitor: every zmq call of the monitor is
// in this file, and zmq::error_t never leaves it.
#include "zmq_peer_monitor.h"

#include <fmt/format.h>
#include <zmq.h>

#include <cstring>
#include <utility>

namespace sonde::broker {

namespace {

constexpr int kMonitoredEvents =
    ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;

// Events are rare next to messages (one per connection change): a small
// batch keeps them from delaying ingest when a fleet reconnects at once.
constexpr size_t kMaxEventsPerPass = 64;

// A v1 event is two frames: event (uint16) and value (uint32), then the
// endpoint. One more lets a malformed event be seen whole.
constexpr size_t kEventParts = 3;

const char* HandshakeFailureName(uint16_t event) {
  switch (event) {
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      return "protocol";
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
      return "auth";
    default:
      return "no_detail";
  }
}

}  // namespace

ZmqPeerMonitor::ZmqPeerMonitor(uv_loop_t* loop, PeerCounters counters, RateLimitedLog* log,
                               std::string name, size_t max_message_bytes)
    : loop_(loop),
      counters_(counters),
      log_(log),
      name_(std::move(name)),
      disconnected_event_(name_ + "_peer_disconnected"),
      handshake_failed_event_(name_ + "_handshake_failed"),
      max_message_bytes_(max_message_bytes) {}

ZmqPeerMonitor::~ZmqPeerMonitor() {
  watcher_.reset();
  Detach();
}

Status ZmqPeerMonitor::Attach(zmq::context_t* context, zmq::socket_t* socket) {
  // Inproc names are per context; the address keeps two monitors apart.
  const std::string endpoint =
      fmt::format("inproc://sonde-monitor-{}-{}", name_, static_cast<const void*>(this));
  if (zmq_socket_monitor(socket->handle(), endpoint.c_str(), kMonitoredEvents) != 0) {
    return Status::IOError(fmt::format("cannot monitor {} socket: {}", name_, zmq_strerror(errno)));
  }
  monitored_ = socket;
  try {
    reader_ = std::make_unique<zmq::socket_t>(*context, zmq::socket_type::pair);
    // libzmq sends events from its I/O thread with a blocking send: with a
    // bounded queue, a stalled loop would stall every connection of the
    // context (and Detach() would deadlock on the monitor's lock). Events
    // are a few dozen bytes per connection change, so no bound is the
    // lesser risk.
    reader_->set(zmq::sockopt::rcvhwm, 0);
    reader_->set(zmq::sockopt::linger, 0);
    reader_->connect(endpoint);
  } catch (const zmq::error_t& e) {
    Detach();
    return Status::IOError(fmt::format("cannot read {} socket monitor: {}", name_, e.what()));
  }
  return Status::OK();
}

Status ZmqPeerMonitor::Start(std::shared_ptr<spdlog::logger> logger) {
  ZmqWatcherOptions options;
  options.max_batch = kMaxEventsPerPass;
  options.max_parts = kEventParts;
  options.logger = std::move(logger);
  auto watcher = ZmqWatcher::Start(loop_, reader_.get(), options,
                                   [this](std::span<zmq::message_t> parts) { OnEvent(parts); });
  if (!watcher.has_value()) return watcher.error().WithContext(name_ + " socket monitor");
  watcher_ = std::move(watcher.value());
  return Status::OK();
}

void ZmqPeerMonitor::OnEvent(std::span<zmq::message_t> parts) {
  uint16_t event = 0;
  uint32_t value = 0;
  if (parts.empty() || parts[0].size() != sizeof event + sizeof value) return;
  // The frame is packed and unaligned: copy rather than cast.
  std::memcpy(&event, parts[0].data(), sizeof event);
  std::memcpy(&value, static_cast<const char*>(parts[0].data()) + sizeof event, sizeof value);
  switch (event) {
    case ZMQ_EVENT_ACCEPTED:
      counters_.peers->Add(1);
      break;
    case ZMQ_EVENT_DISCONNECTED:
      OnDisconnected();
      break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
      OnHandshakeFailed(event, value);
      break;
    default:
      break;
  }
}

void ZmqPeerMonitor::OnDisconnected() {
  counters_.peers->Sub(1);
  counters_.disconnects->Inc();
  // Info, not warn: most disconnects are routine (sonde-emit connects once
  // per run, agents restart), and a warning for those would teach operators
  // to ignore the one that matters. libzmq 4.3 cannot tell an oversized
  // message's disconnect from a clean close, so the line names that cause
  // and the counter is the record; a rising disconnect rate with steady
  // connections is the sign to look for.
  log_->Log(spdlog::level::info, disconnected_event_, "closed_or_oversized",
            "disconnects_total={} peers={} max_message_bytes={}", counters_.disconnects->value(),
            counters_.peers->value(), max_message_bytes_);
}

void ZmqPeerMonitor::OnHandshakeFailed(uint16_t event, uint32_t value) {
  counters_.handshake_failures->Inc();
  // A connection that ends mid-handshake (no_detail; value is an errno) is
  // often harmless: a TCP health check, a port scan, a peer that gave up.
  // A ZMTP protocol or authentication failure is a client set up wrongly,
  // whose messages are all lost: that is worth a warning.
  const spdlog::level::level_enum level =
      event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL ? spdlog::level::info : spdlog::level::warn;
  log_->Log(level, handshake_failed_event_, HandshakeFailureName(event),
            "value={} handshake_failures_total={}", value, counters_.handshake_failures->value());
}

void ZmqPeerMonitor::Close() {
  if (watcher_ != nullptr) watcher_->Close();
}

void ZmqPeerMonitor::Detach() {
  // Stop the monitor before its reader goes: libzmq would otherwise block
  // its I/O thread sending the next event to nobody.
  if (monitored_ != nullptr && *monitored_) zmq_socket_monitor(monitored_->handle(), nullptr, 0);
  monitored_ = nullptr;
  if (reader_ == nullptr) return;
  reader_->close();  // zmq::socket_t::close() does not throw.
  reader_.reset();
}

}  // namespace sonde::broker

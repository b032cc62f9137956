#include "zmq_pull_ingest.h"

#include <utility>

namespace sonde::broker {

namespace {

// Parts read per message before the watcher drops it: a batch is one frame,
// so any message with more is dropped; reading a few lets the relay count
// the common case itself, and the watcher counts the rest.
constexpr size_t kMaxParts = 16;

}  // namespace

ZmqPullIngest::ZmqPullIngest(uv_loop_t* loop, Relay* relay, BrokerMetrics* metrics,
                             RateLimitedLog* log)
    : loop_(loop), relay_(relay), metrics_(metrics), log_(log) {}

ZmqPullIngest::~ZmqPullIngest() {
  watcher_.reset();
  CloseSocket();
}

Status ZmqPullIngest::Bind(zmq::context_t* context, const std::string& endpoint, int hwm,
                           size_t max_message_bytes) {
  try {
    socket_ = std::make_unique<zmq::socket_t>(*context, zmq::socket_type::pull);
    socket_->set(zmq::sockopt::rcvhwm, hwm);
    socket_->set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(max_message_bytes));
    socket_->set(zmq::sockopt::linger, 0);
  } catch (const zmq::error_t& e) {
    CloseSocket();
    return Status::IOError("cannot create PULL " + endpoint + ": " + e.what());
  }
  // Before binding, so that not even the first peer goes uncounted.
  const PeerCounters counters{.peers = metrics_->pull_peers,
                              .disconnects = metrics_->pull_peer_disconnects,
                              .handshake_failures = metrics_->pull_handshake_failures};
  monitor_ = std::make_unique<ZmqPeerMonitor>(loop_, counters, log_, "pull", max_message_bytes);
  if (Status s = monitor_->Attach(context, socket_.get()); !s.ok()) {
    CloseSocket();
    return s;
  }
  try {
    socket_->bind(endpoint);
    endpoint_ = socket_->get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    CloseSocket();
    return Status::IOError("cannot bind PULL " + endpoint + ": " + e.what());
  }
  return Status::OK();
}

Status ZmqPullIngest::Start(size_t max_batch, std::shared_ptr<spdlog::logger> logger) {
  ZmqWatcherOptions options;
  options.max_batch = max_batch;
  options.max_parts = kMaxParts;
  options.logger = std::move(logger);
  auto watcher = ZmqWatcher::Start(loop_, socket_.get(), options,
                                   [this](std::span<zmq::message_t> parts) { OnMessage(parts); });
  if (!watcher.has_value()) return watcher.error().WithContext("PULL " + endpoint_);
  watcher_ = std::move(watcher.value());
  return monitor_->Start(options.logger);
}

void ZmqPullIngest::OnMessage(std::span<zmq::message_t> parts) {
  if (parts.size() == 1) {
    relay_->OnPullMessage(parts[0].handle());
    return;
  }
  size_t bytes = 0;
  for (const zmq::message_t& part : parts) bytes += part.size();
  relay_->OnPullMultipart(parts.size(), bytes);
}

void ZmqPullIngest::SyncStats() {
  if (watcher_ == nullptr) return;
  uint64_t dropped = watcher_->stats().dropped_parts;
  metrics_->pull_multipart->Inc(dropped - dropped_parts_seen_);
  dropped_parts_seen_ = dropped;
}

void ZmqPullIngest::Close() {
  if (watcher_ != nullptr) watcher_->Close();
  if (monitor_ != nullptr) monitor_->Close();
}

void ZmqPullIngest::CloseSocket() {
  // The monitor goes first: it must stop monitoring while the socket exists.
  monitor_.reset();
  if (socket_ == nullptr) return;
  socket_->close();  // zmq::socket_t::close() does not throw.
  socket_.reset();
}

}  // namespace sonde::broker

#include "bus_subscriber.h"

#include <utility>

#include "sonde/wire.h"

namespace sonde::summarizer {
namespace {

// Brokers tracked by name; publications of further ones still flow but are
// not gap-checked (counter labels must stay bounded).
constexpr size_t kMaxTrackedBrokers = 64;

constexpr std::string_view kAgeGauge = "bus_last_publication_age_seconds";
constexpr std::string_view kAgeHelp =
    "Seconds since the last publication arrived (-1: none yet).";

}  // namespace

BusSubscriber::BusSubscriber(Options options, BatchFn on_batch)
    : options_(std::move(options)),
      on_batch_(std::move(on_batch)),
      log_(LoggerOrDefault(options_.logger)),
      limited_(log_) {}

BusSubscriber::~BusSubscriber() {
  // The registry may outlive us and render once more.
  options_.counters->AddGaugeFunc(kAgeGauge, kAgeHelp, {}, [] { return int64_t{-1}; });
  // A destroyed watcher counts as closed (sonde/uv_loop.h), so the socket
  // may go right after it.
  watcher_.reset();
  try {
    socket_.reset();
  } catch (const zmq::error_t&) {
  }
}

Result<std::unique_ptr<BusSubscriber>> BusSubscriber::Start(uv_loop_t* loop,
                                                            zmq::context_t* context,
                                                            Options options, BatchFn on_batch) {
  if (options.endpoints.empty()) return Status::InvalidArgument("no broker endpoint to read");
  if (options.counters == nullptr) return Status::InvalidArgument("counters are required");
  std::unique_ptr<BusSubscriber> sub(new BusSubscriber(std::move(options), std::move(on_batch)));
  sub->loop_ = loop;
  CounterRegistry& reg = *sub->options_.counters;
  BusSubscriber* const registered = sub.get();
  reg.AddGaugeFunc(kAgeGauge, kAgeHelp, {},
                   [registered] { return registered->SecondsSinceLastPublication(); });
  sub->messages_ = reg.AddCounter("bus_messages", "Publications received from brokers.");
  sub->restarts_ =
      reg.AddCounter("bus_broker_restarts", "Broker sequence restarts seen (a broker restarted).");
  std::string current;
  try {
    sub->socket_ = std::make_unique<zmq::socket_t>(*context, zmq::socket_type::sub);
    sub->socket_->set(zmq::sockopt::rcvhwm, sub->options_.rcvhwm);
    sub->socket_->set(zmq::sockopt::linger, 0);
    sub->socket_->set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxMessageBytes + 4096));
    sub->socket_->set(zmq::sockopt::subscribe, "");
    for (const std::string& endpoint : sub->options_.endpoints) {
      current = endpoint;
      sub->socket_->connect(endpoint);
    }
  } catch (const zmq::error_t& e) {
    const std::string what = "connecting SUB to '" + current + "': " + e.what();
    return e.num() == EINVAL || e.num() == EPROTONOSUPPORT ? Status::InvalidArgument(what)
                                                           : Status::IOError(what);
  }
  ZmqWatcherOptions wo;
  wo.max_parts = 3;
  wo.logger = sub->log_;
  BusSubscriber* self = sub.get();
  auto watcher =
      ZmqWatcher::Start(loop, sub->socket_.get(), wo,
                        [self](std::span<zmq::message_t> parts) { self->OnMessage(parts); });
  if (!watcher.has_value()) return watcher.error();
  sub->watcher_ = std::move(watcher).value();
  for (const std::string& endpoint : sub->options_.endpoints) {
    sub->log_->info("event=bus_connect endpoint={}", endpoint);
  }
  return sub;
}

void BusSubscriber::Close(std::function<void()> on_closed) {
  if (watcher_ == nullptr) {
    if (on_closed) on_closed();
    return;
  }
  // The socket stays open until the subscriber is destroyed: the watcher
  // needs it until its handles are closed.
  watcher_->Close(std::move(on_closed));
}

void BusSubscriber::CountMalformed(const char* reason) {
  ++stats_.malformed;
  options_.counters
      ->AddCounter("malformed", "Bus messages or batches dropped, by reason.", {"reason", reason})
      ->Inc();
  limited_.Warn("bus_message_dropped", reason, "");
}

int64_t BusSubscriber::SecondsSinceLastPublication() const {
  const int64_t last = last_publication_ms_.load(std::memory_order_relaxed);
  if (last < 0) return -1;
  // uv_now() is the loop's cached reading of the same monotonic clock as
  // uv_hrtime() (coarser by a few ms); reading it here, off the loop
  // thread, would race.
  const int64_t now = static_cast<int64_t>(uv_hrtime() / 1000000);
  return now > last ? (now - last) / 1000 : 0;
}

void BusSubscriber::OnMessage(std::span<zmq::message_t> parts) {
  ++stats_.messages;
  // uv_now() is cached per loop pass: no clock read per publication.
  last_publication_ms_.store(static_cast<int64_t>(uv_now(loop_)), std::memory_order_relaxed);
  messages_->Inc();
  if (parts.size() != 3) return CountMalformed("bad_parts");
  BusMeta meta;
  if (DecodeBusMeta(std::string_view(static_cast<const char*>(parts[1].data()), parts[1].size()),
                    &meta) != WireError::kOk) {
    return CountMalformed("bad_meta");
  }
  CheckSequence(meta.broker_id, meta.sequence);
  const std::string_view payload(static_cast<const char*>(parts[2].data()), parts[2].size());
  const WireError e = DecodeBusPayload(payload, meta.message_count, &bundle_);
  if (e != WireError::kOk) return CountMalformed(WireErrorName(e));
  for (const BatchView& batch : bundle_.batches()) on_batch_(batch);
}

void BusSubscriber::CheckSequence(std::string_view broker_id, uint64_t sequence) {
  auto it = brokers_.find(broker_id);
  if (it == brokers_.end()) {
    if (brokers_.size() >= kMaxTrackedBrokers) return;
    BrokerState st;
    st.last_sequence = sequence;  // Joining late is not a loss.
    st.gaps = options_.counters->AddCounter("bus_gaps", "Publications missed (meta sequence gaps).",
                                            {"broker", broker_id});
    brokers_.emplace(std::string(broker_id), st);
    return;
  }
  BrokerState& st = it->second;
  const BusSequenceStep step = NextBusSequence(st.last_sequence, sequence);
  st.last_sequence = sequence;
  if (step.restarted) {
    ++stats_.restarts;
    restarts_->Inc();
    log_->info("event=bus_broker_restart broker={} sequence={}", broker_id, sequence);
  }
  if (step.missed == 0) return;
  stats_.gaps += step.missed;
  st.gaps->Inc(step.missed);
  limited_.Warn("bus_gap", "sequence", "broker={} missed={} sequence={}", broker_id, step.missed,
                sequence);
}

}  // namespace sonde::summarizer

#include "broker_impl.h"

#include <utility>

#include "sonde/clock.h"
#include "sonde/endpoint.h"
#include "udp_kernel_drops.h"

namespace sonde::broker {

namespace {

// The address ZeroMQ binds for a validated tcp:// or ipc:// endpoint.
std::string ZmqBindAddress(const std::string& uri) {
  Result<Endpoint> endpoint = ParseEndpoint(uri, EndpointRole::kBind);
  return endpoint.has_value() ? endpoint->ZmqAddress() : uri;
}

}  // namespace

BrokerImpl::BrokerImpl(BrokerOptions options)
    : options_(std::move(options)),
      log_(LoggerOrDefault(options_.logger)),
      registry_("sonde_broker"),
      metrics_(&registry_),
      malformed_log_(log_),
      context_(1),
      zmq_scheduling_(options_.batch_scheduling ? UseBatchSchedulingForZmq(context_.handle())
                                                : Status::OK()),
      publisher_(options_.broker_id, &metrics_),
      relay_(&publisher_, &metrics_, &malformed_log_, options_.max_message_bytes, Clock::Real()),
      udp_(loop_.get(), &relay_, &metrics_, log_.get()),
      pull_(loop_.get(), &relay_, &metrics_, &malformed_log_),
      self_stats_(&registry_, options_.stats_source, "sonde.broker."),
      started_steady_ns_(Clock::Real()->SteadyNs()) {
  SONDE_CHECK(uv_async_init(loop_.get(), &stop_async_, OnStopAsync) == 0);
  stop_async_.data = this;
  SONDE_CHECK(uv_timer_init(loop_.get(), &stats_timer_) == 0);
  stats_timer_.data = this;
  SONDE_CHECK(uv_check_init(loop_.get(), &flush_check_) == 0);
  flush_check_.data = this;
  registry_.AddGaugeFunc("uptime_seconds", "Seconds since the broker started.", {}, [this] {
    return (Clock::Real()->SteadyNs() - started_steady_ns_) / 1000000000;
  });
}

BrokerImpl::~BrokerImpl() {
  // Handles first (while the objects that hold them exist), then sockets;
  // members then go in reverse order, the ZeroMQ context after its sockets.
  signals_.reset();
  pull_.Close();
  loop_.Close().IgnoreError();
  pull_.CloseSocket();
  publisher_.Close();
}

Status BrokerImpl::Bind() {
  SONDE_RETURN_IF_ERROR(publisher_.Bind(context_.handle(), ZmqBindAddress(options_.pub),
                                        options_.pub_hwm,
                                        static_cast<int>(options_.linger.count())));
  if (!options_.pull.empty()) {
    SONDE_RETURN_IF_ERROR(pull_.Bind(&context_, ZmqBindAddress(options_.pull), options_.pull_hwm,
                                     options_.max_message_bytes));
  }
  if (!options_.udp.empty()) SONDE_RETURN_IF_ERROR(BindUdp());
  return Status::OK();
}

Status BrokerImpl::BindUdp() {
  Result<Endpoint> endpoint = ParseEndpoint(options_.udp, EndpointRole::kBind);
  if (!endpoint.has_value()) return endpoint.error();
  Result<SocketAddress> address = ResolveUdp(*endpoint);
  if (!address.has_value()) return address.error().WithContext("udp " + options_.udp);
  return udp_.Bind(*address, options_.udp_rcvbuf_bytes);
}

Status BrokerImpl::Run() {
  if (ran_) return Status::InvalidArgument("Broker::Run() called twice");
  ran_ = true;
  ThreadPolicy previous_policy;
  const Status loop_scheduling =
      options_.batch_scheduling ? UseBatchScheduling(&previous_policy) : Status::OK();
  LogScheduling(log_.get(), options_.batch_scheduling, loop_scheduling, zmq_scheduling_);
  Status serving = StartServing();
  if (serving.ok()) {
    log_->info("event=started broker_id={} udp_port={} pull={} pub={} stats_interval_ms={}",
               options_.broker_id, udp_.port(), pull_.endpoint(), publisher_.endpoint(),
               options_.stats_interval.count());
  } else {
    log_->error("event=start_failed error=\"{}\"", serving.ToString());
    BeginShutdown();
  }
  loop_.Run();
  pull_.CloseSocket();
  publisher_.Close();
  log_->info("event=stopped {}", FormatCounters(counters()));
  Status closed = loop_.Close();
  // The calling thread is the embedder's again.
  if (options_.batch_scheduling && loop_scheduling.ok()) {
    RestoreScheduling(previous_policy).IgnoreError();
  }
  return serving.ok() ? closed : serving;
}

Status BrokerImpl::StartServing() {
  if (udp_.bound()) SONDE_RETURN_IF_ERROR(udp_.Start());
  if (pull_.bound()) {
    SONDE_RETURN_IF_ERROR(pull_.Start(static_cast<size_t>(options_.drain_batch), log_));
    SONDE_RETURN_IF_ERROR(UvStatus(uv_check_start(&flush_check_, OnFlushCheck), "flush check"));
  }
  if (options_.stats_interval.count() > 0) {
    const auto interval = static_cast<uint64_t>(options_.stats_interval.count());
    SONDE_RETURN_IF_ERROR(
        UvStatus(uv_timer_start(&stats_timer_, OnStatsTimer, interval, interval), "stats timer"));
  }
  if (!options_.handle_signals) return Status::OK();
  SignalOptions signal_options;
  signal_options.on_stop = [this](int signum) {
    log_->info("event=signal signum={} action=stop", signum);
    BeginShutdown();
  };
  Result<std::unique_ptr<SignalWatcher>> signals =
      SignalWatcher::Start(loop_.get(), std::move(signal_options));
  if (!signals.has_value()) return signals.error();
  signals_ = std::move(signals.value());
  return Status::OK();
}

void BrokerImpl::Stop() {
  if (stop_requested_.exchange(true)) return;
  uv_async_send(&stop_async_);
}

void BrokerImpl::OnStopAsync(uv_async_t* handle) {
  static_cast<BrokerImpl*>(handle->data)->BeginShutdown();
}

void BrokerImpl::OnStatsTimer(uv_timer_t* handle) {
  static_cast<BrokerImpl*>(handle->data)->PublishStats();
}

void BrokerImpl::OnFlushCheck(uv_check_t* handle) {
  static_cast<BrokerImpl*>(handle->data)->relay_.Flush();
}

void BrokerImpl::SyncPolledCounters() {
  pull_.SyncStats();
  if (udp_.inode() == 0) return;
  Result<uint64_t> drops = ReadUdpKernelDrops(udp_.inode());
  if (drops.has_value() && *drops >= udp_drops_seen_) {
    metrics_.udp_kernel_drops->Inc(*drops - udp_drops_seen_);
    udp_drops_seen_ = *drops;
  }
}

void BrokerImpl::PublishStats() {
  SyncPolledCounters();
  const int64_t now_ms = Clock::Real()->WallMs();
  std::string_view message = self_stats_.Encode(now_ms, log_.get());
  if (!message.empty() && publisher_.Publish(options_.stats_source, message, now_ms)) {
    metrics_.stats_published->Inc();
  }
  log_->info("event=stats {}", FormatCounters(counters()));
}

void BrokerImpl::BeginShutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  // From here on Stop() has nothing left to wake.
  stop_requested_.store(true);
  // While the UDP socket still exists, so that the summary has its drops.
  SyncPolledCounters();
  udp_.Close();
  pull_.Close();
  relay_.Flush();
  // Subscribers get the last counts before the broker goes.
  if (options_.stats_interval.count() > 0) PublishStats();
  uv_close(reinterpret_cast<uv_handle_t*>(&stats_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&flush_check_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&stop_async_), nullptr);
  if (signals_ != nullptr) signals_->Close();
}

}  // namespace sonde::broker

#include "summarizer_impl.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "http_address.h"
#include "liz_ingest.h"
#include "sonde/sched.h"

namespace sonde::summarizer {
namespace {

EngineOptions EngineOptionsOf(const SummarizerOptions& o) {
  EngineOptions e;
  e.lateness = o.lateness;
  e.max_future = o.max_future;
  e.max_series = o.max_series;
  e.max_tag_values = o.max_tag_values;
  e.max_windows = o.max_windows;
  return e;
}

uint64_t SumOf(const std::vector<CounterRegistry::Value>& values, std::string_view short_name) {
  uint64_t n = 0;
  for (const auto& v : values) {
    if (v.short_name == short_name) n += static_cast<uint64_t>(v.value);
  }
  return n;
}

}  // namespace

SummarizerImpl::SummarizerImpl(SummarizerOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()),
      log_(LoggerOrDefault(options_.logger)),
      limited_(log_),
      registry_("sonde_summarizer"),
      metrics_(&registry_),
      engine_(EngineOptionsOf(options_)) {}

SummarizerImpl::~SummarizerImpl() {
  if (writer_ != nullptr) writer_->Stop();
  if (routes_ != nullptr) routes_->Stop();
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    loop_open_ = false;
  }
  // Handle owners first (their handles are then closed by the loop), then
  // the loop, then the sockets and the store.
  signals_.reset();
  http_.reset();
  queue_.reset();
  if (subscriber_ != nullptr) subscriber_->Close();
  loop_.Close().IgnoreError();  // Closes what is left (timer, async) and runs their callbacks.
  subscriber_.reset();
  routes_.reset();
}

Status SummarizerImpl::OpenStore() {
  StoreOptions so;
  so.dir = options_.data_dir;
  so.max_map_bytes = options_.max_db_size;
  so.initial_map_bytes = std::min<uint64_t>(so.initial_map_bytes, options_.max_db_size);
  so.size_cap_bytes = options_.max_db_size / 4 * 3;
  so.minute_retention = options_.minute_retention;
  so.hour_retention = options_.hour_retention;
  so.catalog_retention =
      std::max({so.catalog_retention, options_.minute_retention, options_.hour_retention});
  so.logger = options_.logger;
  auto store = Store::Open(so);
  if (!store.has_value()) return store.error();
  store_ = std::move(store).value();
  // Take back the minutes a previous run left open: they resume whole and
  // close (folding into their hour) at their usual time.
  std::vector<OpenWindow> open;
  const int64_t now = clock_->WallMs();
  SONDE_RETURN_IF_ERROR(
      store_->LoadOpenWindows(Resolution::kMinute, now - options_.minute_retention.count(), &open));
  const size_t n = open.size();
  engine_.Resume(std::move(open), now);
  metrics_.Publish(engine_);
  log_->info("event=store_ready dir={} resumed_windows={} series={}", options_.data_dir, n,
             engine_.series_count());
  return Status::OK();
}

Status SummarizerImpl::StartHttp() {
  if (options_.http.empty()) return Status::OK();
  HttpAddress address;
  SONDE_RETURN_IF_ERROR(ParseHttpAddress(options_.http, &address));
  HttpServerOptions ho;
  ho.host = address.host;
  ho.port = address.port;
  ho.logger = options_.logger;
  ho.counters = &registry_;
  query_service_ = std::make_unique<QueryService>(store_.get(), clock_, options_.minute_retention,
                                                  options_.hour_retention);
  ApiRoutes::LoopHandlers handlers;
  handlers.liz_post = [this](const HttpRequest& r) { return OnLizPost(r); };
  handlers.metrics = [this] { return OnMetrics(); };
  handlers.healthz = [this] { return OnHealthz(); };
  routes_ = std::make_unique<ApiRoutes>(query_service_.get(), queue_.get(), std::move(handlers));
  http_ = std::make_unique<HttpServer>(loop_.get(), ho);
  routes_->Register(http_.get());
  SONDE_RETURN_IF_ERROR(http_->Start().WithContext("--http " + options_.http));
  http_port_ = http_->port();
  log_->info("event=http_listen address={}:{}", address.host, http_->port());
  return Status::OK();
}

Status SummarizerImpl::Init() {
  SONDE_RETURN_IF_ERROR(options_.Validate());
  SONDE_RETURN_IF_ERROR(OpenStore());
  auto queue = LoopTaskQueue::Start(loop_.get());
  if (!queue.has_value()) return queue.error();
  queue_ = std::move(queue).value();

  if (options_.batch_scheduling) zmq_scheduling_ = UseBatchSchedulingForZmq(zmq_context_.handle());
  BusSubscriber::Options so;
  so.endpoints = options_.from;
  so.rcvhwm = options_.sub_hwm;
  so.logger = options_.logger;
  so.counters = &registry_;
  auto sub = BusSubscriber::Start(loop_.get(), &zmq_context_, so,
                                  [this](const BatchView& batch) { OnBusBatch(batch); });
  if (!sub.has_value()) return sub.error();
  subscriber_ = std::move(sub).value();
  SONDE_RETURN_IF_ERROR(StartHttp());

  SONDE_RETURN_IF_ERROR(UvStatus(uv_timer_init(loop_.get(), &flush_timer_), "uv_timer_init"));
  flush_timer_.data = this;
  SONDE_RETURN_IF_ERROR(UvStatus(
      uv_async_init(loop_.get(), &stop_async_,
                    [](uv_async_t* a) { static_cast<SummarizerImpl*>(a->data)->BeginStop(); }),
      "uv_async_init"));
  stop_async_.data = this;
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    loop_open_ = true;
    if (stop_requested_) uv_async_send(&stop_async_);
  }
  metrics_.AddStore(store_.get());
  spare_ = std::make_shared<TickBatch>();
  writer_ = std::make_unique<FlushWriter>(
      store_.get(), clock_, options_.sweep_interval, options_.logger,
      [this](std::shared_ptr<TickBatch> b) {
        queue_->Post([this, b]() mutable { OnWriteDone(std::move(b)); });
      });
  return Status::OK();
}

Status SummarizerImpl::Run() {
  if (ran_) return Status::InvalidArgument("Run() called twice");
  ran_ = true;
  started_steady_ns_ = clock_->SteadyNs();
  const Status loop_scheduling =
      options_.batch_scheduling ? UseBatchScheduling(nullptr) : Status::OK();
  LogScheduling(log_.get(), options_.batch_scheduling, loop_scheduling, zmq_scheduling_);
  writer_->Start();
  const uint64_t interval = static_cast<uint64_t>(options_.flush_interval.count());
  uv_timer_start(
      &flush_timer_, [](uv_timer_t* t) { static_cast<SummarizerImpl*>(t->data)->Flush(); },
      interval, interval);
  if (options_.handle_signals) {
    SignalOptions so;
    so.on_stop = [this](int signum) {
      log_->info("event=signal signum={}", signum);
      BeginStop();
    };
    auto signals = SignalWatcher::Start(loop_.get(), std::move(so));
    if (!signals.has_value()) return signals.error();
    signals_ = std::move(signals).value();
  }
  log_->info("event=start from={} flush_interval_ms={} lateness_ms={}", options_.from.size(),
             options_.flush_interval.count(), options_.lateness.count());
  loop_.Run();
  return last_write_status_;
}

void SummarizerImpl::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  stop_requested_ = true;
  if (loop_open_) uv_async_send(&stop_async_);
}

// The subscriber decoded and validated the batch (DecodeBusPayload).
void SummarizerImpl::OnBusBatch(const BatchView& batch) {
  if (stopping_) return;
  IngestDecoded(batch, metrics_.batches_bus);
}

uint32_t SummarizerImpl::IngestDecoded(const BatchView& batch, Counter* batches,
                                       RejectCounts* rejected) {
  batches->Inc();
  const auto before = engine_.stats().rejected;
  const uint32_t accepted = engine_.Ingest(batch, clock_->WallMs());
  const auto& after = engine_.stats().rejected;
  for (int i = 0; i < kRejectReasonCount; ++i) {
    if (rejected != nullptr) (*rejected)[i] = after[i] - before[i];
    if (after[i] == before[i]) continue;
    limited_.Warn("samples_rejected", RejectReasonName(static_cast<RejectReason>(i)),
                  "host={} count={}", batch.source, after[i] - before[i]);
  }
  // The engine's counts reach the atomic counters at each tick (and on
  // /metrics, and after a POST): not per batch, which would cost a dozen
  // atomic adds per 50-sample datagram.
  return accepted;
}

HttpResponse SummarizerImpl::OnLizPost(const HttpRequest& request) {
  if (stopping_) return HttpResponse::Error(503, "stopping");
  Status s =
      EncodeLizPost(request.Param("host"), request.Param("epoch"), request.body, &liz_buffer_);
  if (!s.ok()) {
    metrics_.http_ingest_errors->Inc();
    return HttpResponse::Error(400, s.message());
  }
  const WireError e = DecodeBatch(liz_buffer_, &view_);
  if (e != WireError::kOk) {  // EncodeBatch wrote it: cannot happen.
    metrics_.http_ingest_errors->Inc();
    return HttpResponse::Error(400, std::string("bad batch: ") + WireErrorName(e));
  }
  const uint32_t total = static_cast<uint32_t>(view_.samples.size());
  RejectCounts rejected{};
  const uint32_t accepted = IngestDecoded(view_, metrics_.batches_http, &rejected);
  metrics_.Publish(engine_);
  metrics_.http_ingest_samples->Inc(total);
  // liz clients expect 200 with the two counts, so a refused sample is not
  // an error; the reasons ride beside them, only when there are some, so
  // that a clean post answers exactly as liz did.
  nlohmann::json body{{"accepted", accepted}, {"rejected", total - accepted}};
  if (accepted < total) {
    nlohmann::json& reasons = body["rejected_reasons"] = nlohmann::json::object();
    for (int i = 0; i < kRejectReasonCount; ++i) {
      if (rejected[i] > 0) reasons[RejectReasonName(static_cast<RejectReason>(i))] = rejected[i];
    }
  }
  return HttpResponse::Json(200, body.dump());
}

HttpResponse SummarizerImpl::OnMetrics() {
  metrics_.Publish(engine_);
  HttpResponse r = HttpResponse::Text(200, registry_.RenderPrometheus());
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

HttpResponse SummarizerImpl::OnHealthz() {
  const bool ok = last_write_status_.ok();
  // A quiet bus does not make the service unhealthy (a fleet may be idle,
  // and a restart would not help): its age is reported for alerting.
  const int64_t bus_age = subscriber_ ? subscriber_->SecondsSinceLastPublication() : -1;
  nlohmann::json body{{"status", ok ? "ok" : "degraded"},
                      {"uptime_s", (clock_->SteadyNs() - started_steady_ns_) / 1000000000},
                      {"series_active", engine_.series_count()},
                      {"bus_last_publication_age_s",
                       bus_age >= 0 ? nlohmann::json(bus_age) : nlohmann::json(nullptr)},
                      {"writer", ok ? std::string("ok") : last_write_status_.ToString()}};
  return HttpResponse::Json(ok ? 200 : 503, body.dump());
}

void SummarizerImpl::Flush() {
  if (stopping_) return;
  const int64_t now = clock_->WallMs();
  if (spare_ == nullptr) {
    // The writer still has the previous batch: this tick's changes stay in
    // the engine and ride with the next batch. Only closed windows beyond
    // the memory bound are shed.
    pending_tick_ = true;
    ++ticks_skipped_;
    metrics_.flush_skipped_busy->Inc();
    const size_t shed = engine_.ShedBacklog(now);
    if (shed > 0) {
      windows_shed_ += shed;
      limited_.Error("windows_shed", "writer_backlog", "windows={}", shed);
    }
    metrics_.Publish(engine_);
    return;
  }
  const int64_t t0 = clock_->SteadyNs();
  engine_.BuildFlush(now, spare_.get());
  spare_->build_ns = clock_->SteadyNs() - t0;
  metrics_.Publish(engine_);
  if (spare_->empty()) return;
  writer_->Submit(std::move(spare_));
}

void SummarizerImpl::OnWriteDone(std::shared_ptr<TickBatch> batch) {
  engine_.ApplyIds(*batch);
  const WriteResult& r = batch->result;
  if (batch->status.ok()) {
    metrics_.flushes->Inc();
    metrics_.flush_windows->Inc(r.windows_written);
    metrics_.flush_series->Inc(batch->batch.series.size());
  } else {
    metrics_.flush_errors->Inc();
    limited_.Error("flush_failed", StatusCodeName(batch->status.code()),
                   "series={} windows={} error=\"{}\"", batch->batch.series.size(),
                   batch->windows(), batch->status.ToString());
  }
  last_write_status_ = batch->status;
  metrics_.flush_duration_us->Set(batch->write_ns / 1000);
  metrics_.flush_build_us->Set(batch->build_ns / 1000);
  LogFlush(*batch);
  spare_ = std::move(batch);
  if (stopping_) {
    if (final_submitted_) {
      FinishStop();
    } else {
      FinalFlush();
    }
    return;
  }
  if (pending_tick_) {
    pending_tick_ = false;
    Flush();
  }
}

// One line per tick would be 86,400 a day: a routine flush logs at debug.
// One that failed, took a tick or more, or follows ticks skipped because the
// writer was busy (when windows may be shed) logs at info.
void SummarizerImpl::LogFlush(const TickBatch& batch) {
  const bool slow =
      batch.build_ns + batch.write_ns >= std::chrono::nanoseconds(options_.flush_interval).count();
  const bool notable = !batch.status.ok() || slow || ticks_skipped_ > 0 || windows_shed_ > 0;
  log_->log(notable ? spdlog::level::info : spdlog::level::debug,
            "event=flush series={} windows={} closed={} folded={} build_us={} write_us={} ok={} "
            "slow={} ticks_skipped={} windows_shed={}",
            batch.batch.series.size(), batch.windows(), batch.closed_windows,
            batch.result.minutes_folded, batch.build_ns / 1000, batch.write_ns / 1000,
            batch.status.ok(), slow, ticks_skipped_, windows_shed_);
  ticks_skipped_ = 0;
  windows_shed_ = 0;
}

void SummarizerImpl::BeginStop() {
  if (stopping_) return;
  stopping_ = true;
  log_->info("event=stopping series={} windows={}", engine_.series_count(),
             engine_.windows_in_memory());
  uv_timer_stop(&flush_timer_);
  if (subscriber_ != nullptr) subscriber_->Close();
  if (http_ != nullptr) http_->Close();
  if (routes_ != nullptr) routes_->Stop();
  if (signals_ != nullptr) signals_->Close();
  if (spare_ != nullptr) FinalFlush();  // Else when the batch in flight returns.
}

// Writes everything still held (open windows stay open: the next start
// resumes them).
void SummarizerImpl::FinalFlush() {
  final_submitted_ = true;
  engine_.BuildFlush(clock_->WallMs(), spare_.get());
  metrics_.Publish(engine_);
  if (spare_->empty()) return FinishStop();
  writer_->Submit(std::move(spare_));
}

void SummarizerImpl::FinishStop() {
  writer_->Stop();
  queue_->Close();
  uv_close(reinterpret_cast<uv_handle_t*>(&flush_timer_), nullptr);
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    loop_open_ = false;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&stop_async_), nullptr);
  log_->info("event=stopped samples={} flushes={} flush_errors={}", engine_.stats().samples,
             metrics_.flushes->value(), metrics_.flush_errors->value());
}

SummarizerCounters SummarizerImpl::counters() const {
  SummarizerCounters c;
  const auto values = registry_.List();
  c.batches = metrics_.batches_bus->value() + metrics_.batches_http->value();
  c.samples = metrics_.samples->value();
  for (Counter* r : metrics_.rejected) c.rejected += r->value();
  c.late = metrics_.rejected[static_cast<int>(RejectReason::kLate)]->value();
  c.malformed = SumOf(values, "malformed");
  c.bus_gaps = SumOf(values, "bus_gaps");
  c.series_active = static_cast<uint64_t>(metrics_.series_active->value());
  c.flushes = metrics_.flushes->value();
  c.flush_errors = metrics_.flush_errors->value();
  c.windows_written = metrics_.flush_windows->value();
  c.http_ingest_samples = metrics_.http_ingest_samples->value();
  return c;
}

}  // namespace sonde::summarizer

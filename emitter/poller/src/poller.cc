// The round: a queue of target indices feeding a fixed pool of transfer
// slots (admission control), a min-heap of retries waiting out their backoff
// behind one uv timer, and exactly one record per target.
#include "sonde/poller.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <queue>
#include <utility>

#include "fetch_outcome.h"
#include "http_client.h"
#include "sonde/log.h"

namespace sonde::poller {
namespace {

constexpr uint64_t kDiscoveryTag = UINT64_MAX;

struct TimerBox {
  uv_timer_t timer;
  Poller::Impl* owner = nullptr;  // Null once the owner is gone.
};

}  // namespace

class Poller::Impl : public HttpClient::Handler {
 public:
  Impl(uv_loop_t* loop, PollerOptions options)
      : loop_(loop),
        options_(std::move(options)),
        log_(LoggerOrDefault(options_.logger)),
        limited_(log_) {}
  ~Impl() override;

  Status Init();
  Status StartRound(std::vector<Target> targets, RecordFn on_record, DoneFn on_done);
  Status Discover(const std::string& url, DiscoverFn on_done);
  void Cancel();
  void Close(std::function<void()> on_closed);
  bool busy() const { return round_active_ || discovering_; }
  RoundProgress progress() const;
  PollerCounters counters() const;
  const PollerOptions& options() const { return options_; }

  void OnFetched(uint64_t tag, const FetchResult& result) override;
  void OnSlotFree() override { Pump(); }

 private:
  using Due = std::pair<uint64_t, uint32_t>;  // (loop time ms, target index)

  void Pump();
  void StartRequest(uint32_t index);
  void Deliver(fleet::TargetRecord record);
  void ScheduleRetry(uint32_t index);
  void ArmRetryTimer();
  static void OnRetryTimer(uv_timer_t* timer);
  void FinishDiscovery(const FetchResult& result);
  void ClearRound();
  void ClosedOne();

  uv_loop_t* loop_;
  PollerOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  RateLimitedLog limited_;
  std::unique_ptr<HttpClient> client_;
  TimerBox* retry_timer_ = nullptr;
  bool timer_closing_ = false;
  bool closed_ = false;
  int pending_closes_ = 0;
  std::function<void()> on_closed_;

  // The round.
  bool round_active_ = false;
  std::vector<Target> targets_;
  std::vector<uint8_t> attempts_;
  std::deque<uint32_t> queue_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> retry_heap_;
  RecordFn on_record_;
  DoneFn on_done_;
  uint64_t done_ = 0;
  uint64_t failed_ = 0;
  uint64_t generation_ = 0;  // Bumped whenever a round ends or is dropped.

  // Discovery.
  bool discovering_ = false;
  std::string discover_url_;
  DiscoverFn on_discovered_;

  PollerCounters counters_;
};

// Each check names the flag a user typed (sonde-poller), not the field.
Status PollerOptions::Validate() const {
  auto range = [](std::string_view name, auto v, auto lo, auto hi) -> Status {
    if (v < lo || v > hi) {
      return Status::InvalidArgument(fmt::format("{} {} is outside {}-{}", name, v, lo, hi));
    }
    return Status::OK();
  };
  using std::chrono::milliseconds;
  constexpr int64_t kTenMinutes = 600000;
  SONDE_RETURN_IF_ERROR(ValidateUrlPattern(url_pattern));
  SONDE_RETURN_IF_ERROR(range("-f/--max-connections", max_connections, 1, 20000));
  SONDE_RETURN_IF_ERROR(range("-t/--connect-timeout (ms)", connect_timeout.count(), 1, kTenMinutes));
  SONDE_RETURN_IF_ERROR(range("--total-timeout (ms)", total_timeout.count(), 1, kTenMinutes));
  if (connect_timeout > total_timeout) {
    return Status::InvalidArgument("-t/--connect-timeout is longer than --total-timeout");
  }
  SONDE_RETURN_IF_ERROR(range("-r/--retries", retries, 0, 10));
  SONDE_RETURN_IF_ERROR(range("--retry-backoff (ms)", retry_backoff.count(), 0, kTenMinutes));
  SONDE_RETURN_IF_ERROR(
      range("--retry-backoff-max (ms)", retry_backoff_max.count(), retry_backoff.count(), kTenMinutes));
  SONDE_RETURN_IF_ERROR(range("--max-body (bytes)", max_body_bytes, 1024u, 64u << 20));
  SONDE_RETURN_IF_ERROR(range("max_discovery_bytes", max_discovery_bytes, 1024u, 256u << 20));
  SONDE_RETURN_IF_ERROR(range("--low-speed-time (ms)", low_speed_time.count(), 1, kTenMinutes));
  SONDE_RETURN_IF_ERROR(range("--max-redirects", max_redirects, 0, 20));
  return page.Validate();
}

Status Poller::Impl::Init() {
  HttpClientOptions o;
  o.slots = static_cast<size_t>(options_.max_connections);
  o.connect_timeout = options_.connect_timeout;
  o.total_timeout = options_.total_timeout;
  o.low_speed_bytes = options_.low_speed_bytes;
  o.low_speed_time = options_.low_speed_time;
  o.max_redirects = options_.max_redirects;
  o.verify_tls = options_.verify_tls;
  o.user_agent = options_.user_agent;
  auto client = HttpClient::Create(loop_, o, this);
  if (!client) return client.error();
  client_ = std::move(*client);
  auto* box = new TimerBox;
  if (int rc = uv_timer_init(loop_, &box->timer); rc < 0) {
    delete box;
    return Status::IOError(fmt::format("uv_timer_init: {}", uv_err_name(rc)));
  }
  box->owner = this;
  box->timer.data = box;
  retry_timer_ = box;
  return Status::OK();
}

Poller::Impl::~Impl() {
  client_.reset();  // Aborts transfers; its handles are freed by the loop.
  if (retry_timer_ != nullptr) {
    retry_timer_->owner = nullptr;
    if (!timer_closing_)
      uv_close(reinterpret_cast<uv_handle_t*>(&retry_timer_->timer),
               [](uv_handle_t* h) { delete static_cast<TimerBox*>(h->data); });
  }
}

Status Poller::Impl::StartRound(std::vector<Target> targets, RecordFn on_record, DoneFn on_done) {
  if (closed_) return Status::InvalidArgument("poller is closed");
  if (busy()) return Status::InvalidArgument("a round or discovery is already running");
  ClearRound();
  round_active_ = true;
  ++counters_.rounds_started;
  targets_ = std::move(targets);
  attempts_.assign(targets_.size(), 0);
  for (uint32_t i = 0; i < targets_.size(); ++i) queue_.push_back(i);
  on_record_ = std::move(on_record);
  on_done_ = std::move(on_done);
  if (targets_.empty()) {
    // Finish on the loop, as a non-empty round would, not inside this call.
    uv_timer_start(&retry_timer_->timer, &Impl::OnRetryTimer, 0, 0);
    return Status::OK();
  }
  Pump();
  return Status::OK();
}

void Poller::Impl::Pump() {
  while (round_active_ && !queue_.empty() && client_->free_slots() > 0) {
    const uint32_t index = queue_.front();
    queue_.pop_front();
    StartRequest(index);
  }
}

void Poller::Impl::StartRequest(uint32_t index) {
  ++attempts_[index];
  ++counters_.requests;
  const std::string url = ExpandUrlPattern(options_.url_pattern, targets_[index]);
  Status s = client_->Start(url, index, options_.max_body_bytes);
  if (s.ok()) return;
  ++counters_.start_errors;
  FetchResult failed;
  failed.failure = fleet::FailureClass::kOther;
  failed.error = s.message();
  Deliver(BuildRecord(targets_[index], failed, attempts_[index], options_.page));
}

void Poller::Impl::OnFetched(uint64_t tag, const FetchResult& result) {
  if (tag == kDiscoveryTag) {
    FinishDiscovery(result);
    return;
  }
  if (!round_active_ || tag >= targets_.size()) return;
  const auto index = static_cast<uint32_t>(tag);
  fleet::TargetRecord record = BuildRecord(targets_[index], result, attempts_[index], options_.page,
                                           &counters_.fields_dropped);
  if (!record.up && ShouldRetry(record.failure) && attempts_[index] <= options_.retries) {
    SPDLOG_LOGGER_DEBUG(log_, "event=poll_retry target={} failure={} attempt={} error=\"{}\"",
                        record.target, FailureClassName(record.failure), attempts_[index],
                        record.error);
    ScheduleRetry(index);
    return;
  }
  Deliver(std::move(record));
}

void Poller::Impl::Deliver(fleet::TargetRecord record) {
  ++done_;
  ++counters_.records;
  if (record.up) {
    ++counters_.records_up;
  } else {
    ++failed_;
    ++counters_.failures[static_cast<size_t>(record.failure)];
    limited_.Warn("poll_failed", FailureClassName(record.failure),
                  "target={} http_status={} attempts={} error=\"{}\"", record.target,
                  record.http_status, record.attempts, record.error);
  }
  if (on_record_) {
    // The callback may Cancel() (which clears on_record_): call a moved-out
    // copy and put it back only if the same round is still running.
    RecordFn callback = std::move(on_record_);
    const uint64_t generation = generation_;
    callback(std::move(record));
    if (generation == generation_) on_record_ = std::move(callback);
  }
  if (round_active_ && done_ == targets_.size()) {
    round_active_ = false;
    ++counters_.rounds_completed;
    DoneFn done = std::move(on_done_);
    ClearRound();
    if (done) done();  // May start the next round.
  }
}

void Poller::Impl::ScheduleRetry(uint32_t index) {
  ++counters_.retries;
  const auto wait =
      BackoffDelay(attempts_[index], options_.retry_backoff, options_.retry_backoff_max);
  retry_heap_.push({uv_now(loop_) + static_cast<uint64_t>(wait.count()), index});
  ArmRetryTimer();
}

void Poller::Impl::ArmRetryTimer() {
  if (retry_heap_.empty()) return;
  const uint64_t now = uv_now(loop_);
  const uint64_t due = retry_heap_.top().first;
  uv_timer_start(&retry_timer_->timer, &Impl::OnRetryTimer, due > now ? due - now : 0, 0);
}

void Poller::Impl::OnRetryTimer(uv_timer_t* timer) {
  Impl* self = static_cast<TimerBox*>(timer->data)->owner;
  if (self == nullptr) return;
  if (self->round_active_ && self->targets_.empty()) {
    self->round_active_ = false;
    ++self->counters_.rounds_completed;
    DoneFn done = std::move(self->on_done_);
    self->ClearRound();
    if (done) done();
    return;
  }
  const uint64_t now = uv_now(self->loop_);
  // Retries go to the front: they have waited already, and a round ends
  // only when its last target is done.
  while (!self->retry_heap_.empty() && self->retry_heap_.top().first <= now) {
    self->queue_.push_front(self->retry_heap_.top().second);
    self->retry_heap_.pop();
  }
  self->ArmRetryTimer();
  self->Pump();
}

Status Poller::Impl::Discover(const std::string& url, DiscoverFn on_done) {
  if (closed_) return Status::InvalidArgument("poller is closed");
  if (busy()) return Status::InvalidArgument("a round or discovery is already running");
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(fmt::format("discovery URL '{}' is not http(s)://", url));
  }
  ++counters_.discoveries;
  SONDE_RETURN_IF_ERROR(client_->Start(url, kDiscoveryTag, options_.max_discovery_bytes));
  ++counters_.requests;
  discovering_ = true;
  discover_url_ = url;
  on_discovered_ = std::move(on_done);
  return Status::OK();
}

void Poller::Impl::FinishDiscovery(const FetchResult& result) {
  if (!discovering_) return;
  discovering_ = false;
  DiscoverFn done = std::move(on_discovered_);
  on_discovered_ = nullptr;
  Result<TargetList> list = Status::Unavailable("unreachable");
  if (result.failure != fleet::FailureClass::kNone) {
    list = Status::Unavailable(fmt::format("discovery {}: {}: {}", discover_url_,
                                           FailureClassName(result.failure), result.error));
  } else if (result.http_status < 200 || result.http_status >= 300) {
    list = Status::Unavailable(
        fmt::format("discovery {}: HTTP {}", discover_url_, result.http_status));
  } else {
    list = ParseDiscovery(result.body);
    if (!list) list = list.error().WithContext(fmt::format("discovery {}", discover_url_));
  }
  if (!list) ++counters_.discovery_failures;
  if (done) done(std::move(list));
}

void Poller::Impl::ClearRound() {
  ++generation_;
  targets_.clear();
  targets_.shrink_to_fit();
  attempts_.clear();
  attempts_.shrink_to_fit();
  queue_.clear();
  retry_heap_ = {};
  on_record_ = nullptr;
  on_done_ = nullptr;
  done_ = 0;
  failed_ = 0;
}

void Poller::Impl::Cancel() {
  round_active_ = false;
  discovering_ = false;
  on_discovered_ = nullptr;
  if (client_) client_->AbortAll();
  if (retry_timer_ != nullptr) uv_timer_stop(&retry_timer_->timer);
  ClearRound();
}

void Poller::Impl::Close(std::function<void()> on_closed) {
  if (closed_) return;
  Cancel();
  closed_ = true;
  on_closed_ = std::move(on_closed);
  pending_closes_ = 2;
  client_->Close([this] { ClosedOne(); });
  timer_closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&retry_timer_->timer), [](uv_handle_t* h) {
    auto* box = static_cast<TimerBox*>(h->data);
    Impl* owner = box->owner;
    delete box;
    if (owner != nullptr) {
      owner->retry_timer_ = nullptr;
      owner->ClosedOne();
    }
  });
}

void Poller::Impl::ClosedOne() {
  if (--pending_closes_ > 0) return;
  auto done = std::move(on_closed_);
  on_closed_ = nullptr;
  if (done) done();
}

RoundProgress Poller::Impl::progress() const {
  RoundProgress p;
  if (!round_active_) return p;
  p.targets = targets_.size();
  p.done = done_;
  p.failed = failed_;
  p.in_flight = client_->in_flight();
  p.waiting = queue_.size() + retry_heap_.size();
  return p;
}

PollerCounters Poller::Impl::counters() const {
  PollerCounters c = counters_;
  if (!client_) return c;
  const CurlMultiUvStats& s = client_->loop_stats();
  c.uv_poll_callbacks = s.poll_callbacks;
  c.uv_poll_errors = s.poll_errors;
  c.uv_timer_callbacks = s.timer_callbacks;
  c.sockets_watched = s.sockets_watched;
  c.polls_opened = s.polls_opened;
  c.sockets_closed = s.sockets_closed;
  c.watch_failures = s.watch_failures;
  return c;
}

Result<std::unique_ptr<Poller>> Poller::Create(uv_loop_t* loop, const PollerOptions& options) {
  SONDE_RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<Impl>(loop, options);
  SONDE_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<Poller>(new Poller(std::move(impl)));
}

Poller::Poller(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Poller::~Poller() = default;

Status Poller::StartRound(std::vector<Target> targets, RecordFn on_record, DoneFn on_done) {
  return impl_->StartRound(std::move(targets), std::move(on_record), std::move(on_done));
}
Status Poller::Discover(const std::string& url, DiscoverFn on_done) {
  return impl_->Discover(url, std::move(on_done));
}
void Poller::Cancel() { impl_->Cancel(); }
void Poller::Close(std::function<void()> on_closed) { impl_->Close(std::move(on_closed)); }
bool Poller::busy() const { return impl_->busy(); }
RoundProgress Poller::progress() const { return impl_->progress(); }
PollerCounters Poller::counters() const { return impl_->counters(); }
const PollerOptions& Poller::options() const { return impl_->options(); }

}  // namespace sonde::poller

// EmitterImpl: the record path (encode on the stack, append to the queue)
// and the sender thread (swap the queue, cut it into batches, send).
#include "sonde/emitter.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <condition_variable>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <utility>

#include "emitter_limits.h"
#include "sample_queue.h"
#include "sender.h"
#include "sonde/endpoint.h"
#include "udp_sender.h"
#include "wire_limits.h"
#include "zmq_sender.h"

namespace sonde {
namespace {

using std::chrono::milliseconds;

// Most samples encode in well under this; larger ones take a slower path
// with a bigger stack buffer, so that the common case stays light on the
// caller's stack.
constexpr size_t kSmallSampleBytes = 1024;
// How long a background round may wait for a full socket or a ZeroMQ peer
// before dropping. It only delays the sender thread, never the recorders.
constexpr milliseconds kBackgroundSendGrace{50};
// Flush() waits this much past its timeout for the sender thread to report.
constexpr milliseconds kFlushReportSlack{50};
// RecordFor() envelopes up to this size are built on the caller's stack in
// the common path; larger ones (many long tags) take a slower path.
constexpr size_t kSmallEnvelopeBytes = 512;

static_assert(kMaxSampleBytes <= kMaxQueuedSampleBytes);

// An upper bound on the bytes a message's envelope (everything but the
// samples) takes with this source and these batch tags, so that RecordFor()
// can refuse a sample that would not fit in an empty message. The codec's
// fixed fields take 28 bytes, the timestamp at most 9, each string at most
// 2 bytes more than its text, the tags' key and map header at most 8.
size_t MaxEnvelopeWireBytes(std::string_view source, std::span<const TagView> tags) {
  size_t n = 28 + 9 + 2 + source.size() + 8;
  for (const TagView& t : tags) n += 4 + t.key.size() + t.value.size();
  return n;
}

// now + timeout for Flush(), saturated so that it and the report slack after
// it stay within the clock's range: now + milliseconds::max() would overflow
// the clock's nanoseconds, and Flush(milliseconds::max()) means "as long as
// it takes".
SendDeadline FlushDeadline(SendDeadline now, milliseconds timeout) {
  const SendDeadline last = SendDeadline::max() - kFlushReportSlack;
  if (timeout >= std::chrono::floor<milliseconds>(last - now)) return last;
  return now + std::max(timeout, milliseconds(0));
}

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

class EmitterImpl final : public Emitter {
 public:
  EmitterImpl(const EmitterOptions& options, std::string endpoint, std::string source,
              size_t max_batch_bytes);
  ~EmitterImpl() override;

  // Takes the sender and starts the sender thread.
  void Start(std::unique_ptr<Sender> sender);
  // The largest encoded sample that fits in a batch with this envelope.
  size_t max_sample_bytes() const { return max_sample_bytes_; }
  SendStats* send_stats() { return &stats_; }

  RecordResult Record(std::string_view name, double value, MetricKind kind, TagList tags,
                      int64_t timestamp_ms) noexcept override;
  RecordResult RecordFor(SourceRef source, std::string_view name, double value, MetricKind kind,
                         TagList tags, int64_t timestamp_ms) noexcept override;
  Status Flush(milliseconds timeout) override;
  EmitterCounters counters() const override;
  const std::string& endpoint() const override { return endpoint_; }
  const std::string& source() const override { return source_; }

 private:
  // What the sender thread was asked to do, read once per round.
  struct Orders {
    uint64_t flush_ticket = 0;
    SendDeadline flush_deadline;
    bool stop = false;
    SendDeadline stop_deadline;
  };

  // Encodes `sample` (at most max_sample bytes) and queues it for `envelope`.
  RecordResult Enqueue(std::string_view envelope, const SampleRef& sample,
                       size_t max_sample) noexcept;
  RecordResult EnqueueLarge(std::string_view envelope, const SampleRef& sample,
                            size_t max_sample) noexcept;
  RecordResult EnqueueForLarge(const SourceRef& source, const SampleRef& sample,
                               size_t max_sample) noexcept;
  RecordResult DropInvalid(WireError error) noexcept;
  void Run();
  Orders TakeOrders();
  SendDeadline RoundDeadline(const Orders& orders, SendDeadline now) const;
  void SendRecords(std::string_view records, SendDeadline deadline);
  void BeginBatch(int64_t now_ms);
  // Makes the batches that follow carry this envelope record's source and
  // tags (an empty envelope: the emitter's own).
  void UseEnvelope(std::string_view envelope);
  void SendBatch(SendDeadline deadline);

  const EmitterOptions options_;
  const std::string endpoint_;
  const std::string source_;
  std::vector<TagView> batch_tags_;  // Views into options_.tags.
  const size_t max_batch_bytes_;
  size_t max_sample_bytes_ = 0;
  SampleQueue queue_;
  SendStats stats_;
  std::array<std::atomic<uint64_t>, kWireErrorCount> invalid_{};

  // Sender thread only.
  std::unique_ptr<Sender> sender_;
  BatchBuilder builder_;
  // The envelope of the batch being built: the own source and batch_tags_,
  // or a RecordFor() source and its tags (views into the swapped buffer).
  std::string_view envelope_source_;
  const std::vector<TagView>* envelope_tags_ = &batch_tags_;
  std::vector<TagView> other_tags_;
  uint64_t flush_done_local_ = 0;

  std::mutex control_mu_;
  std::condition_variable control_cv_;
  uint64_t flush_requested_ = 0;   // Guarded by control_mu_.
  uint64_t flush_done_ = 0;        // Guarded by control_mu_.
  SendDeadline flush_deadline_{};  // Guarded by control_mu_.
  bool stopping_ = false;          // Guarded by control_mu_.
  SendDeadline stop_deadline_{};   // Guarded by control_mu_.
  std::thread thread_;
};

EmitterImpl::EmitterImpl(const EmitterOptions& options, std::string endpoint, std::string source,
                         size_t max_batch_bytes)
    : options_(options),
      endpoint_(std::move(endpoint)),
      source_(std::move(source)),
      max_batch_bytes_(max_batch_bytes),
      // Wake the sender when half the buffer is used: it then drains that
      // half while recorders fill the other buffer.
      queue_(options.queue_bytes, options.queue_bytes / 2),
      builder_(max_batch_bytes) {
  for (const Tag& t : options_.tags) batch_tags_.push_back({t.key, t.value});
  other_tags_.reserve(kMaxTagsPerLevel);
  UseEnvelope({});
  BeginBatch(NowMs());
  max_sample_bytes_ = std::min(kMaxSampleBytes, builder_.max_bytes() - builder_.size());
}

void EmitterImpl::Start(std::unique_ptr<Sender> sender) {
  sender_ = std::move(sender);
  thread_ = std::thread([this] { Run(); });
}

EmitterImpl::~EmitterImpl() {
  const SendDeadline deadline = SendClock::now() + options_.close_timeout;
  {
    std::lock_guard<std::mutex> lock(control_mu_);
    stopping_ = true;
    stop_deadline_ = deadline;
  }
  queue_.Wake();
  if (thread_.joinable()) thread_.join();
  if (sender_) sender_->Close(deadline);
}

RecordResult EmitterImpl::Record(std::string_view name, double value, MetricKind kind, TagList tags,
                                 int64_t timestamp_ms) noexcept {
  if (static_cast<unsigned>(kind) >= kMetricKindCount) return DropInvalid(WireError::kBadKind);
  const SampleRef sample{name, value, timestamp_ms != 0 ? timestamp_ms : NowMs(), kind,
                         tags.span()};
  return Enqueue({}, sample, max_sample_bytes_);
}

RecordResult EmitterImpl::RecordFor(SourceRef source, std::string_view name, double value,
                                    MetricKind kind, TagList tags, int64_t timestamp_ms) noexcept {
  if (static_cast<unsigned>(kind) >= kMetricKindCount) return DropInvalid(WireError::kBadKind);
  const std::span<const TagView> batch_tags = source.tags.span();
  if (WireError err = wire_internal::CheckEnvelope(source.source, batch_tags);
      err != WireError::kOk) {
    return DropInvalid(err);
  }
  const size_t envelope_wire = MaxEnvelopeWireBytes(source.source, batch_tags);
  if (envelope_wire >= max_batch_bytes_) return DropInvalid(WireError::kOversized);
  const size_t max_sample = std::min(kMaxSampleBytes, max_batch_bytes_ - envelope_wire);
  const SampleRef sample{name, value, timestamp_ms != 0 ? timestamp_ms : NowMs(), kind,
                         tags.span()};
  if (EnvelopeBytes(source.source, batch_tags) > kSmallEnvelopeBytes) {
    return EnqueueForLarge(source, sample, max_sample);
  }
  char envelope[kSmallEnvelopeBytes];
  const size_t n = EncodeEnvelope(source.source, batch_tags, envelope);
  return Enqueue({envelope, n}, sample, max_sample);
}

RecordResult EmitterImpl::Enqueue(std::string_view envelope, const SampleRef& sample,
                                  size_t max_sample) noexcept {
  char buf[kSmallSampleBytes];
  size_t written = 0;
  WireError err = EncodeSample(sample, buf, std::min(sizeof(buf), max_sample), &written);
  if (err == WireError::kOversized && max_sample > sizeof(buf)) {
    return EnqueueLarge(envelope, sample, max_sample);
  }
  if (err != WireError::kOk) return DropInvalid(err);
  return queue_.Push(envelope, {buf, written}) ? RecordResult::kQueued
                                               : RecordResult::kDroppedQueueFull;
}

// Kept out of line so that Record() itself needs only the small buffer.
[[gnu::noinline]] RecordResult EmitterImpl::EnqueueLarge(std::string_view envelope,
                                                         const SampleRef& sample,
                                                         size_t max_sample) noexcept {
  char buf[kMaxSampleBytes];
  size_t written = 0;
  WireError err = EncodeSample(sample, buf, max_sample, &written);
  if (err != WireError::kOk) return DropInvalid(err);
  return queue_.Push(envelope, {buf, written}) ? RecordResult::kQueued
                                               : RecordResult::kDroppedQueueFull;
}

[[gnu::noinline]] RecordResult EmitterImpl::EnqueueForLarge(const SourceRef& source,
                                                            const SampleRef& sample,
                                                            size_t max_sample) noexcept {
  char envelope[kMaxEnvelopeBytes];
  const size_t n = EncodeEnvelope(source.source, source.tags.span(), envelope);
  return Enqueue({envelope, n}, sample, max_sample);
}

RecordResult EmitterImpl::DropInvalid(WireError error) noexcept {
  invalid_[static_cast<int>(error)].fetch_add(1, std::memory_order_relaxed);
  return RecordResult::kDroppedInvalid;
}

Status EmitterImpl::Flush(milliseconds timeout) {
  const uint64_t failed_before = stats_.dropped_send_failed.load(std::memory_order_relaxed);
  const uint64_t errors_before = stats_.send_errors.load(std::memory_order_relaxed);
  const SendDeadline deadline = FlushDeadline(SendClock::now(), timeout);
  uint64_t ticket;
  {
    std::lock_guard<std::mutex> lock(control_mu_);
    ticket = ++flush_requested_;
    flush_deadline_ = std::max(flush_deadline_, deadline);
  }
  queue_.Wake();
  {
    std::unique_lock<std::mutex> lock(control_mu_);
    if (!control_cv_.wait_until(lock, deadline + kFlushReportSlack,
                                [&] { return flush_done_ >= ticket; })) {
      return Status::Unavailable("flush to " + endpoint_ + " did not finish within " +
                                 std::to_string(timeout.count()) + " ms");
    }
  }
  const uint64_t failed =
      stats_.dropped_send_failed.load(std::memory_order_relaxed) - failed_before;
  const uint64_t errors = stats_.send_errors.load(std::memory_order_relaxed) - errors_before;
  if (errors == 0) return Status::OK();
  // Describing an errno reads only the sender's immutable endpoint name.
  std::string why = sender_->DescribeError(stats_.last_errno.load(std::memory_order_relaxed));
  if (failed == 0) return Status::Unavailable(why);
  return Status::Unavailable(std::to_string(failed) + (failed == 1 ? " sample" : " samples") +
                             " not sent within " + std::to_string(timeout.count()) + " ms: " + why);
}

EmitterCounters EmitterImpl::counters() const {
  EmitterCounters c;
  c.recorded = queue_.accepted();
  c.dropped_queue_full = queue_.dropped_full();
  for (int i = 0; i < kWireErrorCount; ++i) {
    c.invalid_by_reason[i] = invalid_[i].load(std::memory_order_relaxed);
    c.dropped_invalid += c.invalid_by_reason[i];
  }
  c.sent_samples = stats_.sent_samples.load(std::memory_order_relaxed);
  c.sent_messages = stats_.sent_messages.load(std::memory_order_relaxed);
  c.dropped_send_failed = stats_.dropped_send_failed.load(std::memory_order_relaxed);
  c.send_errors = stats_.send_errors.load(std::memory_order_relaxed);
  c.last_send_errno = stats_.last_errno.load(std::memory_order_relaxed);
  return c;
}

void EmitterImpl::Run() {
  SendDeadline next_tick = SendClock::now() + options_.flush_interval;
  for (;;) {
    queue_.WaitUntil(next_tick);
    // Orders are read before the swap, so a flush requested before this
    // point covers only samples that the swap below takes.
    const Orders orders = TakeOrders();
    const SendDeadline now = SendClock::now();
    if (now >= next_tick) next_tick = now + options_.flush_interval;
    const SendDeadline deadline = RoundDeadline(orders, now);
    SendRecords(queue_.Swap(), deadline);
    sender_->EndRound(deadline);
    if (orders.flush_ticket > flush_done_local_) {
      flush_done_local_ = orders.flush_ticket;
      {
        std::lock_guard<std::mutex> lock(control_mu_);
        flush_done_ = orders.flush_ticket;
        // A served flush's deadline must not hold up later rounds.
        if (flush_requested_ == flush_done_) flush_deadline_ = {};
      }
      control_cv_.notify_all();
    }
    if (orders.stop) return;
  }
}

EmitterImpl::Orders EmitterImpl::TakeOrders() {
  std::lock_guard<std::mutex> lock(control_mu_);
  return Orders{flush_requested_, flush_deadline_, stopping_, stop_deadline_};
}

SendDeadline EmitterImpl::RoundDeadline(const Orders& orders, SendDeadline now) const {
  if (orders.stop) return orders.stop_deadline;
  SendDeadline deadline = now + kBackgroundSendGrace;
  if (orders.flush_ticket > flush_done_local_) deadline = std::max(deadline, orders.flush_deadline);
  return deadline;
}

void EmitterImpl::SendRecords(std::string_view records, SendDeadline deadline) {
  if (records.empty()) return;
  UseEnvelope({});
  BeginBatch(NowMs());
  std::string_view sample;
  while (SampleQueue::NextSample(&records, &sample)) {
    if (SampleQueue::IsEnvelope(sample)) {
      // A message has one source: finish the current one.
      if (builder_.sample_count() > 0) SendBatch(deadline);
      UseEnvelope(sample.substr(1));
      BeginBatch(NowMs());
      continue;
    }
    if (builder_.Append(sample)) continue;
    if (builder_.sample_count() > 0) {
      SendBatch(deadline);
      BeginBatch(NowMs());
      if (builder_.Append(sample)) continue;
    }
    // Record() capped samples to what fits in an empty batch, so this cannot
    // happen; count it rather than lose it silently.
    assert(false && "a queued sample does not fit in an empty batch");
    stats_.Failed(1, EMSGSIZE);
  }
  if (builder_.sample_count() > 0) SendBatch(deadline);
}

void EmitterImpl::BeginBatch(int64_t now_ms) {
  // Sources and tags were validated at Open() or RecordFor(), and the clock
  // is in range.
  WireError err = builder_.Begin(envelope_source_, now_ms, *envelope_tags_);
  assert(err == WireError::kOk);
  (void)err;
}

void EmitterImpl::UseEnvelope(std::string_view envelope) {
  if (envelope.empty()) {
    envelope_source_ = source_;
    envelope_tags_ = &batch_tags_;
    return;
  }
  DecodeEnvelope(envelope, &envelope_source_, &other_tags_);
  envelope_tags_ = &other_tags_;
}

void EmitterImpl::SendBatch(SendDeadline deadline) {
  const uint32_t samples = builder_.sample_count();
  sender_->Send(builder_.Finish(), samples, deadline);
}

Result<std::unique_ptr<Sender>> OpenSender(const Endpoint& endpoint, const EmitterOptions& options,
                                           size_t max_batch_bytes, SendStats* stats) {
  if (endpoint.transport == Transport::kUdp) {
    auto udp = UdpSender::Open(endpoint, max_batch_bytes, stats);
    if (!udp) return udp.error();
    return std::unique_ptr<Sender>(std::move(*udp));
  }
  ZmqSenderOptions zmq_options;
  zmq_options.send_hwm = options.zmq_send_hwm;
  zmq_options.linger = options.close_timeout;
  auto zmq = ZmqSender::Open(endpoint, zmq_options, stats);
  if (!zmq) return zmq.error();
  return std::unique_ptr<Sender>(std::move(*zmq));
}

Result<std::unique_ptr<Emitter>> OpenEmitter(const EmitterOptions& options) {
  SONDE_RETURN_IF_ERROR(options.Validate());
  Result<Endpoint> endpoint = ParseEndpoint(options.endpoint, EndpointRole::kConnect);
  if (!endpoint) return endpoint.error();
  std::string source = options.source.empty() ? HostName() : options.source;
  const size_t max_batch_bytes = EffectiveMaxBatchBytes(options, endpoint->transport);
  BatchBuilder probe(max_batch_bytes);
  if (probe.Begin(source, NowMs(), {}) != WireError::kOk) {
    return Status::InvalidArgument("host name '" + source +
                                   "' cannot be a source; set EmitterOptions::source");
  }
  auto impl = std::make_unique<EmitterImpl>(options, endpoint->ToString(), std::move(source),
                                            max_batch_bytes);
  auto sender = OpenSender(*endpoint, options, max_batch_bytes, impl->send_stats());
  if (!sender) return sender.error();
  impl->Start(std::move(*sender));
  return std::unique_ptr<Emitter>(std::move(impl));
}

}  // namespace

Result<std::unique_ptr<Emitter>> Emitter::Open(const EmitterOptions& options) {
  // Allocation and thread creation are the only things here that throw.
  try {
    return OpenEmitter(options);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory opening the emitter (queue_bytes is " +
                                     std::to_string(options.queue_bytes) + ")");
  } catch (const std::system_error& e) {
    return Status::ResourceExhausted(std::string("starting the emitter's sender thread: ") +
                                     e.what());
  }
}

}  // namespace sonde

// The embeddable emitter: an application records samples; a background
// thread batches them (wire format v1, sonde/wire.h) and sends them to a
// broker over UDP or ZeroMQ PUSH.
//
//   sonde::EmitterOptions options;
//   options.endpoint = "udp://127.0.0.1:7700";
//   auto emitter = sonde::Emitter::Open(options);
//   if (!emitter) { ... emitter.error().ToString() ... }
//   (*emitter)->Gauge("cpu", 12.5, {{"service", "auth"}});
//
// Recording never blocks, throws or allocates: the sample is validated and
// encoded on the caller's stack, then copied under a short mutex into a
// bounded buffer. When the buffer is full the sample is dropped and counted.
// The sender thread swaps that buffer for an empty one (statsite's
// swap-and-flush), cuts it into messages of at most max_batch_bytes and sends
// them without blocking; failures are dropped and counted too.
//
// An emitter may also record on behalf of other sources (RecordFor): a
// poller for each target it polls, a proxy for its clients. Those samples
// share the queue, the sender thread and the counters; the sender batches
// them per source (a message has one source), in the order recorded.
//
// The emitter never logs: counters() is the record of what happened.
#ifndef SONDE_EMITTER_H_
#define SONDE_EMITTER_H_

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sonde/sample.h"
#include "sonde/status.h"
#include "sonde/wire.h"

namespace sonde {

// The longest EmitterOptions::close_timeout, for tools that take it from a
// flag and check it there.
inline constexpr std::chrono::milliseconds kMaxCloseTimeout = std::chrono::seconds(60);

struct EmitterOptions {
  // Where to send: udp://host:port, tcp://host:port or ipc://path (the last
  // two over ZeroMQ PUSH). See sonde/endpoint.h.
  // Default: the broker's UDP ingest on loopback.
  std::string endpoint = "udp://127.0.0.1:7700";

  // The batch source (host name), at most kMaxSourceBytes.
  // Default: empty, meaning gethostname().
  std::string source;

  // Tags sent once per batch and applying to every sample, e.g.
  // {{"service", "auth"}}. At most kMaxTagsPerLevel, each key once (Validate()
  // says "tag 'service' given twice"). A sample's own tag with the same key
  // overrides one of these for that sample (the wire format's rule): these
  // travel in the batch's tags map and the sample's in its own, so neither
  // map holds a key twice.
  // Default: none.
  Tags tags;

  // The longest a recorded sample waits before it is sent. 1 ms to 1 hour.
  // Default: 1 s.
  std::chrono::milliseconds flush_interval{1000};

  // The largest message sent, in bytes. For UDP at most 65,507 (one IPv4
  // datagram); for ZeroMQ at most kMaxMessageBytes. At least 256.
  // Default: 0, meaning 1,400 for UDP (fits an Ethernet MTU) and 64 KiB for ZeroMQ.
  size_t max_batch_bytes = 0;

  // Bytes of encoded samples held while waiting to be sent (a typical sample
  // takes 30 to 60 bytes); recording beyond this drops samples. Two buffers
  // of this size are allocated at Open(). 64 KiB to 1 GiB.
  // Default: 1 MiB.
  size_t queue_bytes = 1 << 20;

  // The longest the destructor waits to send what is queued (and ZMQ_LINGER).
  // 0 to 60 s.
  // Default: 1 s.
  std::chrono::milliseconds close_timeout{1000};

  // ZeroMQ only: messages queued in ZeroMQ for the broker (ZMQ_SNDHWM)
  // before sends are dropped. 1 to 1,000,000.
  // Default: 1000.
  int zmq_send_hwm = 1000;

  // Returns InvalidArgument naming the first field that is out of range (or
  // the tag key given twice).
  Status Validate() const;
};

// What happened to recorded samples. Every Record() and RecordFor() call
// lands in exactly one of recorded, dropped_queue_full or dropped_invalid;
// every recorded sample is eventually counted in sent_samples or
// dropped_send_failed (or is still queued, or was still queued when the
// emitter was destroyed). "Sent" means handed over, not delivered: over UDP
// a datagram to a port nobody listens on is sent, and the kernel's later
// refusal (ICMP) shows only as one send_error, not as the samples lost; over
// ZeroMQ, messages in ZeroMQ's queue when the broker goes away are lost
// with it. Use tcp:// (ZMQ_IMMEDIATE holds messages while no broker is
// connected) when loss must be seen; the broker's and summarizer's counters
// say what arrived.
struct EmitterCounters {
  uint64_t recorded = 0;            // Accepted into the queue.
  uint64_t dropped_queue_full = 0;  // Dropped: the queue had no room.
  uint64_t dropped_invalid = 0;     // Dropped: the sample breaks a wire limit.
  std::array<uint64_t, kWireErrorCount> invalid_by_reason{};  // Indexed by WireError.
  uint64_t sent_samples = 0;         // Handed to the kernel (UDP) or ZeroMQ.
  uint64_t sent_messages = 0;        // Batches sent.
  uint64_t dropped_send_failed = 0;  // Samples in messages that could not be sent.
  uint64_t send_errors = 0;          // Failed sends, plus refusals the kernel reported later (UDP).
  int last_send_errno = 0;           // errno of the latest send error (EAGAIN: no peer or HWM).

  uint64_t dropped() const { return dropped_queue_full + dropped_invalid + dropped_send_failed; }
  uint64_t invalid(WireError reason) const { return invalid_by_reason[static_cast<int>(reason)]; }
};

// A borrowed list of tags for one Record() call: {{"key", "value"}, ...}, a
// std::vector<TagView>, a std::array<TagView, N> or a std::span. Nothing is
// copied; the tags only need to live until the call returns.
class TagList {
 public:
  TagList() = default;
  TagList(std::initializer_list<TagView> tags) : tags_(tags.begin(), tags.size()) {}
  TagList(std::span<const TagView> tags) : tags_(tags) {}     // NOLINT: implicit by design.
  TagList(const std::vector<TagView>& tags) : tags_(tags) {}  // NOLINT
  template <size_t N>
  TagList(const std::array<TagView, N>& tags) : tags_(tags) {}  // NOLINT

  std::span<const TagView> span() const { return tags_; }

 private:
  std::span<const TagView> tags_;
};

// Whom a RecordFor() sample is about: a source other than the emitter's own
// (at most kMaxSourceBytes, no control characters) and the batch tags of its
// samples (at most kMaxTagsPerLevel; EmitterOptions::tags are not added).
// Borrowed like TagList: it only needs to live until the call returns.
//   emitter->RecordFor("10.0.0.7:8080", "up", 1, MetricKind::kGauge);
//   emitter->RecordFor({"10.0.0.7:8080", {{"version", "2.1"}}}, "cpu", 56,
//                      MetricKind::kGauge);
struct SourceRef {
  SourceRef(std::string_view source_name, TagList batch_tags = {})  // NOLINT: implicit by design.
      : source(source_name), tags(batch_tags) {}
  SourceRef(const char* source_name) : source(source_name) {}         // NOLINT
  SourceRef(const std::string& source_name) : source(source_name) {}  // NOLINT

  std::string_view source;
  TagList tags;
};

// The outcome of one Record() call; each is also counted in counters().
enum class RecordResult : uint8_t {
  kQueued,            // Will be sent with the next batch.
  kDroppedQueueFull,  // The queue was full (the sender is behind or the peer is down).
  kDroppedInvalid,    // Breaks a wire limit; counters().invalid_by_reason says which.
};

// Thread-safe: any number of threads may record, flush and read counters
// concurrently. Destroying the emitter drains it for at most close_timeout.
class Emitter {
 public:
  // Opens an emitter: parses and resolves the endpoint, creates the socket,
  // allocates the queue and starts the sender thread. Returns
  // InvalidArgument for bad options, NotFound when a udp:// host name does
  // not resolve or a tcp:// one definitely does not exist (address literals
  // are never looked up), IOError when a socket cannot be created,
  // ResourceExhausted when memory or threads run out. A host name is looked
  // up once, here, with the system resolver (getaddrinfo, which may block for
  // its timeout): call Open() where that is acceptable, not on a
  // latency-critical thread. A udp:// address is never looked up again, so
  // any lookup failure fails Open. A tcp:// name fails Open only when the
  // resolver answers that it has no IPv4 address (EAI_NONAME, EAI_NODATA;
  // ZeroMQ connects to names over IPv4 only); any other lookup failure, e.g.
  // no DNS server reachable yet at boot (EAI_AGAIN), lets Open succeed, and
  // ZeroMQ resolves the name again on each reconnect, as it connects to a
  // ZeroMQ peer asynchronously anyway: a broker that is down is not an error
  // here.
  static Result<std::unique_ptr<Emitter>> Open(const EmitterOptions& options);

  virtual ~Emitter() = default;
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;

  // Records one sample. timestamp_ms is milliseconds since the Unix epoch;
  // 0 means now. Tags that repeat a key drop the sample as kDuplicateTag; a
  // tag with the key of an EmitterOptions::tags entry overrides it. Never
  // blocks, throws or allocates.
  virtual RecordResult Record(std::string_view name, double value, MetricKind kind,
                              TagList tags = {}, int64_t timestamp_ms = 0) noexcept = 0;

  // Records one sample for another source, batched with that source's batch
  // tags (see SourceRef). Consecutive samples for the same source and tags
  // share messages. A bad source or batch tag drops the sample as invalid
  // (kBadSource, kBadTag, kTooManyTags, kDuplicateTag), as does a sample that
  // does not fit in one message with that envelope (kOversized). Counted like
  // Record(); never blocks, throws or allocates.
  virtual RecordResult RecordFor(SourceRef source, std::string_view name, double value,
                                 MetricKind kind, TagList tags = {},
                                 int64_t timestamp_ms = 0) noexcept = 0;

  RecordResult Gauge(std::string_view name, double value, TagList tags = {}) noexcept {
    return Record(name, value, MetricKind::kGauge, tags);
  }
  RecordResult Count(std::string_view name, double increment = 1, TagList tags = {}) noexcept {
    return Record(name, increment, MetricKind::kCounter, tags);
  }
  RecordResult Timing(std::string_view name, double milliseconds, TagList tags = {}) noexcept {
    return Record(name, milliseconds, MetricKind::kTiming, tags);
  }

  // Sends everything recorded before the call, waiting at most `timeout`
  // (while a ZeroMQ peer is not yet connected, or the socket is full).
  // Returns OK when all of it was handed to the kernel or to ZeroMQ;
  // Unavailable when a send failed meanwhile (those samples are dropped and
  // counted in dropped_send_failed; for UDP, also a refusal the kernel
  // reported) or the sender did not finish in time (those stay queued).
  // Blocks the caller for about `timeout` at most; never call it on a hot path.
  // milliseconds::max() (or anything past the clock's range) waits as long
  // as it takes.
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;

  // A consistent-enough snapshot (each counter is read atomically).
  virtual EmitterCounters counters() const = 0;

  // The endpoint as parsed, e.g. "udp://127.0.0.1:7700", and the source of
  // Record()'s samples.
  virtual const std::string& endpoint() const = 0;
  virtual const std::string& source() const = 0;

 protected:
  Emitter() = default;
};

}  // namespace sonde

#endif  // SONDE_EMITTER_H_

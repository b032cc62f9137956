// Wire format v1: THE codec. Every Sonde component that reads or writes
// samples goes through this header; the format is specified byte by byte in
// docs/wire-format.md.
//
// A message is one MessagePack map: a versioned, typed batch of samples from
// one source. The decoder is strict and bounded: it never allocates per
// sample (views point into the message), never recurses, checks every
// declared length against the bytes that remain, and names each rejection
// with a WireError that callers count.
//
// Thread-safety: free functions are reentrant; a BatchBuilder or BatchView is
// used by one thread at a time.
#ifndef SONDE_WIRE_H_
#define SONDE_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sonde/sample.h"

namespace sonde {

// Limits (docs/wire-format.md, "Limits"). A message that breaks one is
// rejected whole.
inline constexpr uint32_t kWireVersion = 1;
inline constexpr size_t kMaxMessageBytes = 65536;      // One UDP datagram or ZeroMQ frame.
inline constexpr size_t kDefaultUdpBatchBytes = 1400;  // Fits an Ethernet MTU.
inline constexpr size_t kMaxSourceBytes = 255;
inline constexpr size_t kMaxNameBytes = 255;
inline constexpr size_t kMaxTagsPerLevel = 32;  // Batch tags, and sample tags, each.
inline constexpr size_t kMaxTagKeyBytes = 64;
inline constexpr size_t kMaxTagValueBytes = 255;
inline constexpr size_t kMaxSamplesPerBatch = 65535;
inline constexpr int kMaxDepth = 4;  // Envelope map > samples array > sample > tags map.
inline constexpr int64_t kMinTimestampMs = 946684800000;   // 2000-01-01T00:00:00Z
inline constexpr int64_t kMaxTimestampMs = 4102444800000;  // 2100-01-01T00:00:00Z (exclusive)
// The largest sample EncodeSample can write (every field at its limit): a
// buffer this big never makes EncodeSample return kOversized.
inline constexpr size_t kMaxSampleBytes = 10616;

// Why a message (or a sample given to the encoder) was rejected. Each value
// has a stable snake_case name (WireErrorName) used in counters and logs.
enum class WireError : uint8_t {
  kOk = 0,
  kEmpty,            // "empty": zero bytes.
  kOversized,        // "oversized": over kMaxMessageBytes (or the encoder's buffer).
  kTruncated,        // "truncated": the bytes end inside a value.
  kLengthTooLarge,   // "length_too_large": a declared length or count cannot fit in what remains.
  kInvalidMsgpack,   // "invalid_msgpack": a byte that is not MessagePack (0xc1).
  kWrongType,        // "wrong_type": a field holds the wrong MessagePack type.
  kTooDeep,          // "too_deep": nesting deeper than kMaxDepth.
  kTrailingBytes,    // "trailing_bytes": bytes after the envelope map.
  kBadVersion,       // "bad_version": "v" is not 1.
  kUnknownType,      // "unknown_type": "type" is not "batch".
  kMissingField,     // "missing_field": "v", "type", "src", "t" or "s" is absent.
  kDuplicateField,   // "duplicate_field": a known envelope key appears twice.
  kBadSource,        // "bad_source": empty, too long, or control characters.
  kBadName,          // "bad_name": empty, too long, or control characters.
  kBadTag,           // "bad_tag": key/value too long, empty key, or control characters.
  kTooManyTags,      // "too_many_tags": over kMaxTagsPerLevel.
  kTooManySamples,   // "too_many_samples": over kMaxSamplesPerBatch.
  kBadSample,        // "bad_sample": a sample array with fewer than 2 or more than 5 items.
  kNonFinite,        // "non_finite": NaN or infinity.
  kBadTimestamp,     // "bad_timestamp": outside [kMinTimestampMs, kMaxTimestampMs).
  kBadKind,          // "bad_kind": a kind other than 0, 1, 2 or nil.
  // Added last so that the values above (counter indexes) stay as they were.
  kDuplicateTag,     // "duplicate_tag": a key appears twice in one tags map.
};
inline constexpr int kWireErrorCount = static_cast<int>(WireError::kDuplicateTag) + 1;

// Stable snake_case name, e.g. "length_too_large".
const char* WireErrorName(WireError error);

// The tags of a batch or sample: a view of an already validated MessagePack
// map inside a message, whose keys are distinct (a repeated key is rejected
// as kDuplicateTag). Iteration cannot fail. Valid while the message lives.
class TagsView {
 public:
  class Iterator;
  TagsView() = default;
  TagsView(const uint8_t* map_body, uint32_t count) : data_(map_body), count_(count) {}

  uint32_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  Iterator begin() const;  // Tags in message order.
  Iterator end() const;
  // The value of `key`, or nullopt.
  std::optional<std::string_view> Find(std::string_view key) const;

 private:
  const uint8_t* data_ = nullptr;  // First key of the map (after its header).
  uint32_t count_ = 0;
};

class TagsView::Iterator {
 public:
  Iterator(const uint8_t* p, uint32_t left) : p_(p), left_(left) { Load(); }
  const TagView& operator*() const { return tag_; }
  const TagView* operator->() const { return &tag_; }
  Iterator& operator++() {
    --left_;
    Load();
    return *this;
  }
  bool operator==(const Iterator& o) const { return left_ == o.left_; }

 private:
  void Load();
  const uint8_t* p_;
  uint32_t left_;
  TagView tag_;
};

// One decoded sample; its views point into the message.
struct SampleView {
  std::string_view name;
  double value = 0;
  int64_t timestamp_ms = 0;  // The sample's own, or the batch's when it had none.
  MetricKind kind = MetricKind::kGauge;
  TagsView tags;  // The sample's own tags only; see BatchView::tags.
};

// A decoded batch. Reuse one BatchView across DecodeBatch calls: `samples`
// keeps its capacity, so steady-state decoding allocates nothing.
struct BatchView {
  std::string_view source;
  int64_t timestamp_ms = 0;
  TagsView tags;  // Apply to every sample; a sample tag with the same key wins.
  std::vector<SampleView> samples;
};

// Decodes and validates a whole message. On kOk, *out describes it (views
// into `message`, which must outlive them). On any error *out is unspecified
// and nothing of the message may be used: a message is accepted whole or not.
// Names the first fault met reading front to back (kMissingField at the end).
WireError DecodeBatch(std::string_view message, BatchView* out);

// Validates a message without materializing samples (the broker's path).
// Accepts exactly what DecodeBatch accepts and returns the same error.
// On kOk sets *source (a view into message) and *sample_count when non-null.
WireError ValidateBatch(std::string_view message, std::string_view* source,
                        uint32_t* sample_count);

// The fields of one sample to encode.
struct SampleRef {
  std::string_view name;
  double value = 0;
  int64_t timestamp_ms = 0;  // 0 means "the batch's time" (encoded as nil).
  MetricKind kind = MetricKind::kGauge;
  std::span<const TagView> tags;
};

// Encodes one sample as a standalone MessagePack array into out[0, cap).
// On kOk sets *written. Returns kOversized when it does not fit in cap (never
// when cap >= kMaxSampleBytes), or the field's error (kBadName, kBadTag,
// kTooManyTags, kDuplicateTag, kNonFinite, kBadTimestamp, kBadKind) when it
// breaks a limit; *written is not set then, and out[0, cap) must not be used
// (kOversized leaves it untouched). Never allocates.
WireError EncodeSample(const SampleRef& sample, char* out, size_t cap, size_t* written);

// Assembles one message from samples encoded by EncodeSample, without
// re-encoding them. Holds one buffer of max_bytes, allocated once.
class BatchBuilder {
 public:
  // REQUIRES: 64 <= max_bytes <= kMaxMessageBytes.
  explicit BatchBuilder(size_t max_bytes = kMaxMessageBytes);

  // Starts a new batch, discarding any previous one. Returns kBadSource,
  // kBadTag, kTooManyTags, kDuplicateTag or kBadTimestamp for a bad envelope
  // field, or kOversized when the envelope alone exceeds max_bytes.
  WireError Begin(std::string_view source, int64_t timestamp_ms, std::span<const TagView> tags);

  // Appends one encoded sample. Returns false, appending nothing, when the
  // message would exceed max_bytes or already holds kMaxSamplesPerBatch.
  // Never allocates.
  // REQUIRES: Begin() succeeded; `encoded` came from EncodeSample.
  bool Append(std::string_view encoded);

  uint32_t sample_count() const { return count_; }
  size_t size() const { return buf_.size(); }
  size_t max_bytes() const { return max_bytes_; }

  // Completes the message (patches the sample count). The view is valid
  // until the next Begin() or Append(); Append() may continue the batch.
  std::string_view Finish();

 private:
  std::string buf_;
  size_t count_pos_ = 0;
  uint32_t count_ = 0;
  size_t max_bytes_;
};

// Convenience for tools and tests: encodes owned samples into one message.
// Returns the first error met; kOversized when they do not fit in max_bytes
// or max_bytes is outside [64, kMaxMessageBytes]; kTooManySamples over
// kMaxSamplesPerBatch. A sample's timestamp_ms of 0 means the batch's time.
WireError EncodeBatch(std::string_view source, int64_t timestamp_ms, const Tags& tags,
                      std::span<const Sample> samples, std::string* out,
                      size_t max_bytes = kMaxMessageBytes);

// Converts a decoded batch into owned samples, merging batch tags into each
// sample (a sample tag overrides the batch tag with the same key), sorted by
// key. For tools and tests, not hot paths.
std::vector<Sample> ToSamples(const BatchView& batch);

// ---------------------------------------------------------------------------
// The bus: how the broker republishes validated messages on its ZeroMQ PUB
// socket (docs/wire-format.md, "Bus"). One publication is three frames:
//   1. topic:   the source, then one 0x00 byte. Subscribing to "" gets
//               everything, "web-01\0" exactly web-01, "web-" a prefix.
//   2. meta:    MessagePack array
//               [2, broker_id, sequence, received_ms, message_count].
//   3. payload: message_count complete messages from that one source, back
//               to back, each unchanged (never re-encoded), in arrival order.
// Bundling a source's messages of one receive burst into one publication
// divides the broker's per-publication cost (three sends, a wake-up of
// ZeroMQ's I/O thread) by the bundle size.
inline constexpr uint32_t kBusVersion = 2;
inline constexpr size_t kMaxBrokerIdBytes = 64;
// The largest payload frame: the broker bundles messages up to this size (a
// message of kMaxMessageBytes travels alone), so a subscriber's
// ZMQ_MAXMSGSIZE of kMaxMessageBytes plus a little still holds.
inline constexpr size_t kMaxBusPayloadBytes = kMaxMessageBytes;
// Messages per publication at most (a valid message is over 32 bytes).
inline constexpr uint32_t kMaxBusMessages = kMaxBusPayloadBytes / 32;

struct BusMeta {
  std::string_view broker_id;  // Names the broker; sequences count per broker.
  uint64_t sequence = 0;       // 1, 2, 3, ... per publication; a gap means loss.
  int64_t received_ms = 0;     // When the broker received the messages.
  uint32_t message_count = 1;  // Messages in the payload, 1 to kMaxBusMessages.
};

// What a publication's sequence number says, given the last one seen from
// the same broker: a jump forward missed the publications between; a jump
// back is a restart, and as a restarted broker numbers from 1 again, those
// it sent before `sequence` (while the subscriber reconnected) were missed.
struct BusSequenceStep {
  uint64_t missed = 0;
  bool restarted = false;
};
BusSequenceStep NextBusSequence(uint64_t last, uint64_t sequence);

// Writes the topic frame for `source` into out[0, cap); returns its size, or
// 0 when it does not fit.
size_t EncodeBusTopic(std::string_view source, char* out, size_t cap);

// Writes the meta frame into out[0, cap); returns its size, or 0 when it does
// not fit, broker_id is longer than kMaxBrokerIdBytes, or message_count is
// outside [1, kMaxBusMessages].
size_t EncodeBusMeta(const BusMeta& meta, char* out, size_t cap);

// Decodes a meta frame strictly: exactly [2, str, uint, int, uint]. Returns
// kEmpty (no bytes, or a message_count of 0), kWrongType (not a 5-item
// array, or an item of the wrong type, including a signed int for the
// sequence), kBadVersion (item 0 is not 2), kBadSource (broker_id over
// kMaxBrokerIdBytes), kBadTimestamp (received_ms beyond int64),
// kTooManySamples (message_count over kMaxBusMessages), kTruncated,
// kLengthTooLarge, kInvalidMsgpack or kTrailingBytes. broker_id views into
// `frame`.
WireError DecodeBusMeta(std::string_view frame, BusMeta* out);

// One message of a bus payload; the views point into the payload.
struct BusMessage {
  std::string_view message;  // One complete, validated message.
  std::string_view source;
  uint32_t sample_count = 0;
};

// THE reader of payload frames: splits `payload` into exactly
// `message_count` messages (the meta frame's), each validated whole as
// ValidateBatch does. All or nothing: on kOk *out holds them in order, all
// from one source; on any error *out is unspecified and nothing of the
// payload may be used. Returns kEmpty (no bytes), kOversized (over
// kMaxBusPayloadBytes), kTruncated (the payload ends before message_count
// messages), a message's own error (a message cut short is kTruncated or
// kLengthTooLarge, as for ValidateBatch), kTrailingBytes (bytes after
// them) or kBadSource (messages from different sources). Reuse *out across calls: it
// keeps its capacity, so steady-state reading allocates nothing.
WireError SplitBusPayload(std::string_view payload, uint32_t message_count,
                          std::vector<BusMessage>* out);

// A bus payload decoded by DecodeBusPayload: one BatchView per message, in
// payload order, all of one source. Reuse one across calls: its views keep
// their capacity, so steady-state decoding allocates nothing. What it keeps
// is bounded (kMaxKeptSamples): past that it starts afresh.
class BusBatches {
 public:
  // Valid until the next DecodeBusPayload; views point into the payload.
  std::span<const BatchView> batches() const { return {slots_.data(), count_}; }

 private:
  friend WireError DecodeBusPayload(std::string_view, uint32_t, BusBatches*);
  // Two full payloads' worth of the smallest samples (4 bytes each).
  static constexpr size_t kMaxKeptSamples = 2 * kMaxBusPayloadBytes / 4;
  std::vector<BatchView> slots_;  // Those past count_ keep capacity for later bundles.
  uint32_t count_ = 0;
  size_t kept_samples_ = 0;        // Sample capacity held by slots_.
  std::vector<BusMessage> split_;  // Names the error of a rejected payload.
};

// The subscriber's reader of payload frames: accepts exactly the payloads
// SplitBusPayload accepts and returns the same error, but decodes each
// message once, as DecodeBatch does, instead of validating it and leaving
// the decoding to the caller. All or nothing: on kOk out->batches() holds
// message_count batches; on any error it is empty.
WireError DecodeBusPayload(std::string_view payload, uint32_t message_count, BusBatches* out);

}  // namespace sonde

#endif  // SONDE_WIRE_H_

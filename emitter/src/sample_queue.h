// The emitter's bounded queue of encoded samples: two byte buffers, swapped
// (statsite's swap-and-flush). Producers append to the front buffer under a
// short mutex; the one consumer (the sender thread) swaps it for the back
// buffer and reads that without the lock while producers carry on.
//
// Each record is a 2-byte length (host order) and its bytes: an encoded
// sample, or an envelope record (kEnvelopeMarker, then EncodeEnvelope's
// bytes) that says whose samples follow: another source and its batch tags
// (Emitter::RecordFor), or, when empty, the emitter's own source again. Each
// buffer starts with the emitter's own source, and an envelope record is
// written only when it differs from the previous one, so samples recorded
// for one source in a row share one envelope record.
//
// Thread-safety: Push, Wake and the counters from any thread; Wait and Swap
// from the consumer thread only.
#ifndef SONDE_EMITTER_SRC_SAMPLE_QUEUE_H_
#define SONDE_EMITTER_SRC_SAMPLE_QUEUE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "sonde/sample.h"
#include "sonde/wire.h"

namespace sonde {

// A sample's length prefix in the queue.
using QueuedLength = uint16_t;
inline constexpr size_t kMaxQueuedSampleBytes = UINT16_MAX;

// The first byte of an envelope record; MessagePack never uses it, so it can
// never start an encoded sample.
inline constexpr char kEnvelopeMarker = static_cast<char>(0xc1);

// An envelope: [u8 source length][source][u8 tag count] then per tag
// [u8 key length][key][u8 value length][value]. At most this long:
inline constexpr size_t kMaxEnvelopeBytes =
    1 + kMaxSourceBytes + 1 + kMaxTagsPerLevel * (1 + kMaxTagKeyBytes + 1 + kMaxTagValueBytes);
static_assert(kMaxEnvelopeBytes + 1 <= kMaxQueuedSampleBytes);

// The bytes EncodeEnvelope writes for these fields.
// REQUIRES: the lengths are within the wire limits (sonde/wire.h).
size_t EnvelopeBytes(std::string_view source, std::span<const TagView> tags);
// Writes the envelope to out[0, EnvelopeBytes()) and returns its length.
size_t EncodeEnvelope(std::string_view source, std::span<const TagView> tags, char* out);
// Reads an envelope written by EncodeEnvelope; *tags views into `envelope`.
void DecodeEnvelope(std::string_view envelope, std::string_view* source,
                    std::vector<TagView>* tags);

class SampleQueue {
 public:
  // Allocates two buffers of capacity_bytes. The consumer is woken early once
  // the front buffer holds wake_bytes (once per fill, not per sample).
  // REQUIRES: 0 < wake_bytes <= capacity_bytes.
  SampleQueue(size_t capacity_bytes, size_t wake_bytes);

  SampleQueue(const SampleQueue&) = delete;
  SampleQueue& operator=(const SampleQueue&) = delete;

  // Appends one encoded sample of the emitter's own source. Returns false,
  // storing nothing, when the front buffer has no room. Never blocks beyond
  // the mutex, never allocates.
  // REQUIRES: 0 < sample.size() <= kMaxQueuedSampleBytes.
  bool Push(std::string_view sample) noexcept { return Push({}, sample); }

  // The same for a sample of `envelope` (EncodeEnvelope's bytes; empty: the
  // emitter's own source). The envelope record is stored only when it
  // differs from the previous sample's; both are stored, or neither.
  bool Push(std::string_view envelope, std::string_view sample) noexcept;

  // Wakes the consumer now (a flush or close was requested).
  void Wake();

  // Consumer: waits until Wake(), the wake threshold, or `deadline`.
  void WaitUntil(std::chrono::steady_clock::time_point deadline);

  // Consumer: takes every record pushed so far. The bytes stay valid until the
  // next Swap(). Iterate them with NextSample().
  std::string_view Swap();

  // Reads the record at the front of *records and advances past it. Returns
  // false when *records is empty. An envelope record starts with
  // kEnvelopeMarker (see IsEnvelope); any other record is an encoded sample.
  static bool NextSample(std::string_view* records, std::string_view* sample);
  static bool IsEnvelope(std::string_view record) { return record[0] == kEnvelopeMarker; }

  uint64_t accepted() const { return accepted_.load(std::memory_order_relaxed); }
  uint64_t dropped_full() const { return dropped_full_.load(std::memory_order_relaxed); }

 private:
  struct Buffer {
    std::unique_ptr<char[]> data;
    size_t used = 0;
  };

  const size_t capacity_;
  const size_t wake_bytes_;
  std::mutex mu_;
  std::condition_variable cv_;
  Buffer front_;       // Guarded by mu_.
  bool wake_ = false;  // Guarded by mu_.
  // The envelope of the latest sample in front_ (empty: the own source).
  std::unique_ptr<char[]> last_envelope_;  // kMaxEnvelopeBytes; guarded by mu_.
  size_t last_envelope_size_ = 0;          // Guarded by mu_.
  Buffer back_;                            // The consumer's.
  // Written under mu_, read anywhere.
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> dropped_full_{0};
};

}  // namespace sonde

#endif  // SONDE_EMITTER_SRC_SAMPLE_QUEUE_H_

// The emitter's bounded queue of encoded samples: two byte buffers, swapped
// (statsite's swap-and-flush). Producers append to the front buffer under a
// short mutex; the one consumer (the sender thread) swaps it for the back
// buffer and reads that without the lock while producers carry on.
//
// Each sample is stored as a 2-byte length (host order) and its bytes.
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
#include <string_view>

namespace sonde {

// A sample's length prefix in the queue.
using QueuedLength = uint16_t;
inline constexpr size_t kMaxQueuedSampleBytes = UINT16_MAX;

class SampleQueue {
 public:
  // Allocates two buffers of capacity_bytes. The consumer is woken early once
  // the front buffer holds wake_bytes (once per fill, not per sample).
  // REQUIRES: 0 < wake_bytes <= capacity_bytes.
  SampleQueue(size_t capacity_bytes, size_t wake_bytes);

  SampleQueue(const SampleQueue&) = delete;
  SampleQueue& operator=(const SampleQueue&) = delete;

  // Appends one encoded sample. Returns false, storing nothing, when the
  // front buffer has no room. Never blocks beyond the mutex, never allocates.
  // REQUIRES: 0 < sample.size() <= kMaxQueuedSampleBytes.
  bool Push(std::string_view sample) noexcept;

  // Wakes the consumer now (a flush or close was requested).
  void Wake();

  // Consumer: waits until Wake(), the wake threshold, or `deadline`.
  void WaitUntil(std::chrono::steady_clock::time_point deadline);

  // Consumer: takes every sample pushed so far. The bytes stay valid until the
  // next Swap(). Iterate them with NextSample().
  std::string_view Swap();

  // Reads the sample at the front of *records and advances past it. Returns
  // false when *records is empty.
  static bool NextSample(std::string_view* records, std::string_view* sample);

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
  Buffer back_;        // The consumer's.
  // Written under mu_, read anywhere.
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> dropped_full_{0};
};

}  // namespace sonde

#endif  // SONDE_EMITTER_SRC_SAMPLE_QUEUE_H_

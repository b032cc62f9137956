// Clock: the one seam through which Sonde code reads time, so that tests can
// drive window boundaries and rate limits with a FakeClock.
//
// Two readings, never mixed:
//   WallMs()   - milliseconds since the Unix epoch (UTC). Use it for sample
//                timestamps and rollup windows. It may jump (NTP, settime).
//   SteadyNs() - monotonic nanoseconds from an arbitrary origin. Use it for
//                intervals, timeouts and rate limits.
//
// libuv timers run on the loop's own clock (uv_now); a Clock is for logic
// that needs an injectable time, not a replacement for uv timers.
//
// Thread-safety: every Clock here is safe for concurrent use.
#ifndef SONDE_CLOCK_H_
#define SONDE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace sonde {

class Clock {
 public:
  virtual ~Clock() = default;

  // Milliseconds since 1970-01-01T00:00:00Z.
  virtual int64_t WallMs() const = 0;

  // Monotonic nanoseconds; only differences are meaningful.
  virtual int64_t SteadyNs() const = 0;

  // The process-wide SystemClock. Never null; lives for the whole process.
  static const Clock* Real();
};

// The operating system's clocks (CLOCK_REALTIME, CLOCK_MONOTONIC).
class SystemClock final : public Clock {
 public:
  int64_t WallMs() const override;
  int64_t SteadyNs() const override;
};

// A clock that moves only when told to. Both readings start at the given
// values and Advance() moves them together, as real time would.
// Thread-safety: reads and writes are atomic (relaxed); a test that advances
// the clock from one thread and reads it from another must still
// synchronize on the effects it waits for.
class FakeClock final : public Clock {
 public:
  // Default start: 2024-01-01T00:00:00Z, steady 0.
  explicit FakeClock(int64_t wall_ms = 1704067200000, int64_t steady_ns = 0)
      : wall_ms_(wall_ms), steady_ns_(steady_ns) {}

  int64_t WallMs() const override { return wall_ms_.load(std::memory_order_relaxed); }
  int64_t SteadyNs() const override { return steady_ns_.load(std::memory_order_relaxed); }

  // Moves both clocks forward by `d`. REQUIRES: d >= 0.
  void Advance(std::chrono::nanoseconds d) {
    steady_ns_.fetch_add(d.count(), std::memory_order_relaxed);
    wall_ms_.fetch_add(std::chrono::duration_cast<std::chrono::milliseconds>(d).count(),
                       std::memory_order_relaxed);
  }
  void AdvanceMs(int64_t ms) { Advance(std::chrono::milliseconds(ms)); }

  // Sets the wall clock alone (a jump, as settime would make); steady time
  // does not move.
  void SetWallMs(int64_t wall_ms) { wall_ms_.store(wall_ms, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> wall_ms_;
  std::atomic<int64_t> steady_ns_;
};

}  // namespace sonde

#endif  // SONDE_CLOCK_H_

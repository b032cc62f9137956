// The emitter's transport seam: the sender thread hands finished messages to
// a Sender (UDP or ZeroMQ PUSH), which sends without blocking past a
// deadline and counts every outcome in SendStats.
//
// Thread-safety: a Sender is used by the emitter's sender thread only;
// SendStats may be read from any thread.
#ifndef SONDE_EMITTER_SRC_SENDER_H_
#define SONDE_EMITTER_SRC_SENDER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sonde {

using SendClock = std::chrono::steady_clock;
using SendDeadline = SendClock::time_point;

// Counters the senders write and Emitter::counters() reads.
struct SendStats {
  std::atomic<uint64_t> sent_samples{0};
  std::atomic<uint64_t> sent_messages{0};
  std::atomic<uint64_t> dropped_send_failed{0};
  std::atomic<uint64_t> send_errors{0};
  std::atomic<int> last_errno{0};

  void Sent(uint32_t samples) {
    sent_samples.fetch_add(samples, std::memory_order_relaxed);
    sent_messages.fetch_add(1, std::memory_order_relaxed);
  }
  // A message that could not be sent: its samples are dropped.
  void Failed(uint32_t samples, int err) {
    dropped_send_failed.fetch_add(samples, std::memory_order_relaxed);
    Error(err);
  }
  // An error not tied to one message (UDP: a refusal reported later).
  void Error(int err) {
    send_errors.fetch_add(1, std::memory_order_relaxed);
    last_errno.store(err, std::memory_order_relaxed);
  }
};

class Sender {
 public:
  virtual ~Sender() = default;

  // Sends (or queues for sending) one message carrying `samples` samples.
  // Retries a full socket or a missing peer until `deadline`, then drops the
  // message; either way the outcome is counted in SendStats.
  virtual void Send(std::string_view message, uint32_t samples, SendDeadline deadline) = 0;

  // Ends one round of Send() calls: sends whatever is still held, and picks
  // up errors the kernel reported since.
  virtual void EndRound(SendDeadline deadline) = 0;

  // Explains an errno from Send, for Flush()'s Status: "connection refused
  // (is anything listening on udp://127.0.0.1:7700?)".
  virtual std::string DescribeError(int err) const = 0;

  // Closes the socket, letting ZeroMQ deliver what it holds until `deadline`.
  virtual void Close(SendDeadline deadline) = 0;
};

}  // namespace sonde

#endif  // SONDE_EMITTER_SRC_SENDER_H_

// ZmqWatcher: delivers the messages of a ZeroMQ socket on a libuv loop.
//
// Why this is subtle: ZMQ_FD is edge-triggered and signals "something
// changed", not "a message is waiting". The watcher therefore
//   1. polls ZMQ_FD for readability (uv_poll);
//   2. on a wake-up reads ZMQ_EVENTS and, while ZMQ_POLLIN is set, receives
//      whole messages without blocking, at most Options::max_batch per loop
//      iteration so that other handles get their turn;
//   3. if ZMQ_POLLIN is still set after a full batch, starts a uv_idle
//      handle so the next iteration continues (the loop does not block with
//      messages queued); once ZMQ_EVENTS says no POLLIN, stops the idle
//      handle (the loop does not spin when there is nothing to read).
//
// Sending on the watched socket: zmq_send() (and reading ZMQ_EVENTS) may
// process the socket's pending commands and consume the FD's edge, so that
// messages which arrived meanwhile would never wake the poll. Whoever sends
// on a watched socket outside the message callback must call Rearm()
// afterwards; it schedules a ZMQ_EVENTS re-check on the next iteration.
// Sends made inside the callback need nothing: the watcher re-checks
// ZMQ_EVENTS after every batch.
//
// Multipart messages are delivered whole: the callback gets every part of
// one message at once. A message with more than Options::max_parts parts
// is read to its end, dropped and counted (dropped_parts).
//
// Errors: receive errors other than EAGAIN/EINTR are counted, logged
// rate-limited, and stop the watcher if the socket is unusable (ETERM,
// ENOTSOCK); cppzmq's exceptions never leave this class.
//
// Ownership: the socket is not owned and must stay open until the watcher is
// closed (Close() completed or destructor run). Lifecycle: see
// sonde/uv_loop.h. Thread-safety: loop thread only (as the socket itself).
#ifndef SONDE_ZMQ_WATCHER_H_
#define SONDE_ZMQ_WATCHER_H_

#include <spdlog/logger.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <zmq.hpp>

#include "sonde/status.h"

namespace sonde {

struct ZmqWatcherOptions {
  // Messages delivered per loop iteration at most, before yielding.
  // Default: 256.
  size_t max_batch = 256;
  // Parts per multipart message at most; bigger messages are dropped.
  // Default: 8.
  size_t max_parts = 8;
  // Null: the default logger.
  std::shared_ptr<spdlog::logger> logger;

  // InvalidArgument when max_batch or max_parts is 0.
  Status Validate() const;
};

class ZmqWatcher {
 public:
  // Called with every part of one message. The parts are the watcher's and
  // are reused after the call returns: move out what you keep. The callback
  // may call Close() or Rearm(), and send on the socket. Must not throw.
  using MessageCallback = std::function<void(std::span<zmq::message_t> parts)>;

  struct Stats {
    uint64_t messages = 0;       // Delivered to the callback.
    uint64_t wakeups = 0;        // Poll or idle callbacks that ran.
    uint64_t empty_wakeups = 0;  // Wake-ups that found nothing to read.
    uint64_t batches_full = 0;   // Times max_batch stopped a drain.
    uint64_t dropped_parts = 0;  // Messages dropped for too many parts.
    uint64_t errors = 0;         // Receive errors other than EAGAIN/EINTR.
  };

  // Starts watching `socket` on `loop`. Returns InvalidArgument for bad
  // options, IOError when ZMQ_FD cannot be read or libuv refuses the poll.
  static Result<std::unique_ptr<ZmqWatcher>> Start(uv_loop_t* loop, zmq::socket_t* socket,
                                                   ZmqWatcherOptions options,
                                                   MessageCallback on_message);

  ~ZmqWatcher();
  ZmqWatcher(const ZmqWatcher&) = delete;
  ZmqWatcher& operator=(const ZmqWatcher&) = delete;

  // Schedules a ZMQ_EVENTS re-check on the next loop iteration. Call after
  // sending on the watched socket outside the callback. Cheap; no-op after
  // Close().
  void Rearm();

  // Stops delivery at once (no callback runs after this returns) and closes
  // the handles; `on_closed` (may be empty) runs once they are closed.
  // Idempotent. The socket is left open for its owner.
  void Close(std::function<void()> on_closed = {});

  // Counts so far (the final ones after Close()).
  Stats stats() const;

  struct Impl;

 private:
  explicit ZmqWatcher(Impl* impl) : impl_(impl) {}
  Impl* impl_;         // Frees itself once its handles are closed.
  Stats final_stats_;  // stats() after Close().
};

}  // namespace sonde

#endif  // SONDE_ZMQ_WATCHER_H_

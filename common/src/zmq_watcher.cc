// The adapter between cppzmq and libuv: every zmq call of the watcher is in
// this file, and zmq::error_t never leaves it.
#include "sonde/zmq_watcher.h"

#include <cerrno>
#include <utility>
#include <vector>

#include "sonde/log.h"
#include "sonde/uv_loop.h"

namespace sonde {

Status ZmqWatcherOptions::Validate() const {
  if (max_batch == 0) return Status::InvalidArgument("max_batch must be at least 1");
  if (max_parts == 0) return Status::InvalidArgument("max_parts must be at least 1");
  return Status::OK();
}

// Owned by the ZmqWatcher until it is closed or destroyed, then by the loop:
// it deletes itself once both handles' close callbacks have run.
struct ZmqWatcher::Impl {
  Impl(zmq::socket_t* s, ZmqWatcherOptions o, MessageCallback cb)
      : socket(s),
        options(std::move(o)),
        on_message(std::move(cb)),
        logger(LoggerOrDefault(options.logger)),
        limiter(logger) {
    parts.resize(options.max_parts);
  }

  zmq::socket_t* socket;
  ZmqWatcherOptions options;
  MessageCallback on_message;
  std::shared_ptr<spdlog::logger> logger;
  RateLimitedLog limiter;

  uv_poll_t poll;
  uv_idle_t idle;
  int open_handles = 0;
  bool idle_active = false;
  bool closing = false;
  std::function<void()> on_closed;

  std::vector<zmq::message_t> parts;  // max_parts, reused for every message.
  zmq::message_t scratch;             // Sink for the parts of oversized messages.
  Stats stats;

  enum class RecvResult { kMessage, kEmpty, kError };

  static void OnPoll(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<Impl*>(handle->data);
    if (status < 0) {
      // The fd itself failed (should not happen for ZMQ_FD); keep going on
      // the idle path so queued messages are still delivered.
      ++self->stats.errors;
      self->limiter.Error("zmq_poll_failed", uv_err_name(status), "");
    }
    self->Drain();
  }

  static void OnIdle(uv_idle_t* handle) { static_cast<Impl*>(handle->data)->Drain(); }

  static void OnClose(uv_handle_t* handle) {
    auto* self = static_cast<Impl*>(handle->data);
    if (--self->open_handles > 0) return;
    auto done = std::move(self->on_closed);
    delete self;
    if (done) done();
  }

  void StartIdle() {
    if (idle_active || closing) return;
    idle_active = true;
    uv_idle_start(&idle, OnIdle);
  }

  void StopIdle() {
    if (!idle_active) return;
    idle_active = false;
    uv_idle_stop(&idle);
  }

  // Returns ZMQ_EVENTS, or -1 after an error that stops the watcher.
  int Events() {
    try {
      return socket->get(zmq::sockopt::events);
    } catch (const zmq::error_t& e) {
      OnError(e.num(), "zmq_events");
      return -1;
    }
  }

  // Delivers messages while ZMQ_EVENTS has POLLIN, at most max_batch; see
  // the header for why the re-check and the idle handle matter.
  void Drain() {
    ++stats.wakeups;
    size_t delivered = 0;
    while (!closing) {
      const int events = Events();
      if (events < 0) return;
      if ((events & ZMQ_POLLIN) == 0) {
        if (delivered == 0) ++stats.empty_wakeups;
        StopIdle();
        return;
      }
      if (delivered == options.max_batch) {
        ++stats.batches_full;
        StartIdle();
        return;
      }
      switch (RecvMessage()) {
        case RecvResult::kMessage:
          ++delivered;
          break;
        case RecvResult::kEmpty:
          // POLLIN said yes but recv said EAGAIN (or EINTR): look again on
          // the next iteration rather than trusting the fd's edge.
          StartIdle();
          return;
        case RecvResult::kError:
          return;
      }
    }
  }

  // Receives one whole message without blocking and hands it over.
  RecvResult RecvMessage() {
    size_t n = 0;
    bool more = true;
    try {
      while (more) {
        zmq::message_t& part = n < parts.size() ? parts[n] : scratch;
        if (!socket->recv(part, zmq::recv_flags::dontwait)) {
          // Parts of one message arrive together, so this happens only at
          // the first part.
          return RecvResult::kEmpty;
        }
        more = part.more();
        ++n;
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) return RecvResult::kEmpty;
      OnError(e.num(), "zmq_recv");
      return RecvResult::kError;
    }
    if (n > parts.size()) {
      ++stats.dropped_parts;
      limiter.Warn("zmq_message_dropped", "too_many_parts", "parts={} max_parts={}", n,
                   parts.size());
      return RecvResult::kMessage;
    }
    ++stats.messages;
    on_message(std::span<zmq::message_t>(parts.data(), n));
    return RecvResult::kMessage;
  }

  void OnError(int err, const char* op) {
    ++stats.errors;
    limiter.Error("zmq_watch_failed", op, "errno={} error=\"{}\"", err, zmq_strerror(err));
    // These leave the socket unusable: stop polling it (the handles stay
    // open until Close()).
    if (err == ETERM || err == ENOTSOCK || err == EFAULT) {
      uv_poll_stop(&poll);
      StopIdle();
    }
  }

  void Close(std::function<void()> cb) {
    if (closing) return;
    closing = true;
    on_closed = std::move(cb);
    StopIdle();
    uv_close(reinterpret_cast<uv_handle_t*>(&poll), OnClose);
    uv_close(reinterpret_cast<uv_handle_t*>(&idle), OnClose);
  }
};

Result<std::unique_ptr<ZmqWatcher>> ZmqWatcher::Start(uv_loop_t* loop, zmq::socket_t* socket,
                                                      ZmqWatcherOptions options,
                                                      MessageCallback on_message) {
  SONDE_RETURN_IF_ERROR(options.Validate());
  if (socket == nullptr || !*socket) return Status::InvalidArgument("socket is not open");
  int fd;
  try {
    fd = socket->get(zmq::sockopt::fd);
  } catch (const zmq::error_t& e) {
    return Status::IOError(std::string("getsockopt(ZMQ_FD): ") + e.what());
  }
  auto* impl = new Impl(socket, std::move(options), std::move(on_message));
  if (int rc = uv_poll_init(loop, &impl->poll, fd); rc != 0) {
    delete impl;
    return UvStatus(rc, "uv_poll_init(ZMQ_FD)");
  }
  impl->poll.data = impl;
  impl->open_handles = 1;
  // uv_idle_init cannot fail for a valid loop.
  uv_idle_init(loop, &impl->idle);
  impl->idle.data = impl;
  impl->open_handles = 2;
  if (int rc = uv_poll_start(&impl->poll, UV_READABLE, Impl::OnPoll); rc != 0) {
    impl->Close(nullptr);
    return UvStatus(rc, "uv_poll_start(ZMQ_FD)");
  }
  // Messages may already be queued, and their edge gone: look once.
  impl->StartIdle();
  return std::unique_ptr<ZmqWatcher>(new ZmqWatcher(impl));
}

ZmqWatcher::~ZmqWatcher() { Close(); }

void ZmqWatcher::Rearm() {
  if (impl_ != nullptr) impl_->StartIdle();
}

void ZmqWatcher::Close(std::function<void()> on_closed) {
  if (impl_ == nullptr) return;
  final_stats_ = impl_->stats;
  Impl* impl = impl_;
  impl_ = nullptr;
  impl->Close(std::move(on_closed));
}

ZmqWatcher::Stats ZmqWatcher::stats() const {
  return impl_ != nullptr ? impl_->stats : final_stats_;
}

}  // namespace sonde

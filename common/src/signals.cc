#include "sonde/signals.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "sonde/log.h"
#include "sonde/uv_loop.h"

namespace sonde {

// Owned by the SignalWatcher until it is closed or destroyed, then by the
// loop: it deletes itself when the last handle's close callback has run.
struct SignalWatcher::Impl {
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  static constexpr int kCount = sizeof(kSignals) / sizeof(kSignals[0]);

  SignalOptions options;
  uv_signal_t handles[kCount];
  int initialized = 0;  // Handles that were uv_signal_init'ed.
  int open = 0;         // Handles not yet through their close callback.
  bool closing = false;
  std::function<void()> on_closed;

  static void OnSignal(uv_signal_t* handle, int signum) {
    auto* self = static_cast<Impl*>(handle->data);
    if (self->closing) return;
    if (signum == SIGHUP) {
      if (self->options.on_reopen) {
        self->options.on_reopen();
      } else if (Status s = ReopenLogFile(); !s.ok()) {
        spdlog::error("event=log_reopen_failed error=\"{}\"", s.ToString());
      } else {
        spdlog::info("event=log_reopened");
      }
      return;
    }
    if (self->options.on_stop) self->options.on_stop(signum);
  }

  static void OnClose(uv_handle_t* handle) {
    auto* self = static_cast<Impl*>(handle->data);
    if (--self->open > 0) return;
    auto done = std::move(self->on_closed);
    delete self;
    if (done) done();
  }

  void Close(std::function<void()> cb) {
    if (closing) return;
    closing = true;
    on_closed = std::move(cb);
    if (initialized == 0) {
      auto done = std::move(on_closed);
      delete this;
      if (done) done();
      return;
    }
    for (int i = 0; i < initialized; ++i) {
      uv_close(reinterpret_cast<uv_handle_t*>(&handles[i]), OnClose);
    }
  }
};

void IgnoreSigpipe() {
  struct sigaction current;
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_IGN);
  }
}

Result<std::unique_ptr<SignalWatcher>> SignalWatcher::Start(uv_loop_t* loop,
                                                            SignalOptions options) {
  IgnoreSigpipe();
  auto* impl = new Impl();
  impl->options = std::move(options);
  for (int i = 0; i < Impl::kCount; ++i) {
    uv_signal_t* h = &impl->handles[i];
    int rc = uv_signal_init(loop, h);
    if (rc == 0) {
      h->data = impl;
      ++impl->initialized;
      ++impl->open;
      rc = uv_signal_start(h, Impl::OnSignal, Impl::kSignals[i]);
      uv_unref(reinterpret_cast<uv_handle_t*>(h));
    }
    if (rc != 0) {
      impl->Close(nullptr);
      return UvStatus(rc, "uv_signal_start");
    }
  }
  return std::unique_ptr<SignalWatcher>(new SignalWatcher(impl));
}

SignalWatcher::~SignalWatcher() { Close(); }

void SignalWatcher::Close(std::function<void()> on_closed) {
  if (impl_ == nullptr) return;
  Impl* impl = impl_;
  impl_ = nullptr;
  impl->Close(std::move(on_closed));
}

}  // namespace sonde

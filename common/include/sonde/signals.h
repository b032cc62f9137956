// SignalWatcher: process signals as loop events for a service's main loop.
//
//   SIGINT, SIGTERM -> options.on_stop(signum)   (every time; a service may
//                                                 exit hard on the second)
//   SIGHUP          -> options.on_reopen(), by default ReopenLogFile()
// SIGPIPE is set to ignored (writes to closed sockets return EPIPE instead).
//
// The signal handles are unref'd: they do not keep the loop alive alone.
//
// Lifecycle: see sonde/uv_loop.h. Thread-safety: loop thread only;
// callbacks run on the loop thread.
#ifndef SONDE_SIGNALS_H_
#define SONDE_SIGNALS_H_

#include <uv.h>

#include <functional>
#include <memory>

#include "sonde/status.h"

namespace sonde {

struct SignalOptions {
  // Called on SIGINT and SIGTERM. Default: none (the signal is then ignored).
  std::function<void(int signum)> on_stop;
  // Called on SIGHUP. Default: none, meaning ReopenLogFile(); a failure is
  // logged at error on the default logger.
  std::function<void()> on_reopen;
};

class SignalWatcher {
 public:
  // Starts watching. Returns IOError when libuv refuses a handle.
  static Result<std::unique_ptr<SignalWatcher>> Start(uv_loop_t* loop, SignalOptions options);

  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Stops watching and closes the handles; `on_closed` (may be empty) runs
  // on the loop once they are closed. Idempotent.
  void Close(std::function<void()> on_closed = {});

  struct Impl;

 private:
  explicit SignalWatcher(Impl* impl) : impl_(impl) {}
  Impl* impl_;  // Frees itself once its handles are closed.
};

// Sets SIGPIPE to ignored unless the process already handles it.
void IgnoreSigpipe();

}  // namespace sonde

#endif  // SONDE_SIGNALS_H_

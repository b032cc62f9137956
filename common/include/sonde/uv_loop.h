// libuv helpers every service needs: error conversion, and an owned loop
// whose Close() closes every handle still open so that uv_loop_close()
// succeeds (libuv's MAKE_VALGRIND_HAPPY).
//
// Lifecycle contract of the handle-owning classes in common/ (HttpServer,
// ZmqWatcher, SignalWatcher, LoopTaskQueue): each has Close(callback); the
// callback runs on the loop once every handle of that object is closed.
// Destroying the object without Close() is allowed: its handles are closed
// and freed by the loop's next run (no callbacks of yours run after the
// destructor). Either way, run the loop once more before uv_loop_close().
#ifndef SONDE_UV_LOOP_H_
#define SONDE_UV_LOOP_H_

#include <uv.h>

#include <string_view>

#include "sonde/status.h"

namespace sonde {

// OK when rc >= 0; else IOError "<what>: <uv_err_name>: <uv_strerror>".
// EADDRINUSE/EADDRNOTAVAIL/EACCES map to Unavailable for binds.
Status UvStatus(int rc, std::string_view what);

// Closes every handle on `loop` not already closing, runs the loop until
// they are closed, then uv_loop_close(). Returns IOError (EBUSY) when some
// request is still pending after that.
// REQUIRES: called on the loop's thread, not from inside a callback; the
// common/ objects on this loop are closed or destroyed already (their
// handles free themselves from their own close callbacks, which a plain
// close from here would skip).
Status CloseLoop(uv_loop_t* loop);

// An owned, initialized uv_loop_t. The destructor calls CloseLoop().
// Thread-safety: as libuv: only the loop's thread touches it, except
// uv_async_send().
class UvLoop {
 public:
  UvLoop();  // SONDE_CHECKs uv_loop_init.
  ~UvLoop();
  UvLoop(const UvLoop&) = delete;
  UvLoop& operator=(const UvLoop&) = delete;

  uv_loop_t* get() { return &loop_; }

  // uv_run(UV_RUN_DEFAULT): returns when nothing keeps the loop alive or
  // after uv_stop().
  void Run();

  // Runs one iteration without blocking (UV_RUN_NOWAIT). Returns whether
  // more work remains. For tests.
  bool RunOnce();

  // As CloseLoop(get()). Idempotent.
  Status Close();

 private:
  uv_loop_t loop_;
  bool closed_ = false;
};

}  // namespace sonde

#endif  // SONDE_UV_LOOP_H_

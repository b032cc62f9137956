#include "sonde/uv_loop.h"

#include <string>

#include "sonde/log.h"

namespace sonde {

Status UvStatus(int rc, std::string_view what) {
  if (rc >= 0) return Status::OK();
  std::string msg = std::string(what) + ": " + uv_err_name(rc) + ": " + uv_strerror(rc);
  if (rc == UV_EADDRINUSE || rc == UV_EADDRNOTAVAIL || rc == UV_EACCES) {
    return Status::Unavailable(msg);
  }
  return Status::IOError(msg);
}

Status CloseLoop(uv_loop_t* loop) {
  uv_walk(
      loop,
      [](uv_handle_t* handle, void*) {
        // Handles owned by common/ classes carry their own close callbacks
        // (which free them); closing them here without one would leak, so
        // only handles nobody is closing yet get a plain close.
        if (!uv_is_closing(handle)) uv_close(handle, nullptr);
      },
      nullptr);
  // Close callbacks run within the next iteration(s); pending requests
  // (writes, shutdowns) complete with UV_ECANCELED.
  uv_run(loop, UV_RUN_DEFAULT);
  return UvStatus(uv_loop_close(loop), "uv_loop_close");
}

UvLoop::UvLoop() { SONDE_CHECK(uv_loop_init(&loop_) == 0); }

UvLoop::~UvLoop() { Close().IgnoreError(); }

void UvLoop::Run() { uv_run(&loop_, UV_RUN_DEFAULT); }

bool UvLoop::RunOnce() { return uv_run(&loop_, UV_RUN_NOWAIT) != 0; }

Status UvLoop::Close() {
  if (closed_) return Status::OK();
  Status s = CloseLoop(&loop_);
  closed_ = s.ok();
  return s;
}

}  // namespace sonde

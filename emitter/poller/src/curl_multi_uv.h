// CurlMultiUv: libcurl's multi socket interface driven by a libuv loop, as in
// curl's docs/examples/multi-uv.c, with that example's gaps closed:
//   - a poll error (status < 0) reaches curl as CURL_CSELECT_ERR instead of
//     being dropped, so the transfer fails at once rather than at its timeout;
//   - on CURL_POLL_REMOVE the uv_poll handle is stopped and closed at once
//     (curl closes the socket right after), and curl's pointer to it is
//     cleared, so a new socket that reuses the fd number gets a fresh handle
//     and never meets a handle that is being closed;
//   - handle memory is freed only in uv_close callbacks, never while libuv may
//     still touch it, and no callback of ours runs after the owner is gone;
//   - completions are read after every socket action and timer tick; a
//     completion callback may add transfers or even Close() the multi.
//
// A kept-alive connection is handed to curl's cache after each transfer and
// out again for the next (REMOVE, then a new socket callback for the same
// socket). Opening a uv_poll costs three system calls (libuv checks that
// the fd can be polled and makes it non-blocking) and two allocations, so
// the stopped handle of a cached connection is parked by fd and taken back
// when curl watches that socket again. Parking is safe only while curl
// keeps the socket open: curl opens and closes its sockets through our
// callbacks (Prepare()), which close a parked handle before its fd goes, so
// a parked handle never outlives its socket and an fd number is never
// shared by two handles.
//
// This file and http_client.cc are the only callers of libcurl.
//
// Ownership: owns the CURLM handle, its uv_timer and one uv_poll per socket
// curl asks to watch. The easy handles stay the caller's.
// Thread-safety: loop thread only.
#ifndef SONDE_POLLER_SRC_CURL_MULTI_UV_H_
#define SONDE_POLLER_SRC_CURL_MULTI_UV_H_

#include <curl/curl.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_set>
#include <vector>

#include "sonde/status.h"

namespace sonde::poller {

// Counts of libuv and curl callbacks, for tests and the poller's counters.
struct CurlMultiUvStats {
  uint64_t poll_callbacks = 0;   // uv_poll callbacks.
  uint64_t poll_errors = 0;      // ... of which with status < 0 (sent as CURL_CSELECT_ERR).
  uint64_t timer_callbacks = 0;  // uv_timer callbacks.
  uint64_t sockets_watched = 0;  // Times curl asked to watch a socket it did not watch.
  uint64_t sockets_closed = 0;   // Times a socket stopped being watched (or its handle closed).
  uint64_t polls_opened = 0;     // uv_poll handles opened (the rest were parked ones reused).
  uint64_t watch_failures = 0;   // uv_poll_init/start refused (the transfer then times out).
  uint64_t completions = 0;      // Transfers done.
};

class CurlMultiUv {
 public:
  // Called once per finished transfer, after curl_multi_remove_handle.
  using DoneFn = std::function<void(CURL* easy, CURLcode result)>;

  // Returns IOError when curl or libuv refuse to set up. `max_connects` sizes
  // curl's connection cache (CURLMOPT_MAXCONNECTS).
  static Result<std::unique_ptr<CurlMultiUv>> Create(uv_loop_t* loop, long max_connects,
                                                     DoneFn on_done);

  // Closes every handle; see Close(). No callback of ours runs afterwards.
  ~CurlMultiUv();
  CurlMultiUv(const CurlMultiUv&) = delete;
  CurlMultiUv& operator=(const CurlMultiUv&) = delete;

  // Makes curl open and close the sockets of `easy` through this multi
  // (CURLOPT_OPENSOCKETFUNCTION, CURLOPT_CLOSESOCKETFUNCTION), which lets
  // kept-alive connections keep their uv_poll. Call once per easy handle
  // before its first Add(). Returns IOError when curl refuses the options.
  Status Prepare(CURL* easy);

  // Starts a transfer. Returns IOError when curl refuses it (no DoneFn then).
  Status Add(CURL* easy);

  // Stops a transfer without a DoneFn call.
  void Remove(CURL* easy);

  // Cleans up the multi handle (curl closes its cached connections) and
  // closes the timer and every poll handle; `on_closed` runs on the loop once
  // they are all closed. REQUIRES: every easy handle was removed (the
  // caller's easy handles may be cleaned up once on_closed runs). Idempotent.
  void Close(std::function<void()> on_closed);

  const CurlMultiUvStats& stats() const { return stats_; }
  // uv handles opened and not yet closed (timer included).
  int open_handles() const { return open_handles_; }

  struct Handle;  // A heap-held uv handle that outlives us until its close callback.

 private:
  CurlMultiUv(uv_loop_t* loop, DoneFn on_done) : loop_(loop), on_done_(std::move(on_done)) {}

  static int OnSocket(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
  static int OnTimer(CURLM* multi, long timeout_ms, void* userp);
  static void OnUvPoll(uv_poll_t* poll, int status, int events);
  static void OnUvTimer(uv_timer_t* timer);
  static void OnUvClosed(uv_handle_t* handle);
  static curl_socket_t OnOpenSocket(void* clientp, curlsocktype purpose, curl_sockaddr* address);
  static int OnCloseSocket(void* clientp, curl_socket_t s);

  void Watch(curl_socket_t s, int what, Handle* existing);
  void Unwatch(curl_socket_t s, Handle* h);
  void CloseHandle(Handle* h);
  // The parked handle of socket `s`, taken out of the park; null if none.
  Handle* TakeParked(curl_socket_t s);
  bool Opened(curl_socket_t s) const {
    return s >= 0 && static_cast<size_t>(s) < opened_.size() && opened_[s];
  }
  void Action(curl_socket_t s, int flags);
  void ReadCompletions();
  void HandleClosed();

  uv_loop_t* loop_;
  DoneFn on_done_;
  CURLM* multi_ = nullptr;
  Handle* timer_ = nullptr;
  std::unordered_set<Handle*> live_;  // Every handle not yet freed (open or closing).
  std::vector<Handle*> parked_;       // By fd: stopped handles of sockets curl keeps open.
  std::vector<bool> opened_;          // By fd: sockets curl opened through OnOpenSocket.
  int open_handles_ = 0;
  bool closing_ = false;
  bool in_cleanup_ = false;  // Inside curl_multi_cleanup: curl_multi_assign is off limits.
  std::function<void()> on_closed_;
  CurlMultiUvStats stats_;
};

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SRC_CURL_MULTI_UV_H_

// HttpClient: a fixed pool of reusable curl easy handles on a CurlMultiUv.
//
// Admission control is the pool: at most `slots` transfers are in curl at
// once, and a caller starts one only when free_slots() > 0, so work waiting
// for a slot sits in the caller's queue where no timeout runs. Each slot owns
// its easy handle (options set once), an error buffer and a body buffer
// bounded by the per-transfer cap; a buffer grown past kKeepBodyBytes is
// released after its transfer, so memory stays O(slots), not O(targets).
//
// Every transfer is http or https only (redirects too), follows at most
// max_redirects redirects, and is cut by connect/total timeouts, a low-speed
// limit and the body cap. curl's errors are converted here: FetchResult
// carries a FailureClass and a message, never a CURLcode.
//
// Ownership: the handler is not owned and must outlive the client.
// Thread-safety: loop thread only.
#ifndef SONDE_POLLER_SRC_HTTP_CLIENT_H_
#define SONDE_POLLER_SRC_HTTP_CLIENT_H_

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "curl_multi_uv.h"
#include "fetch_result.h"
#include "sonde/status.h"

namespace sonde::poller {

struct HttpClientOptions {
  size_t slots = 256;
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds total_timeout{5000};
  uint64_t low_speed_bytes = 1024;                 // Per second; 0 disables.
  std::chrono::milliseconds low_speed_time{2000};  // Rounded up to whole seconds.
  int max_redirects = 3;
  bool verify_tls = true;
  std::string user_agent = "sonde-poller";
};

inline constexpr size_t kKeepBodyBytes = 64 * 1024;

class HttpClient {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // A transfer finished. Its slot is free again when this returns.
    virtual void OnFetched(uint64_t tag, const FetchResult& result) = 0;
    // Called after OnFetched, once the slot is free: start more work here.
    virtual void OnSlotFree() = 0;
  };

  // Returns IOError when curl or libuv refuse to set up.
  static Result<std::unique_ptr<HttpClient>> Create(uv_loop_t* loop,
                                                    const HttpClientOptions& options,
                                                    Handler* handler);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  size_t free_slots() const { return free_.size(); }
  size_t in_flight() const { return slots_.size() - free_.size(); }

  // Starts fetching `url`; the handler gets `tag` back. A body over
  // max_body_bytes fails the transfer with kBodyTooLarge.
  // REQUIRES: free_slots() > 0. Returns IOError (and no callback) when curl
  // refuses the URL or the transfer.
  Status Start(const std::string& url, uint64_t tag, size_t max_body_bytes);

  // Stops every transfer in flight; no callbacks for them.
  void AbortAll();

  // Aborts everything and closes the handles; `on_closed` runs on the loop
  // once they are closed. Idempotent.
  void Close(std::function<void()> on_closed);

  const CurlMultiUvStats& loop_stats() const { return multi_->stats(); }
  int open_handles() const { return multi_->open_handles(); }

  struct Slot;

 private:
  explicit HttpClient(Handler* handler);
  Status InitSlot(Slot* slot, const HttpClientOptions& options);
  void OnDone(CURL* easy, CURLcode code);
  void Release(Slot* slot);

  Handler* handler_;
  std::unique_ptr<CurlMultiUv> multi_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> free_;
  curl_slist* headers_ = nullptr;  // Shared by every slot.
};

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SRC_HTTP_CLIENT_H_

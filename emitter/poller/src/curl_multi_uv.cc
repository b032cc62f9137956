#include "curl_multi_uv.h"

#include <fmt/format.h>

#include <mutex>
#include <vector>

namespace sonde::poller {

struct CurlMultiUv::Handle {
  union {
    uv_handle_t handle;
    uv_poll_t poll;
    uv_timer_t timer;
  } u;
  CurlMultiUv* owner = nullptr;  // Null once the owner is destroyed.
  curl_socket_t fd = CURL_SOCKET_BAD;
  bool closing = false;
};

namespace {

Status CurlGlobalInit() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK) {
    return Status::IOError(fmt::format("curl_global_init: {}", curl_easy_strerror(rc)));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<CurlMultiUv>> CurlMultiUv::Create(uv_loop_t* loop, long max_connects,
                                                         DoneFn on_done) {
  SONDE_RETURN_IF_ERROR(CurlGlobalInit());
  std::unique_ptr<CurlMultiUv> m(new CurlMultiUv(loop, std::move(on_done)));
  m->multi_ = curl_multi_init();
  if (m->multi_ == nullptr) return Status::IOError("curl_multi_init failed");
  auto* timer = new Handle;
  int rc = uv_timer_init(loop, &timer->u.timer);
  if (rc < 0) {
    delete timer;
    return Status::IOError(fmt::format("uv_timer_init: {}", uv_err_name(rc)));
  }
  timer->owner = m.get();
  timer->u.timer.data = timer;
  m->timer_ = timer;
  m->live_.insert(timer);
  ++m->open_handles_;
  CURLM* multi = m->multi_;
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlMultiUv::OnSocket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, m.get());
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlMultiUv::OnTimer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, m.get());
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, max_connects);
  return m;
}

CurlMultiUv::~CurlMultiUv() {
  if (multi_ != nullptr) {
    in_cleanup_ = true;
    curl_multi_cleanup(multi_);  // May call OnSocket(REMOVE) for cached connections.
    multi_ = nullptr;
  }
  for (Handle* h : live_) {
    h->owner = nullptr;  // Its close callback only frees it now.
    if (!h->closing) {
      h->closing = true;
      uv_close(&h->u.handle, &CurlMultiUv::OnUvClosed);
    }
  }
}

Status CurlMultiUv::Add(CURL* easy) {
  if (closing_ || multi_ == nullptr) return Status::IOError("curl multi is closed");
  CURLMcode rc = curl_multi_add_handle(multi_, easy);
  if (rc != CURLM_OK) {
    return Status::IOError(fmt::format("curl_multi_add_handle: {}", curl_multi_strerror(rc)));
  }
  return Status::OK();
}

void CurlMultiUv::Remove(CURL* easy) {
  if (multi_ != nullptr) curl_multi_remove_handle(multi_, easy);
}

void CurlMultiUv::Close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  on_closed_ = std::move(on_closed);
  if (multi_ != nullptr) {
    in_cleanup_ = true;
    curl_multi_cleanup(multi_);
    multi_ = nullptr;
    in_cleanup_ = false;
  }
  // Whatever curl did not remove itself (it should have) is closed here.
  std::vector<Handle*> open;
  for (Handle* h : live_) {
    if (!h->closing) open.push_back(h);
  }
  for (Handle* h : open) CloseHandle(h);
}

int CurlMultiUv::OnSocket(CURL*, curl_socket_t s, int what, void* userp, void* socketp) {
  auto* self = static_cast<CurlMultiUv*>(userp);
  auto* h = static_cast<Handle*>(socketp);
  if (what == CURL_POLL_REMOVE) {
    if (h != nullptr) self->Unwatch(s, h);
  } else {
    self->Watch(s, what, h);
  }
  // Never -1: curl would abort every transfer. A socket we cannot watch
  // only costs its own transfer, which then times out.
  return 0;
}

void CurlMultiUv::Watch(curl_socket_t s, int what, Handle* h) {
  if (h == nullptr) {
    if (closing_) return;
    h = new Handle;
    int rc = uv_poll_init_socket(loop_, &h->u.poll, s);
    if (rc < 0) {
      delete h;
      ++stats_.watch_failures;
      return;
    }
    h->owner = this;
    h->fd = s;
    h->u.poll.data = h;
    live_.insert(h);
    ++open_handles_;
    ++stats_.sockets_watched;
    curl_multi_assign(multi_, s, h);
  }
  int events = 0;
  if (what & CURL_POLL_IN) events |= UV_READABLE;
  if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
  if (uv_poll_start(&h->u.poll, events, &CurlMultiUv::OnUvPoll) < 0) ++stats_.watch_failures;
}

void CurlMultiUv::Unwatch(curl_socket_t s, Handle* h) {
  // Forget the handle before curl closes the fd: a new socket reusing the
  // number must start from a null socketp and get its own uv_poll.
  if (!in_cleanup_ && multi_ != nullptr) curl_multi_assign(multi_, s, nullptr);
  if (!h->closing) CloseHandle(h);
}

void CurlMultiUv::CloseHandle(Handle* h) {
  h->closing = true;
  // uv_close stops the poll (or timer) and drops the fd from epoll now,
  // while the fd is still curl's; only the memory waits for OnUvClosed.
  uv_close(&h->u.handle, &CurlMultiUv::OnUvClosed);
}

void CurlMultiUv::OnUvClosed(uv_handle_t* handle) {
  auto* h = static_cast<Handle*>(handle->data);
  CurlMultiUv* owner = h->owner;
  if (owner != nullptr) {
    owner->live_.erase(h);
    if (owner->timer_ == h) owner->timer_ = nullptr;
  }
  const bool is_poll = handle->type == UV_POLL;
  delete h;
  if (owner == nullptr) return;
  if (is_poll) ++owner->stats_.sockets_closed;
  owner->HandleClosed();
}

void CurlMultiUv::HandleClosed() {
  --open_handles_;
  if (closing_ && open_handles_ == 0 && on_closed_) {
    auto done = std::move(on_closed_);
    on_closed_ = nullptr;
    done();  // May destroy this; touch nothing afterwards.
  }
}

int CurlMultiUv::OnTimer(CURLM*, long timeout_ms, void* userp) {
  auto* self = static_cast<CurlMultiUv*>(userp);
  Handle* t = self->timer_;
  if (t == nullptr || t->closing) return 0;
  if (timeout_ms < 0) {
    uv_timer_stop(&t->u.timer);
  } else {
    // 0 means "as soon as possible": the next loop iteration, never from
    // inside this callback (curl forbids re-entering socket_action here).
    uv_timer_start(&t->u.timer, &CurlMultiUv::OnUvTimer, static_cast<uint64_t>(timeout_ms), 0);
  }
  return 0;
}

void CurlMultiUv::OnUvTimer(uv_timer_t* timer) {
  auto* h = static_cast<Handle*>(timer->data);
  CurlMultiUv* self = h->owner;
  ++self->stats_.timer_callbacks;
  self->Action(CURL_SOCKET_TIMEOUT, 0);
}

void CurlMultiUv::OnUvPoll(uv_poll_t* poll, int status, int events) {
  auto* h = static_cast<Handle*>(poll->data);
  CurlMultiUv* self = h->owner;
  ++self->stats_.poll_callbacks;
  int flags = 0;
  if (status < 0) {
    ++self->stats_.poll_errors;
    flags = CURL_CSELECT_ERR;
  } else {
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  }
  self->Action(h->fd, flags);  // h may be closing after this; it is not touched again.
}

void CurlMultiUv::Action(curl_socket_t s, int flags) {
  if (closing_ || multi_ == nullptr) return;
  int running = 0;
  curl_multi_socket_action(multi_, s, flags, &running);
  ReadCompletions();
}

void CurlMultiUv::ReadCompletions() {
  int left = 0;
  while (!closing_ && multi_ != nullptr) {
    CURLMsg* msg = curl_multi_info_read(multi_, &left);
    if (msg == nullptr) break;
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode result = msg->data.result;
    curl_multi_remove_handle(multi_, easy);  // msg is invalid from here on.
    ++stats_.completions;
    on_done_(easy, result);
  }
}

}  // namespace sonde::poller

#include "curl_multi_uv.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

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
  bool watching = false;  // Counted in sockets_watched and not yet in sockets_closed.
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

Status CurlMultiUv::Prepare(CURL* easy) {
  const bool ok =
      curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &CurlMultiUv::OnOpenSocket) == CURLE_OK &&
      curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this) == CURLE_OK &&
      curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMultiUv::OnCloseSocket) ==
          CURLE_OK &&
      curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this) == CURLE_OK;
  if (!ok) return Status::IOError("curl refused the socket callbacks");
  return Status::OK();
}

curl_socket_t CurlMultiUv::OnOpenSocket(void* clientp, curlsocktype, curl_sockaddr* address) {
  auto* self = static_cast<CurlMultiUv*>(clientp);
  const int fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  // A callback must not throw into curl: without room to remember the
  // socket it is simply never parked.
  try {
    if (static_cast<size_t>(fd) >= self->opened_.size()) self->opened_.resize(fd + 1, false);
    self->opened_[fd] = true;
  } catch (const std::bad_alloc&) {
  }
  return fd;
}

int CurlMultiUv::OnCloseSocket(void* clientp, curl_socket_t s) {
  auto* self = static_cast<CurlMultiUv*>(clientp);
  // curl has already sent REMOVE for the socket: close its parked handle
  // while the fd is still ours, so that epoll forgets the right file.
  if (Handle* h = self->TakeParked(s)) self->CloseHandle(h);
  if (self->Opened(s)) self->opened_[s] = false;
  return close(s);
}

CurlMultiUv::Handle* CurlMultiUv::TakeParked(curl_socket_t s) {
  if (s < 0 || static_cast<size_t>(s) >= parked_.size()) return nullptr;
  Handle* h = parked_[s];
  parked_[s] = nullptr;
  return h;
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
    h = TakeParked(s);
    if (h == nullptr) {
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
      ++stats_.polls_opened;
    }
    h->watching = true;
    ++stats_.sockets_watched;
    curl_multi_assign(multi_, s, h);
  }
  int events = 0;
  if (what & CURL_POLL_IN) events |= UV_READABLE;
  if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
  if (uv_poll_start(&h->u.poll, events, &CurlMultiUv::OnUvPoll) < 0) ++stats_.watch_failures;
}

void CurlMultiUv::Unwatch(curl_socket_t s, Handle* h) {
  // Forget the handle: when curl watches this socket again (a reused
  // connection) it starts from a null socketp and takes the parked handle.
  if (!in_cleanup_ && multi_ != nullptr) curl_multi_assign(multi_, s, nullptr);
  if (h->closing) return;
  // Park only sockets whose close we hear of (OnCloseSocket); curl closes
  // others (a resolver's socketpair) behind our back.
  if (!closing_ && !in_cleanup_ && Opened(s)) {
    try {
      if (static_cast<size_t>(s) >= parked_.size()) parked_.resize(s + 1, nullptr);
    } catch (const std::bad_alloc&) {
      CloseHandle(h);
      return;
    }
    if (parked_[s] == nullptr) {
      uv_poll_stop(&h->u.poll);
      h->watching = false;
      ++stats_.sockets_closed;
      parked_[s] = h;
      return;
    }
  }
  CloseHandle(h);
}

void CurlMultiUv::CloseHandle(Handle* h) {
  if (h->watching) {
    h->watching = false;
    ++stats_.sockets_closed;
  }
  if (h->fd >= 0 && static_cast<size_t>(h->fd) < parked_.size() && parked_[h->fd] == h) {
    parked_[h->fd] = nullptr;
  }
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
  delete h;
  if (owner == nullptr) return;
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

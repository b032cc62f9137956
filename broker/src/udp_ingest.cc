#include "udp_ingest.h"

#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "sonde/uv_loop.h"
#include "udp_kernel_drops.h"

namespace sonde::broker {

namespace {

// recvmmsg calls per readable event at most, so that PULL, the timers and
// Stop() get their turn under a flood (the poll is level-triggered: what is
// left wakes it again at once).
constexpr int kMaxBurstsPerWakeup = 16;

}  // namespace

UdpIngest::UdpIngest(uv_loop_t* loop, Relay* relay, BrokerMetrics* metrics, spdlog::logger* log)
    : loop_(loop), relay_(relay), metrics_(metrics), log_(log) {}

UdpIngest::~UdpIngest() {
  if (fd_ >= 0) ::close(fd_);
}

Status UdpIngest::Bind(const SocketAddress& address, int rcvbuf_bytes) {
  fd_ = ::socket(address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return UvStatus(-errno, "socket");
  const std::string where = "cannot bind UDP " + address.ToString();
  if (::bind(fd_, address.get(), address.length) != 0) return UvStatus(-errno, where);
  bound_ = true;
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return UvStatus(-errno, "getsockname");
  }
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  inode_ = SocketInode(fd_);
  SetReceiveBuffer(rcvbuf_bytes);
  buffer_ = std::make_unique<char[]>(kSlots * kSlotBytes);
  messages_ = std::make_unique<mmsghdr[]>(kSlots);
  iovecs_ = std::make_unique<iovec[]>(kSlots);
  peers_ = std::make_unique<sockaddr_storage[]>(kSlots);
  for (size_t i = 0; i < kSlots; ++i) iovecs_[i] = {buffer_.get() + i * kSlotBytes, kSlotBytes};
  return Status::OK();
}

void UdpIngest::SetReceiveBuffer(int rcvbuf_bytes) {
  if (rcvbuf_bytes > 0) {
    // SO_RCVBUFFORCE passes net.core.rmem_max when the process may
    // (CAP_NET_ADMIN); otherwise SO_RCVBUF gets what the limit allows.
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf_bytes, sizeof rcvbuf_bytes) != 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes, sizeof rcvbuf_bytes);
    }
  }
  int granted = 0;
  socklen_t size = sizeof granted;
  getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &granted, &size);
  metrics_->udp_rcvbuf_bytes->Set(granted);
  // Linux reports twice the usable size (it counts bookkeeping overhead).
  if (rcvbuf_bytes > 0 && granted < rcvbuf_bytes) {
    log_->warn("event=udp_rcvbuf requested={} granted={} hint=raise net.core.rmem_max",
               rcvbuf_bytes, granted);
  } else {
    log_->info("event=udp_rcvbuf requested={} granted={}", rcvbuf_bytes, granted);
  }
}

Status UdpIngest::Start() {
  int rc = uv_poll_init_socket(loop_, &poll_, fd_);
  if (rc != 0) return UvStatus(rc, "uv_poll_init_socket");
  poll_.data = this;
  polling_ = true;
  rc = uv_poll_start(&poll_, UV_READABLE, OnReadable);
  return rc == 0 ? Status::OK() : UvStatus(rc, "uv_poll_start");
}

void UdpIngest::OnReadable(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<UdpIngest*>(handle->data);
  if (status < 0) {
    self->metrics_->udp_receive_errors->Inc();
    self->log_->error("event=udp_receive_error error={}", uv_strerror(status));
    return;
  }
  // A short read means the queue is (nearly) empty: stop before paying for
  // a call that would only say EAGAIN.
  for (int i = 0; i < kMaxBurstsPerWakeup; ++i) {
    if (self->ReadBurst() < static_cast<int>(kSlots)) break;
  }
}

int UdpIngest::ReadBurst() {
  for (size_t i = 0; i < kSlots; ++i) {
    msghdr& h = messages_[i].msg_hdr;
    h = msghdr{};
    h.msg_name = &peers_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &iovecs_[i];
    h.msg_iovlen = 1;
  }
  const int n = recvmmsg(fd_, messages_.get(), kSlots, MSG_DONTWAIT, nullptr);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      metrics_->udp_receive_errors->Inc();
      log_->error("event=udp_receive_error error={}", uv_strerror(-errno));
    }
    return 0;
  }
  // An empty datagram (msg_len 0) is validated too, and counted as "empty".
  // A datagram cut short cannot happen with 64 KiB slots; if it did,
  // validation would reject it as truncated.
  for (int i = 0; i < n; ++i) {
    relay_->OnDatagram(std::string_view(buffer_.get() + i * kSlotBytes, messages_[i].msg_len),
                       reinterpret_cast<const sockaddr*>(&peers_[i]));
  }
  relay_->Flush();
  return n;
}

void UdpIngest::Close() {
  if (!polling_) return;
  polling_ = false;
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), [](uv_handle_t* handle) {
    auto* self = static_cast<UdpIngest*>(handle->data);
    ::close(self->fd_);
    self->fd_ = -1;
  });
}

}  // namespace sonde::broker

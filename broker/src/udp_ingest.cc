#include "udp_ingest.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include "sonde/uv_loop.h"
#include "udp_kernel_drops.h"

namespace sonde::broker {

namespace {

// libuv splits the buffer given to a recvmmsg read into 64 KiB slots (one
// datagram each, so none is ever truncated) and reads at most 20 of them
// per system call (UV__MMSG_MAXWIDTH in libuv 1.44).
constexpr size_t kSlotBytes = 64 * 1024;
constexpr size_t kSlots = 20;
constexpr size_t kBufferBytes = kSlotBytes * kSlots;

}  // namespace

UdpIngest::UdpIngest(uv_loop_t* loop, Relay* relay, BrokerMetrics* metrics, spdlog::logger* log)
    : loop_(loop), relay_(relay), metrics_(metrics), log_(log) {}

Status UdpIngest::Bind(const SocketAddress& address, int rcvbuf_bytes) {
  int rc = uv_udp_init_ex(loop_, &handle_, address.family() | UV_UDP_RECVMMSG);
  if (rc != 0) return UvStatus(rc, "uv_udp_init_ex");
  initialized_ = true;
  handle_.data = this;
  const std::string where = "cannot bind UDP " + address.ToString();
  if ((rc = uv_udp_bind(&handle_, address.get(), 0)) != 0) return UvStatus(rc, where);
  bound_ = true;
  sockaddr_storage bound{};
  int length = sizeof bound;
  if ((rc = uv_udp_getsockname(&handle_, reinterpret_cast<sockaddr*>(&bound), &length)) != 0) {
    return UvStatus(rc, "uv_udp_getsockname");
  }
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  uv_os_fd_t fd;
  if ((rc = uv_fileno(reinterpret_cast<uv_handle_t*>(&handle_), &fd)) != 0) {
    return UvStatus(rc, "uv_fileno");
  }
  inode_ = SocketInode(fd);
  SetReceiveBuffer(fd, rcvbuf_bytes);
  buffer_ = std::make_unique<char[]>(kBufferBytes);
  return Status::OK();
}

void UdpIngest::SetReceiveBuffer(int fd, int rcvbuf_bytes) {
  if (rcvbuf_bytes > 0) {
    // SO_RCVBUFFORCE passes net.core.rmem_max when the process may
    // (CAP_NET_ADMIN); otherwise SO_RCVBUF gets what the limit allows.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf_bytes, sizeof rcvbuf_bytes) != 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes, sizeof rcvbuf_bytes);
    }
  }
  int granted = 0;
  socklen_t size = sizeof granted;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &size);
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
  int rc = uv_udp_recv_start(&handle_, OnAlloc, OnRecv);
  return rc == 0 ? Status::OK() : UvStatus(rc, "uv_udp_recv_start");
}

void UdpIngest::OnAlloc(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buf) {
  auto* self = static_cast<UdpIngest*>(handle->data);
  *buf = uv_buf_init(self->buffer_.get(), kBufferBytes);
}

void UdpIngest::OnRecv(uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                       unsigned flags) {
  auto* self = static_cast<UdpIngest*>(handle->data);
  if (nread < 0) {
    self->metrics_->udp_receive_errors->Inc();
    self->log_->error("event=udp_receive_error error={}", uv_strerror(static_cast<int>(nread)));
    return;
  }
  // addr is null for "nothing more to read" and for the final call that
  // hands back the whole recvmmsg buffer (UV_UDP_MMSG_FREE); an empty
  // datagram has nread == 0 and a peer, and is validated (as "empty").
  if (addr == nullptr || (flags & UV_UDP_MMSG_FREE) != 0) return;
  // A datagram cut short (UV_UDP_PARTIAL) cannot happen with 64 KiB slots;
  // if it did, validation would reject it as truncated.
  self->relay_->OnDatagram(std::string_view(buf->base, static_cast<size_t>(nread)), addr);
}

void UdpIngest::Close() {
  if (!initialized_ || uv_is_closing(reinterpret_cast<uv_handle_t*>(&handle_))) return;
  uv_udp_recv_stop(&handle_);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), nullptr);
}

}  // namespace sonde::broker

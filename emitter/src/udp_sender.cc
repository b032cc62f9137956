#include "udp_sender.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstring>

namespace sonde {

Result<std::unique_ptr<UdpSender>> UdpSender::Open(const Endpoint& endpoint,
                                                   size_t max_message_bytes, SendStats* stats) {
  Result<SocketAddress> address = ResolveUdp(endpoint);
  if (!address) return address.error();
  int fd = socket(address->family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Status::IOError(std::string("udp socket for '") + endpoint.ToString() +
                           "': " + strerror(errno));
  }
  // Connecting fixes the peer once, so that each send skips the route lookup
  // and the kernel reports refusals (ICMP port unreachable) back to us.
  if (connect(fd, address->get(), address->length) != 0) {
    int err = errno;
    close(fd);
    return Status::IOError("connecting udp socket to '" + endpoint.ToString() +
                           "': " + strerror(err));
  }
  return std::unique_ptr<UdpSender>(
      new UdpSender(fd, endpoint.ToString(), max_message_bytes, stats));
}

UdpSender::UdpSender(int fd, std::string endpoint, size_t max_message_bytes, SendStats* stats)
    : fd_(fd),
      endpoint_(std::move(endpoint)),
      stats_(stats),
      slot_bytes_(max_message_bytes),
      max_pending_(
          static_cast<int>(std::clamp<size_t>(kMaxArenaBytes / max_message_bytes, 1, kMaxPending))),
      arena_(std::make_unique<char[]>(slot_bytes_ * max_pending_)) {
  for (int i = 0; i < max_pending_; ++i) {
    iov_[i].iov_base = arena_.get() + i * slot_bytes_;
    msgs_[i].msg_hdr.msg_iov = &iov_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
  }
}

UdpSender::~UdpSender() {
  if (fd_ >= 0) close(fd_);
}

void UdpSender::Send(std::string_view message, uint32_t samples, SendDeadline deadline) {
  assert(message.size() <= slot_bytes_);
  std::memcpy(iov_[pending_].iov_base, message.data(), message.size());
  iov_[pending_].iov_len = message.size();
  samples_[pending_] = samples;
  if (++pending_ == max_pending_) SendPending(deadline);
}

void UdpSender::SendPending(SendDeadline deadline) {
  int done = 0;
  while (done < pending_) {
    int n = sendmmsg(fd_, msgs_ + done, pending_ - done, 0);
    if (n > 0) {
      for (int i = done; i < done + n; ++i) stats_->Sent(samples_[i]);
      done += n;
      continue;
    }
    int err = errno;
    if (err == EINTR) continue;
    if ((err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) && WaitWritable(deadline)) continue;
    // The first held datagram failed (a refusal, a full socket past the
    // deadline, no route): drop it and carry on with the rest.
    stats_->Failed(samples_[done], err);
    ++done;
  }
  pending_ = 0;
}

bool UdpSender::WaitWritable(SendDeadline deadline) const {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SendClock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLOUT, 0};
    int rc = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 60000)));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

void UdpSender::EndRound(SendDeadline deadline) {
  if (pending_ > 0) SendPending(deadline);
  // A refusal for a datagram already sent arrives as a pending socket error;
  // reading it here, once per round, keeps it from failing the next send.
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0) stats_->Error(err);
}

std::string UdpSender::DescribeError(int err) const {
  switch (err) {
    case ECONNREFUSED:
      return "connection refused: nothing is listening on " + endpoint_ +
             " (is sonde-broker running?)";
    case EAGAIN:
      return "the socket buffer stayed full sending to " + endpoint_;
    default:
      return std::string(strerror(err)) + " sending to " + endpoint_;
  }
}

void UdpSender::Close(SendDeadline deadline) {
  if (fd_ < 0) return;
  if (pending_ > 0) SendPending(deadline);
  close(fd_);
  fd_ = -1;
}

}  // namespace sonde

// Sends messages as datagrams on a non-blocking, connected UDP socket,
// several per sendmmsg() call. Refusals (ECONNREFUSED, when nothing listens
// on the port) and full socket buffers are counted, never fatal.
//
// Thread-safety: used by the emitter's sender thread only.
#ifndef SONDE_EMITTER_SRC_UDP_SENDER_H_
#define SONDE_EMITTER_SRC_UDP_SENDER_H_

#include <sys/socket.h>
#include <sys/uio.h>

#include <memory>
#include <string>
#include <string_view>

#include "sender.h"
#include "sonde/endpoint.h"
#include "sonde/status.h"

namespace sonde {

class UdpSender final : public Sender {
 public:
  // Resolves `endpoint` and connects a UDP socket to it. Returns NotFound
  // when the host does not resolve, IOError when the socket cannot be made.
  // `stats` must outlive the sender.
  static Result<std::unique_ptr<UdpSender>> Open(const Endpoint& endpoint, size_t max_message_bytes,
                                                 SendStats* stats);
  ~UdpSender() override;

  void Send(std::string_view message, uint32_t samples, SendDeadline deadline) override;
  void EndRound(SendDeadline deadline) override;
  std::string DescribeError(int err) const override;
  void Close(SendDeadline deadline) override;

 private:
  // Datagrams held for one sendmmsg() call, and the arena holding their bytes.
  static constexpr int kMaxPending = 32;
  static constexpr size_t kMaxArenaBytes = 256 * 1024;

  UdpSender(int fd, std::string endpoint, size_t max_message_bytes, SendStats* stats);
  // Sends the held datagrams, retrying a full socket until `deadline`.
  void SendPending(SendDeadline deadline);
  // Waits for the socket to become writable; false once `deadline` passes.
  bool WaitWritable(SendDeadline deadline) const;

  int fd_;
  const std::string endpoint_;
  SendStats* const stats_;
  const size_t slot_bytes_;
  const int max_pending_;
  std::unique_ptr<char[]> arena_;
  mmsghdr msgs_[kMaxPending] = {};
  iovec iov_[kMaxPending] = {};
  uint32_t samples_[kMaxPending] = {};
  int pending_ = 0;
};

}  // namespace sonde

#endif  // SONDE_EMITTER_SRC_UDP_SENDER_H_

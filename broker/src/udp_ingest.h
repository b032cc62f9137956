// UDP ingest: one message per datagram, read with recvmmsg (libuv's
// UV_UDP_RECVMMSG) into one buffer allocated once, handed to the Relay.
// The adapter for libuv's UDP handle: libuv errors become Status here.
//
// Thread-safety: used by the loop thread only.
#ifndef SONDE_BROKER_UDP_INGEST_H_
#define SONDE_BROKER_UDP_INGEST_H_

#include <spdlog/logger.h>
#include <uv.h>

#include <cstdint>
#include <memory>

#include "broker_metrics.h"
#include "relay.h"
#include "sonde/endpoint.h"
#include "sonde/status.h"

namespace sonde::broker {

class UdpIngest {
 public:
  // Nothing is owned; everything must outlive the UdpIngest.
  UdpIngest(uv_loop_t* loop, Relay* relay, BrokerMetrics* metrics, spdlog::logger* log);
  UdpIngest(const UdpIngest&) = delete;
  UdpIngest& operator=(const UdpIngest&) = delete;

  // Binds `address` and asks for a receive buffer of `rcvbuf_bytes` (0:
  // the kernel's default), logging what the kernel granted. Returns IOError
  // naming the address when the bind fails.
  // REQUIRES: called once, before Start().
  Status Bind(const SocketAddress& address, int rcvbuf_bytes);

  // Starts reading. Returns IOError when libuv refuses.
  Status Start();

  // Stops reading and closes the handle; the loop finishes closing it (the
  // object must outlive that: run the loop until it returns). No effect
  // when never initialized or already closing.
  void Close();

  bool bound() const { return bound_; }
  int port() const { return port_; }
  // The socket's inode (for kernel drop counts); 0 when unknown.
  uint64_t inode() const { return inode_; }

 private:
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRecv(uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                     unsigned flags);
  void SetReceiveBuffer(int fd, int rcvbuf_bytes);

  uv_loop_t* loop_;
  Relay* relay_;
  BrokerMetrics* metrics_;
  spdlog::logger* log_;
  uv_udp_t handle_;
  bool initialized_ = false;
  bool bound_ = false;
  int port_ = 0;
  uint64_t inode_ = 0;
  std::unique_ptr<char[]> buffer_;  // kBufferBytes, for every recvmmsg call.
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_UDP_INGEST_H_

// UDP ingest: one message per datagram, read with our own recvmmsg calls
// (kSlots datagrams of up to 64 KiB per system call, into one buffer
// allocated once) when a uv_poll handle says the socket is readable, and
// handed to the Relay; each recvmmsg call is one burst, ended with
// Relay::Flush(). libuv's UDP handle reads at most 20 datagrams per call;
// a wider call cuts the per-call cost at millions of datagrams per second.
// Socket and libuv errors become Status here.
//
// Thread-safety: used by the loop thread only.
#ifndef SONDE_BROKER_UDP_INGEST_H_
#define SONDE_BROKER_UDP_INGEST_H_

#include <spdlog/logger.h>
#include <sys/socket.h>
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
  ~UdpIngest();  // Closes the socket if Close() never ran.
  UdpIngest(const UdpIngest&) = delete;
  UdpIngest& operator=(const UdpIngest&) = delete;

  // Binds `address` and asks for a receive buffer of `rcvbuf_bytes` (0:
  // the kernel's default), logging what the kernel granted. Returns IOError
  // naming the address when the bind fails.
  // REQUIRES: called once, before Start().
  Status Bind(const SocketAddress& address, int rcvbuf_bytes);

  // Starts reading. Returns IOError when libuv refuses.
  Status Start();

  // Stops reading and closes the handle, then the socket; the loop finishes
  // closing them (the object must outlive that: run the loop until it
  // returns). No effect when never bound or already closing.
  void Close();

  bool bound() const { return bound_; }
  int port() const { return port_; }
  // The socket's inode (for kernel drop counts); 0 when unknown.
  uint64_t inode() const { return inode_; }

 private:
  static constexpr size_t kSlotBytes = 64 * 1024;  // A datagram is never cut.
  static constexpr size_t kSlots = 64;

  static void OnReadable(uv_poll_t* handle, int status, int events);
  // One recvmmsg call and its burst; returns the datagrams read (0: none
  // waiting, or an error, counted and logged).
  int ReadBurst();
  void SetReceiveBuffer(int rcvbuf_bytes);

  uv_loop_t* loop_;
  Relay* relay_;
  BrokerMetrics* metrics_;
  spdlog::logger* log_;
  int fd_ = -1;
  uv_poll_t poll_;
  bool polling_ = false;  // poll_ is initialized and not yet closing.
  bool bound_ = false;
  int port_ = 0;
  uint64_t inode_ = 0;
  std::unique_ptr<char[]> buffer_;  // kSlots * kSlotBytes.
  std::unique_ptr<mmsghdr[]> messages_;
  std::unique_ptr<iovec[]> iovecs_;
  std::unique_ptr<sockaddr_storage[]> peers_;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_UDP_INGEST_H_

// Kernel-side UDP drops for one socket. Linux reports SO_RXQ_OVFL only
// through recvmsg control messages, which libuv's recvmmsg path does not
// expose; /proc/net/udp{,6} carries the same per-socket count in its last
// column. Reading it costs a file scan, so the broker reads it on its stats
// timer, never per datagram.
#ifndef SONDE_BROKER_UDP_KERNEL_DROPS_H_
#define SONDE_BROKER_UDP_KERNEL_DROPS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sonde/status.h"

namespace sonde::broker {

// The inode of socket `fd`, which names it in /proc/net/udp; 0 on error.
uint64_t SocketInode(int fd);

// The drops column of the socket with `inode`, from `proc_net_dir`/udp or
// /udp6. NotFound when no line has that inode; IOError when neither file
// can be read.
Result<uint64_t> ReadUdpKernelDrops(uint64_t inode,
                                    const std::string& proc_net_dir = "/proc/self/net");

// Parses one file's text (exposed for tests). NotFound when absent.
Result<uint64_t> ParseUdpKernelDrops(std::string_view table, uint64_t inode);

}  // namespace sonde::broker

#endif  // SONDE_BROKER_UDP_KERNEL_DROPS_H_

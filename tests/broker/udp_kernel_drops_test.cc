// Kernel UDP drops read from /proc/net/udp: the parser on a fixed table, and
// a real socket made to overflow.
#include "udp_kernel_drops.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace sonde::broker {
namespace {

constexpr char kTable[] =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode ref pointer drops            \n"
    "  135: 0100007F:1E14 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        "
    "0 4242 2 0000000000000000 17     \n"
    "  200: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        "
    "0 99 2 0000000000000000 0      \n";

TEST(UdpKernelDrops, ParsesTheDropsColumnOfTheSocketsLine) {
  Result<uint64_t> drops = ParseUdpKernelDrops(kTable, 4242);
  ASSERT_TRUE(drops.has_value()) << drops.error().ToString();
  EXPECT_EQ(*drops, 17u);
  drops = ParseUdpKernelDrops(kTable, 99);
  ASSERT_TRUE(drops.has_value());
  EXPECT_EQ(*drops, 0u);
}

TEST(UdpKernelDrops, UnknownInodeOrGarbageIsNotFound) {
  EXPECT_TRUE(ParseUdpKernelDrops(kTable, 7).error().IsNotFound());
  EXPECT_TRUE(ParseUdpKernelDrops("", 7).error().IsNotFound());
  EXPECT_TRUE(ParseUdpKernelDrops("1 2 3\n\n 4242", 4242).error().IsNotFound());
}

TEST(UdpKernelDrops, CountsWhatARealSocketDropped) {
  int rx = socket(AF_INET, SOCK_DGRAM, 0);
  int tx = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(rx, 0);
  int small = 1;  // The kernel rounds this up to its minimum.
  ASSERT_EQ(setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(rx, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  const uint64_t inode = SocketInode(rx);
  ASSERT_NE(inode, 0u);
  Result<uint64_t> before = ReadUdpKernelDrops(inode);
  ASSERT_TRUE(before.has_value()) << before.error().ToString();
  EXPECT_EQ(*before, 0u);
  // Loopback delivers synchronously: once sendto returns, a datagram that
  // did not fit is already counted.
  const std::string datagram(1000, 'x');
  for (int i = 0; i < 200; ++i) {
    sendto(tx, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&addr), len);
  }
  Result<uint64_t> after = ReadUdpKernelDrops(inode);
  ASSERT_TRUE(after.has_value()) << after.error().ToString();
  EXPECT_GT(*after, 100u);
  close(rx);
  close(tx);
}

}  // namespace
}  // namespace sonde::broker

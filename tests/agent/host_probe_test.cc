// The host probes: exact readings from a fake /proc tree (rewritten in place,
// as the kernel does, so that the probes' open files see the new text),
// rejected malformed files, and readings of the real /proc checked against
// the kernel's own figures taken at the same moment.
#include "sonde/host_probe.h"

#include <gtest/gtest.h>
#include <sys/statfs.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fake_sink.h"
#include "testutil/testutil.h"

namespace sonde::agent {
namespace {

using sonde::agent::testing::FakeSink;
using sonde::testing::TempDir;

constexpr int64_t kSecond = 1'000'000'000;

// A fake root with proc/ inside.
class FakeRoot {
 public:
  FakeRoot() { std::filesystem::create_directories(dir_.path() + "/proc/net"); }
  const std::string& path() const { return dir_.path(); }
  // Rewrites the file in place (same inode), as /proc files change.
  void Write(const std::string& relative, const std::string& text) const {
    std::ofstream out(dir_.path() + "/" + relative, std::ios::trunc);
    out << text;
  }

 private:
  TempDir dir_;
};

std::unique_ptr<HostProbe> Must(Result<std::unique_ptr<HostProbe>> probe) {
  EXPECT_TRUE(probe) << probe.status().ToString();
  return probe ? std::move(*probe) : nullptr;
}

TEST(CpuProbe, FirstReadingOnlyPrimes) {
  FakeRoot root;
  root.Write("proc/stat", "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 100 0 100 700 100 0 0 0\n");
  auto probe = Must(OpenCpuProbe(root.path()));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  EXPECT_TRUE(sink.readings.empty());
}

TEST(CpuProbe, BusyPercentTotalAndPerCore) {
  FakeRoot root;
  root.Write("proc/stat",
             "cpu  100 0 100 700 100 0 0 0 0 0\n"
             "cpu0 50 0 50 350 50 0 0 0 0 0\n"
             "cpu1 50 0 50 350 50 0 0 0 0 0\n"
             "intr 12345 0 0\nctxt 999\n");
  auto probe = Must(OpenCpuProbe(root.path()));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  // Total: busy 200 -> 400 of 1000 -> 2000 ticks: 20 %. iowait counts as idle.
  // cpu0: busy 100 -> 250 of 500 -> 1000: 30 %. cpu1: only idle and iowait grew: 0 %.
  root.Write("proc/stat",
             "cpu  200 0 200 1300 300 0 0 0 0 0\n"
             "cpu0 150 0 100 650 100 0 0 0 0 0\n"
             "cpu1 50 0 50 650 250 0 0 0 0 0\n"
             "intr 12345 0 0\nctxt 999\n");
  ASSERT_TRUE(probe->Sample(kSecond, &sink).ok());
  EXPECT_EQ(sink.Find("cpu"), 20.0);
  EXPECT_EQ(sink.Find("cpu.core", "core", "0"), 30.0);
  EXPECT_EQ(sink.Find("cpu.core", "core", "1"), 0.0);
  EXPECT_EQ(sink.readings.size(), 3u);
}

TEST(CpuProbe, StealAndIrqCountAsBusyGuestIsNotCountedTwice) {
  FakeRoot root;
  root.Write("proc/stat", "cpu  0 0 0 0 0 0 0 0 0 0\n");
  auto probe = Must(OpenCpuProbe(root.path(), /*per_core=*/false));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  // user 40 + irq 10 + softirq 10 + steal 20 = 80 busy of 140; guest 40 is
  // already inside user, so it is not added again.
  root.Write("proc/stat", "cpu  40 0 0 60 0 10 10 20 40 0\n");
  ASSERT_TRUE(probe->Sample(kSecond, &sink).ok());
  EXPECT_DOUBLE_EQ(*sink.Find("cpu"), 100.0 * 80 / 140);
  EXPECT_EQ(sink.Count("cpu.core"), 0u);
}

TEST(CpuProbe, RejectsMalformedStat) {
  for (const char* text : {"cpu  1 2 x 4\n", "cpu  1 2\n", "intr 1 2 3\n", "", "cpuX 1 2 3 4\n"}) {
    FakeRoot root;
    root.Write("proc/stat", text);
    auto probe = Must(OpenCpuProbe(root.path()));
    FakeSink sink;
    Status s = probe->Sample(0, &sink);
    EXPECT_TRUE(s.IsCorruption()) << "'" << text << "': " << s.ToString();
  }
}

TEST(HostProbes, OpenFailsOnMissingFileNamingIt) {
  TempDir empty;
  Result<std::unique_ptr<HostProbe>> probe = OpenCpuProbe(empty.path());
  ASSERT_FALSE(probe);
  EXPECT_TRUE(probe.error().IsIOError());
  EXPECT_NE(probe.error().message().find("proc/stat"), std::string::npos);
}

TEST(MemoryProbe, UsedIsTotalMinusAvailable) {
  FakeRoot root;
  root.Write("proc/meminfo",
             "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n"
             "Buffers:          50 kB\nCached:          300 kB\n");
  auto probe = Must(OpenMemoryProbe(root.path()));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  EXPECT_EQ(sink.Find("mem"), 75.0);
  EXPECT_EQ(sink.Find("mem.used_bytes"), 750.0 * 1024);
  EXPECT_EQ(sink.Find("mem.total_bytes"), 1000.0 * 1024);
}

TEST(MemoryProbe, WithoutMemAvailableUsesFreeBuffersCached) {
  FakeRoot root;
  root.Write("proc/meminfo",
             "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");
  auto probe = Must(OpenMemoryProbe(root.path()));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  EXPECT_EQ(sink.Find("mem"), 60.0);
}

TEST(MemoryProbe, RejectsMeminfoWithoutTotal) {
  FakeRoot root;
  root.Write("proc/meminfo", "MemFree: 100 kB\n");
  auto probe = Must(OpenMemoryProbe(root.path()));
  FakeSink sink;
  EXPECT_TRUE(probe->Sample(0, &sink).IsCorruption());
  EXPECT_TRUE(sink.readings.empty());
}

TEST(LoadProbe, ReadsThreeAverages) {
  FakeRoot root;
  root.Write("proc/loadavg", "0.52 1.58 12.00 1/467 12345\n");
  auto probe = Must(OpenLoadProbe(root.path()));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  EXPECT_EQ(sink.Find("load.1"), 0.52);
  EXPECT_EQ(sink.Find("load.5"), 1.58);
  EXPECT_EQ(sink.Find("load.15"), 12.0);
  root.Write("proc/loadavg", "0.52 x\n");
  EXPECT_TRUE(probe->Sample(0, &sink).IsCorruption());
}

TEST(NetworkProbe, BytesPerSecondPerInterfaceWithoutLoopback) {
  FakeRoot root;
  const std::string header =
      "Inter-|   Receive                            |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes ...\n";
  root.Write("proc/net/dev", header +
                                 "    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n"
                                 "  eth0: 1000 5 0 0 0 0 0 0 500 3 0 0 0 0 0 0\n");
  auto probe = Must(OpenNetworkProbe(root.path()));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  EXPECT_TRUE(sink.readings.empty());
  root.Write("proc/net/dev", header +
                                 "    lo: 900 1 0 0 0 0 0 0 900 1 0 0 0 0 0 0\n"
                                 "  eth0: 3000 5 0 0 0 0 0 0 1500 3 0 0 0 0 0 0\n"
                                 "  eth1: 10 1 0 0 0 0 0 0 10 1 0 0 0 0 0 0\n");
  ASSERT_TRUE(probe->Sample(2 * kSecond, &sink).ok());
  EXPECT_EQ(sink.Find("net.rx_bytes_per_s", "iface", "eth0"), 1000.0);
  EXPECT_EQ(sink.Find("net.tx_bytes_per_s", "iface", "eth0"), 500.0);
  EXPECT_EQ(sink.readings.size(), 2u);  // No lo; eth1 is new, so no rate yet.
  // A counter that went back (interface re-created) restarts the rate.
  sink.readings.clear();
  root.Write("proc/net/dev", header + "  eth0: 10 5 0 0 0 0 0 0 10 3 0 0 0 0 0 0\n");
  ASSERT_TRUE(probe->Sample(3 * kSecond, &sink).ok());
  EXPECT_TRUE(sink.readings.empty());
  root.Write("proc/net/dev", header + "  eth0: 1 2\n");
  EXPECT_TRUE(probe->Sample(4 * kSecond, &sink).IsCorruption());
}

TEST(DiskProbe, LocalFilesystemsOnlyWithDfUsedPercent) {
  FakeRoot root;
  std::filesystem::create_directories(root.path() + "/data dir");
  root.Write("proc/mounts",
             "/dev/sda1 / ext4 rw,relatime 0 0\n"
             "proc /proc proc rw 0 0\n"
             "tmpfs /run tmpfs rw 0 0\n"
             "server:/export /mnt/nfs nfs4 rw 0 0\n"
             "/dev/sdb1 /data\\040dir xfs rw 0 0\n"
             "/dev/sdc1 /gone ext4 rw 0 0\n");
  auto probe = Must(OpenDiskProbe(root.path()));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  EXPECT_EQ(sink.Count("disk.used_pct"), 2u);  // "/" and "/data dir"; /gone does not exist.
  struct statfs st {};
  ASSERT_EQ(statfs(root.path().c_str(), &st), 0);
  const double used = static_cast<double>(st.f_blocks - st.f_bfree);
  const double expected = 100.0 * used / (used + static_cast<double>(st.f_bavail));
  ASSERT_TRUE(sink.Find("disk.used_pct", "mount", "/"));
  EXPECT_NEAR(*sink.Find("disk.used_pct", "mount", "/"), expected, 0.5);
  EXPECT_TRUE(sink.Find("disk.used_pct", "mount", "/data dir"));
  EXPECT_TRUE(sink.Find("disk.free_bytes", "mount", "/"));
}

TEST(DiskProbe, SkipsPseudoAndNetworkTypes) {
  for (const char* type : {"proc", "sysfs", "tmpfs", "cgroup2", "squashfs", "nfs", "cifs",
                           "fuse.sshfs", "devtmpfs", "overlay_not"}) {
    EXPECT_EQ(IsSkippedFilesystem(type), std::string_view(type) != "overlay_not") << type;
  }
  for (const char* type : {"ext4", "xfs", "btrfs", "overlay", "zfs", "vfat"}) {
    EXPECT_FALSE(IsSkippedFilesystem(type)) << type;
  }
}

// The real /proc: memory % against /proc/meminfo read at the same moment.
TEST(RealProc, MemoryMatchesMeminfo) {
  auto probe = Must(OpenMemoryProbe("/"));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  std::ifstream in("/proc/meminfo");
  std::string key;
  double value = 0;
  std::string unit;
  double total = 0;
  double available = -1;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemTotal:") total = value;
    if (key == "MemAvailable:") available = value;
  }
  ASSERT_GT(total, 0);
  ASSERT_GE(available, 0);
  ASSERT_TRUE(sink.Find("mem"));
  EXPECT_NEAR(*sink.Find("mem"), 100.0 * (total - available) / total, 1.0);
  EXPECT_EQ(sink.Find("mem.total_bytes"), total * 1024);
}

TEST(RealProc, CpuCoresMatchStatAndPercentInRange) {
  auto probe = Must(OpenCpuProbe("/"));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  // Let the kernel's tick counters move (USER_HZ = 100: every 10 ms).
  ASSERT_TRUE(sonde::testing::WaitFor([&] {
    sink.readings.clear();
    return probe->Sample(0, &sink).ok() && sink.Find("cpu").has_value();
  }));
  const double cpu = *sink.Find("cpu");
  EXPECT_GE(cpu, 0.0);
  EXPECT_LE(cpu, 100.0);
  std::ifstream in("/proc/stat");
  std::string line;
  size_t cores = 0;
  while (std::getline(in, line)) cores += line.rfind("cpu", 0) == 0 && line[3] != ' ';
  EXPECT_LE(sink.Count("cpu.core"), cores);
}

TEST(RealProc, LoadMatchesLoadavg) {
  auto probe = Must(OpenLoadProbe("/"));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  std::ifstream in("/proc/loadavg");
  double l1 = 0, l5 = 0, l15 = 0;
  in >> l1 >> l5 >> l15;
  EXPECT_NEAR(*sink.Find("load.15"), l15, 0.05);
}

TEST(RealProc, RootFilesystemIsReported) {
  auto probe = Must(OpenDiskProbe("/"));
  FakeSink sink;
  ASSERT_TRUE(probe->Sample(0, &sink).ok());
  EXPECT_GE(sink.Count("disk.used_pct"), 1u);
  for (const auto& r : sink.readings) {
    if (r.name != "disk.used_pct") continue;
    EXPECT_GE(r.value, 0.0);
    EXPECT_LE(r.value, 100.0);
  }
}

}  // namespace
}  // namespace sonde::agent

// Host probes: the readings sonde-agent takes from /proc and statfs(2).
//
// Each probe reads one source and reports gauges into a GaugeSink; the agent
// (sonde/agent.h) calls every probe once per interval. Sample names, tags
// and units are documented in docs/agent.md:
//
//   cpu                  total CPU busy %, 0-100
//   cpu.core {core=N}    per-core busy %
//   mem                  memory used % ((MemTotal - MemAvailable) / MemTotal)
//   mem.used_bytes, mem.total_bytes
//   load.1, load.5, load.15
//   disk.used_pct {mount=/}, disk.free_bytes {mount=/}   local filesystems only
//   net.rx_bytes_per_s {iface=eth0}, net.tx_bytes_per_s {iface=eth0}   not lo
//
// Rates (cpu, net) need two readings: the first Sample() after Open only
// primes them and reports nothing for them.
//
// Every probe takes a root directory (default "/") so that tests can point
// it at a fake tree: the CPU probe reads <root>/proc/stat, the disk probe
// <root>/proc/mounts and statfs(<root><mount point>).
//
// Files are opened once and re-read with pread at offset 0; in steady state
// Sample() allocates nothing (buffers only grow when a file, the core count,
// the mounts or the interfaces grow).
//
// Thread-safety: a probe is used by one thread at a time.
#ifndef SONDE_HOST_PROBE_H_
#define SONDE_HOST_PROBE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sonde/emitter.h"
#include "sonde/status.h"

namespace sonde::agent {

// Receives readings. The agent forwards them to an Emitter; tests collect them.
class GaugeSink {
 public:
  virtual ~GaugeSink() = default;
  // `name` and `tags` are only valid during the call.
  virtual void Gauge(std::string_view name, double value, TagList tags) = 0;
};

class HostProbe {
 public:
  virtual ~HostProbe() = default;

  // A short name for logs and counters: "cpu", "memory", "load", "disk", "network".
  virtual std::string_view name() const = 0;

  // Reads the source once and reports into `sink`. `steady_ns` is a
  // monotonic time (Clock::SteadyNs) used for per-second rates.
  // Returns IOError when the source cannot be read and Corruption when it
  // cannot be parsed; nothing is reported then, and the next call retries.
  virtual Status Sample(int64_t steady_ns, GaugeSink* sink) = 0;
};

// Each factory opens the probe's files under `root` (a directory; "/" for
// the real host). Returns IOError naming the file that cannot be opened.
Result<std::unique_ptr<HostProbe>> OpenCpuProbe(const std::string& root, bool per_core = true);
Result<std::unique_ptr<HostProbe>> OpenMemoryProbe(const std::string& root);
Result<std::unique_ptr<HostProbe>> OpenLoadProbe(const std::string& root);
Result<std::unique_ptr<HostProbe>> OpenDiskProbe(const std::string& root);
Result<std::unique_ptr<HostProbe>> OpenNetworkProbe(const std::string& root);

// True for filesystem types the disk probe skips: pseudo and memory-backed
// filesystems (proc, sysfs, tmpfs, cgroup2, squashfs, ...) and network
// filesystems (nfs, cifs, fuse.sshfs, ...), whose statfs can hang the agent
// when the server is gone. The list is in docs/agent.md.
bool IsSkippedFilesystem(std::string_view fs_type);

}  // namespace sonde::agent

#endif  // SONDE_HOST_PROBE_H_

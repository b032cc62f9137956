// MemoryProbe: memory use from /proc/meminfo.
//
// Used memory is MemTotal - MemAvailable: MemAvailable is the kernel's own
// estimate of what can be allocated without swapping (page cache and
// reclaimable slab included), the same figure `free` shows as "available".
// Kernels before 3.14 lack it; MemFree + Buffers + Cached stands in then.
#include <utility>

#include "proc_file.h"
#include "sonde/host_probe.h"
#include "text_scan.h"

namespace sonde::agent {
namespace {

constexpr double kBytesPerKiB = 1024.0;

struct MemInfo {
  uint64_t total_kib = 0;
  uint64_t available_kib = 0;
  bool has_available = false;
  uint64_t free_kib = 0;
  uint64_t buffers_kib = 0;
  uint64_t cached_kib = 0;
};

// Fills *info from "Key:   value kB" lines; unknown keys are ignored.
void ParseMemInfo(std::string_view text, MemInfo* info) {
  while (!text.empty()) {
    std::string_view line = NextLine(&text);
    std::string_view key = NextToken(&line);
    uint64_t value = 0;
    if (!ParseU64(NextToken(&line), &value)) continue;
    if (key == "MemTotal:") {
      info->total_kib = value;
    } else if (key == "MemAvailable:") {
      info->available_kib = value;
      info->has_available = true;
    } else if (key == "MemFree:") {
      info->free_kib = value;
    } else if (key == "Buffers:") {
      info->buffers_kib = value;
    } else if (key == "Cached:") {
      info->cached_kib = value;
    }
  }
}

class MemoryProbe final : public HostProbe {
 public:
  explicit MemoryProbe(ProcFile meminfo) : meminfo_(std::move(meminfo)) {}

  std::string_view name() const override { return "memory"; }

  Status Sample(int64_t /*steady_ns*/, GaugeSink* sink) override {
    Result<std::string_view> text = meminfo_.Read();
    if (!text) return text.error();
    MemInfo info;
    ParseMemInfo(*text, &info);
    if (info.total_kib == 0) return Status::Corruption(meminfo_.path() + ": no MemTotal");
    uint64_t available = info.has_available
                             ? info.available_kib
                             : info.free_kib + info.buffers_kib + info.cached_kib;
    if (available > info.total_kib) available = info.total_kib;
    const uint64_t used = info.total_kib - available;
    sink->Gauge("mem", 100.0 * static_cast<double>(used) / static_cast<double>(info.total_kib),
                {});
    sink->Gauge("mem.used_bytes", static_cast<double>(used) * kBytesPerKiB, {});
    sink->Gauge("mem.total_bytes", static_cast<double>(info.total_kib) * kBytesPerKiB, {});
    return Status::OK();
  }

 private:
  ProcFile meminfo_;
};

}  // namespace

Result<std::unique_ptr<HostProbe>> OpenMemoryProbe(const std::string& root) {
  Result<ProcFile> file = ProcFile::Open(JoinRoot(root, "/proc/meminfo"));
  if (!file) return file.error();
  return std::unique_ptr<HostProbe>(new MemoryProbe(std::move(*file)));
}

}  // namespace sonde::agent

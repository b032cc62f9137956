// CpuProbe: busy % from the "cpu" and "cpuN" lines of /proc/stat.
//
// Each line holds cumulative ticks: user nice system idle iowait irq softirq
// steal [guest guest_nice]. guest time is already counted in user, so the
// total is the sum of the first eight; idle is idle + iowait (a CPU waiting
// on I/O is free to run something else). Busy % over an interval is
// 100 * delta(total - idle) / delta(total).
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "proc_file.h"
#include "sonde/host_probe.h"
#include "text_scan.h"

namespace sonde::agent {
namespace {

constexpr int kSummedFields = 8;  // user .. steal
constexpr int kIdleField = 3;
constexpr int kIowaitField = 4;

struct CpuTicks {
  uint64_t busy = 0;
  uint64_t total = 0;
  bool valid = false;  // False until the first reading.
};

// Parses the numbers after a "cpu" label. Kernels before 2.6.11 have fewer
// than eight fields; missing ones count as zero.
bool ParseTicks(std::string_view rest, CpuTicks* out) {
  uint64_t total = 0;
  uint64_t idle = 0;
  for (int i = 0; i < kSummedFields; ++i) {
    std::string_view token = NextToken(&rest);
    if (token.empty()) {
      if (i <= kIdleField) return false;
      break;
    }
    uint64_t v = 0;
    if (!ParseU64(token, &v)) return false;
    total += v;
    if (i == kIdleField || i == kIowaitField) idle += v;
  }
  out->busy = total - idle;
  out->total = total;
  out->valid = true;
  return true;
}

// Busy % between two readings; false when there is no earlier reading or no
// time passed (or the counters went back, as after a CPU went offline).
bool BusyPercent(const CpuTicks& prev, const CpuTicks& now, double* pct) {
  if (!prev.valid || now.total <= prev.total || now.busy < prev.busy) return false;
  *pct = 100.0 * static_cast<double>(now.busy - prev.busy) /
         static_cast<double>(now.total - prev.total);
  return true;
}

class CpuProbe final : public HostProbe {
 public:
  CpuProbe(ProcFile stat, bool per_core) : stat_(std::move(stat)), per_core_(per_core) {}

  std::string_view name() const override { return "cpu"; }

  Status Sample(int64_t /*steady_ns*/, GaugeSink* sink) override {
    Result<std::string_view> text = stat_.Read();
    if (!text) return text.error();
    std::string_view rest = *text;
    bool saw_total = false;
    while (!rest.empty()) {
      std::string_view line = NextLine(&rest);
      std::string_view label = NextToken(&line);
      if (label.substr(0, 3) != "cpu") break;  // The cpu lines come first.
      CpuTicks now;
      if (!ParseTicks(line, &now)) return Corrupt(label);
      if (label.size() == 3) {
        saw_total = true;
        Report(&total_, now, "cpu", {}, sink);
        continue;
      }
      uint64_t core = 0;
      if (!ParseU64(label.substr(3), &core) || core > kMaxCore) return Corrupt(label);
      if (per_core_) ReportCore(static_cast<size_t>(core), now, sink);
    }
    if (!saw_total) return Status::Corruption(stat_.path() + ": no cpu line");
    return Status::OK();
  }

 private:
  static constexpr uint64_t kMaxCore = 65535;

  Status Corrupt(std::string_view label) const {
    return Status::Corruption(stat_.path() + ": bad line '" + std::string(label) + "'");
  }

  static void Report(CpuTicks* prev, const CpuTicks& now, std::string_view name, TagList tags,
                     GaugeSink* sink) {
    double pct = 0;
    if (BusyPercent(*prev, now, &pct)) sink->Gauge(name, pct, tags);
    *prev = now;
  }

  void ReportCore(size_t core, const CpuTicks& now, GaugeSink* sink) {
    // Grows only when a higher-numbered core shows up.
    while (cores_.size() <= core) {
      core_names_.push_back(std::to_string(cores_.size()));
      cores_.emplace_back();
    }
    const TagView tags[] = {{"core", core_names_[core]}};
    Report(&cores_[core], now, "cpu.core", std::span<const TagView>(tags), sink);
  }

  ProcFile stat_;
  bool per_core_;
  CpuTicks total_;
  std::vector<CpuTicks> cores_;         // Indexed by core number.
  std::vector<std::string> core_names_;  // "0", "1", ...: tag values.
};

}  // namespace

Result<std::unique_ptr<HostProbe>> OpenCpuProbe(const std::string& root, bool per_core) {
  Result<ProcFile> stat = ProcFile::Open(JoinRoot(root, "/proc/stat"));
  if (!stat) return stat.error();
  return std::unique_ptr<HostProbe>(new CpuProbe(std::move(*stat), per_core));
}

}  // namespace sonde::agent

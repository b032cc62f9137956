// LoadProbe: the 1, 5 and 15 minute load averages from /proc/loadavg
// ("0.52 0.58 0.59 1/467 12345").
#include <utility>

#include "proc_file.h"
#include "sonde/host_probe.h"
#include "text_scan.h"

namespace sonde::agent {
namespace {

class LoadProbe final : public HostProbe {
 public:
  explicit LoadProbe(ProcFile loadavg) : loadavg_(std::move(loadavg)) {}

  std::string_view name() const override { return "load"; }

  Status Sample(int64_t /*steady_ns*/, GaugeSink* sink) override {
    Result<std::string_view> text = loadavg_.Read();
    if (!text) return text.error();
    std::string_view rest = *text;
    double load[3] = {0, 0, 0};
    for (double& v : load) {
      if (!ParseDouble(NextToken(&rest), &v)) {
        return Status::Corruption(loadavg_.path() + ": expected three load averages");
      }
    }
    sink->Gauge("load.1", load[0], {});
    sink->Gauge("load.5", load[1], {});
    sink->Gauge("load.15", load[2], {});
    return Status::OK();
  }

 private:
  ProcFile loadavg_;
};

}  // namespace

Result<std::unique_ptr<HostProbe>> OpenLoadProbe(const std::string& root) {
  Result<ProcFile> file = ProcFile::Open(JoinRoot(root, "/proc/loadavg"));
  if (!file) return file.error();
  return std::unique_ptr<HostProbe>(new LoadProbe(std::move(*file)));
}

}  // namespace sonde::agent

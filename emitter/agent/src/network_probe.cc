// NetworkProbe: bytes/s received and sent per interface, from /proc/net/dev.
//
// After two header lines each line is "  eth0: rx_bytes rx_packets rx_errs
// rx_drop rx_fifo rx_frame rx_compressed rx_multicast tx_bytes ...". The
// loopback interface is skipped: its traffic is the host talking to itself
// (including this agent's own samples). Rates need two readings; a counter
// that went back (interface re-created, 32-bit wrap) restarts its rate.
#include <algorithm>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "proc_file.h"
#include "sonde/host_probe.h"
#include "text_scan.h"

namespace sonde::agent {
namespace {

constexpr int kTxBytesField = 8;  // Fields after the name, from 0.
constexpr double kNsPerSecond = 1e9;

struct Interface {
  std::string name;
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
  int64_t steady_ns = 0;
  bool seen = false;  // In the latest reading.
};

class NetworkProbe final : public HostProbe {
 public:
  explicit NetworkProbe(ProcFile dev) : dev_(std::move(dev)) {}

  std::string_view name() const override { return "network"; }

  Status Sample(int64_t steady_ns, GaugeSink* sink) override {
    Result<std::string_view> text = dev_.Read();
    if (!text) return text.error();
    std::string_view rest = *text;
    NextLine(&rest);  // Two header lines.
    NextLine(&rest);
    for (Interface& i : interfaces_) i.seen = false;
    while (!rest.empty()) {
      std::string_view line = NextLine(&rest);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = line.substr(0, colon);
      while (!name.empty() && IsBlank(name.front())) name.remove_prefix(1);
      if (name == "lo" || name.empty()) continue;
      uint64_t rx = 0;
      uint64_t tx = 0;
      if (!ParseCounters(line.substr(colon + 1), &rx, &tx)) {
        return Status::Corruption(dev_.path() + ": bad line for '" + std::string(name) + "'");
      }
      Update(name, rx, tx, steady_ns, sink);
    }
    // Interfaces that went away (containers' veths come and go) are forgotten.
    std::erase_if(interfaces_, [](const Interface& i) { return !i.seen; });
    return Status::OK();
  }

 private:
  static bool ParseCounters(std::string_view fields, uint64_t* rx, uint64_t* tx) {
    for (int i = 0; i <= kTxBytesField; ++i) {
      std::string_view token = NextToken(&fields);
      uint64_t v = 0;
      if (!ParseU64(token, &v)) return false;
      if (i == 0) *rx = v;
      if (i == kTxBytesField) *tx = v;
    }
    return true;
  }

  void Update(std::string_view name, uint64_t rx, uint64_t tx, int64_t steady_ns,
              GaugeSink* sink) {
    auto it = std::find_if(interfaces_.begin(), interfaces_.end(),
                           [&](const Interface& i) { return i.name == name; });
    if (it == interfaces_.end()) {
      interfaces_.push_back({std::string(name), rx, tx, steady_ns, true});
      return;
    }
    Interface& i = *it;
    const int64_t elapsed_ns = steady_ns - i.steady_ns;
    if (elapsed_ns > 0 && rx >= i.rx_bytes && tx >= i.tx_bytes) {
      const double seconds = static_cast<double>(elapsed_ns) / kNsPerSecond;
      const TagView tags[] = {{"iface", i.name}};
      sink->Gauge("net.rx_bytes_per_s", static_cast<double>(rx - i.rx_bytes) / seconds,
                  std::span<const TagView>(tags));
      sink->Gauge("net.tx_bytes_per_s", static_cast<double>(tx - i.tx_bytes) / seconds,
                  std::span<const TagView>(tags));
    }
    i.rx_bytes = rx;
    i.tx_bytes = tx;
    i.steady_ns = steady_ns;
    i.seen = true;
  }

  ProcFile dev_;
  std::vector<Interface> interfaces_;
};

}  // namespace

Result<std::unique_ptr<HostProbe>> OpenNetworkProbe(const std::string& root) {
  Result<ProcFile> file = ProcFile::Open(JoinRoot(root, "/proc/net/dev"));
  if (!file) return file.error();
  return std::unique_ptr<HostProbe>(new NetworkProbe(std::move(*file)));
}

}  // namespace sonde::agent

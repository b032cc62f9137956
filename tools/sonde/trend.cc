#include "trend.h"

namespace sonde::tools {

double TrendValue(const api::WindowStats& window, MetricKind kind) {
  if (window.count == 0) return api::RangeSummary::kNaN;
  return kind == MetricKind::kCounter ? window.rate : window.avg;
}

std::vector<double> TrendSlots(std::span<const api::WindowStats> windows, MetricKind kind,
                               int64_t first_start_ms, int64_t step_ms, size_t slots) {
  std::vector<double> out(slots, api::RangeSummary::kNaN);
  for (const api::WindowStats& w : windows) {
    int64_t offset = 0;
    if (w.start_ms < first_start_ms || step_ms <= 0 ||
        __builtin_sub_overflow(w.start_ms, first_start_ms, &offset)) {
      continue;
    }
    const int64_t slot = offset / step_ms;
    if (slot >= static_cast<int64_t>(slots)) continue;
    out[static_cast<size_t>(slot)] = TrendValue(w, kind);
  }
  return out;
}

}  // namespace sonde::tools

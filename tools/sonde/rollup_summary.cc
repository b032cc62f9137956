#include "rollup_summary.h"

#include <algorithm>
#include <cmath>

namespace sonde::tools {

RollupSummary Summarize(std::span<const api::WindowStats> windows) {
  RollupSummary out;
  if (windows.empty()) return out;
  out.windows = windows.size();
  out.start_ms = windows.front().start_ms;
  out.end_ms = windows.back().end_ms;
  for (const api::WindowStats& w : windows) {
    if (w.count == 0) continue;
    const bool first = out.count == 0;
    out.min = first ? w.min : std::min(out.min, w.min);
    out.max = first ? w.max : std::max(out.max, w.max);
    if (!std::isnan(w.p99))
      out.max_p99 = std::isnan(out.max_p99) ? w.p99 : std::max(out.max_p99, w.p99);
    out.count += w.count;
    out.sum += w.sum;
  }
  if (out.count == 0) return out;
  out.avg = out.sum / static_cast<double>(out.count);
  const double seconds =
      (static_cast<double>(out.end_ms) - static_cast<double>(out.start_ms)) / 1000.0;
  if (seconds > 0) out.rate = out.sum / seconds;
  return out;
}

double TrendValue(const api::WindowStats& window, MetricKind kind) {
  if (window.count == 0) return RollupSummary::kNaN;
  return kind == MetricKind::kCounter ? window.rate : window.avg;
}

std::vector<double> TrendSlots(std::span<const api::WindowStats> windows, MetricKind kind,
                               int64_t first_start_ms, int64_t step_ms, size_t slots) {
  std::vector<double> out(slots, RollupSummary::kNaN);
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

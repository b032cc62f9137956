// The trend `sonde get` draws per series: one value per window (the rate
// for counters, the average otherwise), laid on a time axis shared by every
// row so that the sparklines line up. Works on the windows as the HTTP API
// serves them (api::WindowStats), so that --db and --url draw the same.
//
// Thread-safety: pure functions over value types.
#ifndef SONDE_TOOLS_SONDE_TREND_H_
#define SONDE_TOOLS_SONDE_TREND_H_

#include <cstdint>
#include <span>
#include <vector>

#include "sonde/api_json.h"
#include "sonde/sample.h"

namespace sonde::tools {

// What a series' trend shows per window: the rate per second for counters,
// the average otherwise. NaN for a window without samples.
double TrendValue(const api::WindowStats& window, MetricKind kind);

// TrendValue per slot, slot i being the window that starts at
// first_start_ms + i * step_ms; NaN where the series has none.
std::vector<double> TrendSlots(std::span<const api::WindowStats> windows, MetricKind kind,
                               int64_t first_start_ms, int64_t step_ms, size_t slots);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_TREND_H_

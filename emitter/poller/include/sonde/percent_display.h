// DisplayPercent: how a percentage is shown to a person (the `sonde health`
// table, the poller's report table and its QoS line).
//
// Rounded down, never up: 74.99 shows as "74.9%", not "75.0%", and 98.996 as
// "98.99%", not "99.00%", so a value just under a level (Degraded at 75, a
// QoS of 99) never reads as reaching it. Machine output (JSON, CSV) keeps
// the exact number instead.
//
// Header-only so that any tool's table code can use it. Thread-safety: a
// pure function.
#ifndef SONDE_PERCENT_DISPLAY_H_
#define SONDE_PERCENT_DISPLAY_H_

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace sonde::fleet {

// With decimals = 1: "74.9%" for 74.99, "99.9%" for 99.999, "100.0%" for
// 100, "57.3%" for 57.3 (the tenth as written, though its double is
// 57.29999...); -0.04 gives "-0.1%". `decimals` is clamped to 0-6. Where
// the scaled value passes 1e15 (no percentage does), and for inf and nan,
// "%g" ("1e+20%", "inf%"): the digits are exact only while it is below.
inline std::string DisplayPercent(double percent, int decimals = 1) {
  decimals = std::clamp(decimals, 0, 6);
  const double scale = std::pow(10.0, decimals);
  char buf[40];
  if (!std::isfinite(percent) || std::fabs(percent * scale) >= 1e15) {
    std::snprintf(buf, sizeof(buf), "%g%%", percent);
    return buf;
  }
  double units = std::floor(percent * scale);
  // percent * scale can round across a whole number either way; the right
  // unit is the largest one whose own double is not above `percent`.
  if ((units + 1) / scale <= percent) {
    units += 1;
  } else if (units / scale > percent) {
    units -= 1;
  }
  // + 0.0 turns -0.0 into 0.0: no "-0.0%".
  std::snprintf(buf, sizeof(buf), "%.*f%%", decimals, units / scale + 0.0);
  return buf;
}

}  // namespace sonde::fleet

#endif  // SONDE_PERCENT_DISPLAY_H_

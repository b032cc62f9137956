// Number formatting shared by the report renderers, so that JSON, CSV and the
// table agree to the digit.
#ifndef SONDE_POLLER_SRC_REPORT_FORMAT_H_
#define SONDE_POLLER_SRC_REPORT_FORMAT_H_

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace sonde::fleet::internal {

// Percentages keep 2 decimals, milliseconds 3 (microseconds).
inline double RoundPercent(double v) { return std::round(v * 100.0) / 100.0; }
inline double RoundMs(double v) { return std::round(v * 1000.0) / 1000.0; }

// The shortest text that reads back as `v`: 300, 96.67, 0.125.
inline std::string FormatNumber(double v) { return fmt::format("{}", v); }

}  // namespace sonde::fleet::internal

#endif  // SONDE_POLLER_SRC_REPORT_FORMAT_H_

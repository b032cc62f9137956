// Unicode sparklines ("▁▂▄█") for table cells.
//
// Thread-safety: pure functions.
#ifndef SONDE_TOOLS_SONDE_SPARKLINE_H_
#define SONDE_TOOLS_SONDE_SPARKLINE_H_

#include <span>
#include <string>

namespace sonde::tools {

// One block character per value, scaled from the smallest to the largest
// finite value (▁ to █); a NaN value (no window in that slot) is a space; if
// every finite value is the same, each is ▄. Every character is one column
// wide, so the result is values.size() columns.
std::string Sparkline(std::span<const double> values);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_SPARKLINE_H_

#include "sparkline.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sonde::tools {

namespace {

constexpr const char* kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
constexpr int kLevels = 8;

}  // namespace

std::string Sparkline(std::span<const double> values) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  std::string out;
  out.reserve(values.size() * 3);
  for (double v : values) {
    if (!std::isfinite(v)) {
      out += ' ';
    } else if (hi == lo) {
      out += kBlocks[3];
    } else {
      const int level = static_cast<int>(std::lround((v - lo) / (hi - lo) * (kLevels - 1)));
      out += kBlocks[std::clamp(level, 0, kLevels - 1)];
    }
  }
  return out;
}

}  // namespace sonde::tools

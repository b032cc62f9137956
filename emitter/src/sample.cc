// The data model's helpers: metric kind names (sonde/sample.h).
#include "sonde/sample.h"

namespace sonde {

const char* MetricKindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kGauge:
      return "gauge";
    case MetricKind::kCounter:
      return "counter";
    case MetricKind::kTiming:
      return "timing";
  }
  return "unknown";
}

bool ParseMetricKind(std::string_view text, MetricKind* kind) {
  if (text == "gauge" || text == "g") {
    *kind = MetricKind::kGauge;
  } else if (text == "counter" || text == "c") {
    *kind = MetricKind::kCounter;
  } else if (text == "timing" || text == "ms" || text == "t") {
    *kind = MetricKind::kTiming;
  } else {
    return false;
  }
  return true;
}

}  // namespace sonde

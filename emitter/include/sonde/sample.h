// The data model: a sample is one measurement of one named metric at one
// time, from one source (host), with optional string tags. A series is
// source + metric name + tags (docs/design.md).
#ifndef SONDE_SAMPLE_H_
#define SONDE_SAMPLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonde {

// How a value is to be rolled up (docs/wire-format.md).
enum class MetricKind : uint8_t {
  kGauge = 0,    // A level (cpu %, queue depth): rolled up as avg/min/max/last.
  kCounter = 1,  // An increment since the last sample: rolled up as sum and rate/s.
  kTiming = 2,   // One observation of a distribution (latency): quantiles matter.
};
inline constexpr int kMetricKindCount = 3;

// "gauge", "counter", "timing".
const char* MetricKindName(MetricKind kind);
// Parses the names above (and "g", "c", "ms"/"t"); false when unknown.
bool ParseMetricKind(std::string_view text, MetricKind* kind);

// A tag that borrows its bytes; valid while the owner lives.
struct TagView {
  std::string_view key;
  std::string_view value;
};

// An owned tag.
struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};
using Tags = std::vector<Tag>;

// An owned sample, for tools and tests. The emitter's hot path never builds
// one: it encodes straight from its arguments.
struct Sample {
  std::string name;
  double value = 0;
  int64_t timestamp_ms = 0;  // Milliseconds since the Unix epoch, UTC.
  MetricKind kind = MetricKind::kGauge;
  Tags tags;
  bool operator==(const Sample&) const = default;
};

}  // namespace sonde

#endif  // SONDE_SAMPLE_H_

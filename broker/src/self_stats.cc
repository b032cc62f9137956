#include "self_stats.h"

#include <span>
#include <utility>

namespace sonde::broker {

SelfStats::SelfStats(const CounterRegistry* registry, std::string source, std::string name_prefix)
    : registry_(registry),
      source_(std::move(source)),
      name_prefix_(std::move(name_prefix)),
      builder_(kMaxMessageBytes) {}

bool SelfStats::Append(std::string_view name, double value, MetricKind kind, const TagView* tag) {
  char encoded[kMaxNameBytes + kMaxTagKeyBytes + kMaxTagValueBytes + 64];
  size_t written = 0;
  SampleRef sample{
      .name = name,
      .value = value,
      .timestamp_ms = 0,  // The batch's time.

      .kind = kind,
      .tags = tag != nullptr ? std::span<const TagView>(tag, 1) : std::span<const TagView>()};
  if (EncodeSample(sample, encoded, sizeof encoded, &written) != WireError::kOk) return false;
  return builder_.Append(std::string_view(encoded, written));
}

bool SelfStats::AppendAll() {
  for (const CounterRegistry::Value& v : registry_->List()) {
    TagView tag{v.label_key, v.label_value};
    const TagView* tag_ptr = v.label_key.empty() ? nullptr : &tag;
    if (v.type == MetricType::kGauge) {
      if (!Append(name_prefix_ + v.short_name, v.value, MetricKind::kGauge, tag_ptr)) {
        return false;
      }
      continue;
    }
    double& last = last_[v.name + '\x1f' + v.label_value];
    const double delta = v.value - last;
    last = v.value;
    if (v.value == 0) continue;
    if (!Append(name_prefix_ + v.short_name + "_total", delta, MetricKind::kCounter, tag_ptr)) {
      return false;
    }
  }
  return true;
}

std::string_view SelfStats::Encode(int64_t now_ms, spdlog::logger* log) {
  // `component`, not `service`: health groups hosts by service and would
  // hold the broker's host to a service's minimum of healthy servers.
  static constexpr TagView kComponent[] = {{"component", "sonde-broker"}};
  WireError error = builder_.Begin(source_, now_ms, kComponent);
  if (error == WireError::kOk && AppendAll()) return builder_.Finish();
  if (!reported_error_) {
    log->error("event=self_stats_failed source={} error={}", source_,
               error == WireError::kOk ? "sample_rejected" : WireErrorName(error));
    reported_error_ = true;
  }
  return {};
}

}  // namespace sonde::broker

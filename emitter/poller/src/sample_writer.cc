#include "sample_writer.h"

#include <algorithm>

#include "sonde/poll_metrics.h"

namespace sonde::poller {
namespace {

// Messages ZeroMQ holds while the broker is slow or away: two per target for
// a 10,000-target round, a few hundred bytes each.
constexpr int kZmqSendHwm = 50000;
// Bytes of samples queued between sender rounds: a 10,000-target round of
// ~10 fields each records about 4 MB within a second or two.
constexpr size_t kQueueBytes = 8 << 20;

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

}  // namespace

EmitterOptions SampleWriterEmitterOptions(const std::string& to) {
  EmitterOptions o;
  o.endpoint = to;
  // Every sample is recorded for a target; the emitter's own source is never
  // sent, so it need not be the host name.
  o.source = "sonde-poller";
  o.queue_bytes = kQueueBytes;
  o.zmq_send_hwm = kZmqSendHwm;
  return o;
}

SampleWriter::SampleWriter(std::unique_ptr<Emitter> emitter, std::vector<std::string> preferred)
    : emitter_(std::move(emitter)), preferred_(std::move(preferred)) {
  tags_.reserve(kMaxTagsPerLevel);
}

void SampleWriter::Write(const fleet::TargetRecord& record, int64_t timestamp_ms) {
  ++counters_.records;
  source_ = record.target;
  timestamp_ms_ = timestamp_ms;
  tags_.clear();
  // `up` is always valid but for its source: if it is refused, so is the rest.
  const RecordResult up = Record(fleet::kUpMetric, record.up ? 1 : 0, MetricKind::kGauge);
  if (up == RecordResult::kDroppedInvalid) {
    ++counters_.records_invalid;
    return;
  }
  Count(up);
  Add(fleet::kFailureMetric, static_cast<double>(record.failure), MetricKind::kGauge);
  Add(fleet::kAttemptsMetric, record.attempts, MetricKind::kGauge);
  if (record.http_status > 0) Add(fleet::kHttpStatusMetric, record.http_status, MetricKind::kGauge);
  if (record.latency_ms >= 0) Add(fleet::kLatencyMetric, record.latency_ms, MetricKind::kTiming);
  if (!record.up || record.numbers.empty()) return;
  SelectTags(record);
  for (const auto& [key, value] : record.numbers) {
    name_ = fleet::FieldMetricName(key);
    Add(name_, value, MetricKind::kGauge);
  }
}

RecordResult SampleWriter::Record(std::string_view name, double value, MetricKind kind) {
  return emitter_->RecordFor({source_, tags_}, name, value, kind, {}, timestamp_ms_);
}

void SampleWriter::Count(RecordResult result) {
  switch (result) {
    case RecordResult::kQueued:
      ++counters_.samples;
      break;
    case RecordResult::kDroppedQueueFull:
      ++counters_.samples_dropped;
      break;
    case RecordResult::kDroppedInvalid:
      ++counters_.samples_invalid;
      break;
  }
}

void SampleWriter::SelectTags(const fleet::TargetRecord& record) {
  chosen_.clear();
  auto usable = [](std::string_view k, std::string_view v) {
    return !k.empty() && k.size() <= kMaxTagKeyBytes &&
           std::none_of(k.begin(), k.end(), IsControl) && v.size() <= kMaxTagValueBytes;
  };
  for (const std::string& key : preferred_) {
    auto it = record.strings.find(key);
    if (it != record.strings.end() && usable(it->first, it->second)) chosen_.emplace_back(*it);
  }
  for (const auto& [k, v] : record.strings) {
    if (std::find(preferred_.begin(), preferred_.end(), k) != preferred_.end()) continue;
    if (usable(k, v)) chosen_.emplace_back(k, v);
  }
  if (chosen_.size() > kMaxTagsPerLevel) chosen_.resize(kMaxTagsPerLevel);
  counters_.tags_dropped += record.strings.size() - chosen_.size();
  // Values are copied into strings kept across records (their capacity is
  // reused); tags_ points into them only once they have all been assigned.
  if (tag_values_.size() < chosen_.size()) tag_values_.resize(chosen_.size());
  for (size_t i = 0; i < chosen_.size(); ++i) {
    std::string& value = tag_values_[i];
    value.assign(chosen_[i].second);
    std::replace_if(value.begin(), value.end(), IsControl, '?');
  }
  tags_.clear();
  for (size_t i = 0; i < chosen_.size(); ++i) tags_.push_back({chosen_[i].first, tag_values_[i]});
}

}  // namespace sonde::poller

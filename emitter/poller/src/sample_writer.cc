#include "sample_writer.h"

#include <algorithm>

#include "sonde/poll_metrics.h"

namespace sonde::poller {
namespace {

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

SampleWriter::SampleWriter(std::unique_ptr<BatchTransport> transport,
                           std::vector<std::string> preferred)
    : transport_(std::move(transport)),
      preferred_(std::move(preferred)),
      builder_(transport_->max_message_bytes()) {}

void SampleWriter::Write(const fleet::TargetRecord& record, int64_t timestamp_ms) {
  ++counters_.records;
  source_ = record.target;
  timestamp_ms_ = timestamp_ms;
  WriteOwn(record);
  if (record.up && !record.numbers.empty()) WriteFields(record);
}

void SampleWriter::WriteOwn(const fleet::TargetRecord& record) {
  tags_.clear();
  if (!Begin()) return;
  Add(fleet::kUpMetric, record.up ? 1 : 0, MetricKind::kGauge);
  Add(fleet::kFailureMetric, static_cast<double>(record.failure), MetricKind::kGauge);
  Add(fleet::kAttemptsMetric, record.attempts, MetricKind::kGauge);
  if (record.http_status > 0) Add(fleet::kHttpStatusMetric, record.http_status, MetricKind::kGauge);
  if (record.latency_ms >= 0) Add(fleet::kLatencyMetric, record.latency_ms, MetricKind::kTiming);
  Send();
}

void SampleWriter::WriteFields(const fleet::TargetRecord& record) {
  SelectTags(record);
  if (!Begin()) return;
  std::string name;
  for (const auto& [key, value] : record.numbers) {
    name = fleet::FieldMetricName(key);
    Add(name, value, MetricKind::kGauge);
  }
  Send();
}

void SampleWriter::SelectTags(const fleet::TargetRecord& record) {
  tags_.clear();
  tag_values_.clear();
  std::vector<std::pair<std::string_view, std::string_view>> chosen;
  auto usable = [](std::string_view k, std::string_view v) {
    return !k.empty() && k.size() <= kMaxTagKeyBytes && !HasControl(k) &&
           v.size() <= kMaxTagValueBytes;
  };
  for (const std::string& key : preferred_) {
    auto it = record.strings.find(key);
    if (it != record.strings.end() && usable(it->first, it->second)) chosen.emplace_back(*it);
  }
  for (const auto& [k, v] : record.strings) {
    if (std::find(preferred_.begin(), preferred_.end(), k) != preferred_.end()) continue;
    if (usable(k, v)) chosen.emplace_back(k, v);
  }
  if (chosen.size() > kMaxTagsPerLevel) chosen.resize(kMaxTagsPerLevel);
  counters_.tags_dropped += record.strings.size() - chosen.size();
  tag_values_.reserve(chosen.size());  // No reallocation: tags_ points into it.
  for (const auto& [k, v] : chosen) {
    std::string value(v);
    for (char& c : value) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) c = '?';
    }
    tag_values_.push_back(std::move(value));
    tags_.push_back(TagView{k, tag_values_.back()});
  }
}

bool SampleWriter::Begin() {
  open_ = builder_.Begin(source_, timestamp_ms_, tags_) == WireError::kOk;
  if (!open_) ++counters_.records_invalid;
  return open_;
}

void SampleWriter::Add(std::string_view name, double value, MetricKind kind) {
  if (!open_) return;
  char buf[kMaxNameBytes + 64];
  size_t written = 0;
  SampleRef sample{name, value, 0, kind, {}};
  if (EncodeSample(sample, buf, sizeof(buf), &written) != WireError::kOk) {
    ++counters_.samples_invalid;
    return;
  }
  const std::string_view encoded(buf, written);
  if (!builder_.Append(encoded)) {
    Send();
    if (!Begin() || !builder_.Append(encoded)) {
      ++counters_.samples_invalid;
      return;
    }
  }
  ++counters_.samples;
}

void SampleWriter::Send() {
  if (!open_ || builder_.sample_count() == 0) return;
  transport_->Send(builder_.Finish());
  ++counters_.messages;
  open_ = false;
}

}  // namespace sonde::poller

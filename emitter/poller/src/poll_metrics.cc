#include "sonde/poll_metrics.h"

#include <cmath>
#include <map>
#include <string>

namespace sonde::fleet {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The newest sample of each name.
std::map<std::string_view, const Sample*> Newest(std::span<const Sample> latest) {
  std::map<std::string_view, const Sample*> newest;
  for (const Sample& s : latest) {
    auto [it, inserted] = newest.emplace(s.name, &s);
    if (!inserted && s.timestamp_ms > it->second->timestamp_ms) it->second = &s;
  }
  return newest;
}

}  // namespace

bool IsPollerMetric(std::string_view name) {
  return name == kUpMetric || name == kFailureMetric || name == kAttemptsMetric ||
         name == kHttpStatusMetric || name == kLatencyMetric;
}

std::string FieldMetricName(std::string_view key) {
  if (IsPollerMetric(key) || StartsWith(key, "poll.") || StartsWith(key, "http.") ||
      StartsWith(key, kFieldPrefix)) {
    return std::string(kFieldPrefix) + std::string(key);
  }
  return std::string(key);
}

TargetRecord RecordFromSamples(std::string_view source, std::span<const Sample> latest) {
  TargetRecord r;
  r.target = std::string(source);
  bool saw_up = false;
  for (const auto& [name, sample] : Newest(latest)) {
    const double v = sample->value;
    if (name == kUpMetric) {
      saw_up = true;
      r.up = v >= 0.5;
    } else if (name == kFailureMetric) {
      FailureClass c;
      if (FailureClassFromCode(std::llround(v), &c)) r.failure = c;
    } else if (name == kAttemptsMetric) {
      r.attempts = static_cast<int>(std::llround(v));
    } else if (name == kHttpStatusMetric) {
      r.http_status = static_cast<int>(std::llround(v));
    } else if (name == kLatencyMetric) {
      r.latency_ms = v;
    } else {
      std::string_view key = name;
      if (StartsWith(key, kFieldPrefix)) key.remove_prefix(kFieldPrefix.size());
      r.numbers[std::string(key)] = v;
      for (const Tag& t : sample->tags) r.strings[t.key] = t.value;
    }
  }
  if (!saw_up) {
    r.up = false;
    r.failure = FailureClass::kOther;
    r.error = "no up sample";
  } else if (r.up) {
    r.failure = FailureClass::kNone;
  } else if (r.failure == FailureClass::kNone) {
    r.failure = FailureClass::kOther;
  }
  return r;
}

}  // namespace sonde::fleet

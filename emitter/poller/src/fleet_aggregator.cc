#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "sonde/ascii.h"
#include "sonde/fleet_report.h"
#include "sonde/percent_display.h"

namespace sonde::fleet {
namespace {

constexpr const char* kUnknown = "unknown";

std::optional<double> FindCount(const TargetRecord& r, const std::string& key) {
  auto it = r.numbers.find(key);
  // A negative count is nonsense from the page; treat it as absent rather
  // than let it push a rate past 100 %.
  if (it == r.numbers.end() || !std::isfinite(it->second) || it->second < 0) return std::nullopt;
  return it->second;
}

std::string FindString(const TargetRecord& r, const std::string& key) {
  auto it = r.strings.find(key);
  if (it != r.strings.end() && !it->second.empty()) return it->second;
  // A page may give the version as a bare number ("version": 2).
  auto num = r.numbers.find(key);
  if (num != r.numbers.end()) return fmt::format("{}", num->second);
  return kUnknown;
}

// Nearest-rank percentile of a sorted, non-empty vector.
double Percentile(const std::vector<double>& sorted, double p) {
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

LatencySummary Summarize(std::vector<double> latencies) {
  LatencySummary s;
  if (latencies.empty()) return s;
  std::sort(latencies.begin(), latencies.end());
  s.count = latencies.size();
  s.min_ms = latencies.front();
  s.p50_ms = Percentile(latencies, 50);
  s.p90_ms = Percentile(latencies, 90);
  s.p99_ms = Percentile(latencies, 99);
  s.max_ms = latencies.back();
  return s;
}

QosVerdict Judge(uint64_t targets, uint64_t answered, double required) {
  QosVerdict q;
  q.required_percent = required;
  if (targets == 0) {
    q.met = required <= 0;
    q.message = fmt::format("QoS {}: no targets", q.met ? "met" : "not met");
    return q;
  }
  q.answered_percent = 100.0 * static_cast<double>(answered) / static_cast<double>(targets);
  // Compare without dividing so that "exactly -q percent" is exact.
  q.met = static_cast<double>(answered) * 100.0 >= required * static_cast<double>(targets);
  // Rounded down: 98.996 % below a QoS of 99 must not read "99.00%".
  q.message = fmt::format("QoS {}: {} of {} targets answered ({}), {} {}%",
                          q.met ? "met" : "not met", answered, targets,
                          DisplayPercent(q.answered_percent, 2),
                          q.met ? "required" : "below the required", required);
  return q;
}

// The success-rate columns a group field must not be named after.
constexpr const char* kReservedColumns[] = {"targets", "requests", "successes", "errors",
                                            "success_rate_percent"};

Status ValidateGroupBy(const std::vector<std::string>& group_by) {
  if (group_by.size() > kMaxGroupFields) {
    return Status::InvalidArgument(
        fmt::format("group_by names {} fields, at most {}", group_by.size(), kMaxGroupFields));
  }
  std::vector<std::string> seen;
  for (const std::string& field : group_by) {
    const std::string name = AsciiLower(field);
    if (name.empty()) return Status::InvalidArgument("group_by has an empty field name");
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return Status::InvalidArgument(fmt::format("group_by names '{}' twice", field));
    }
    for (const char* reserved : kReservedColumns) {
      if (name == reserved) {
        return Status::InvalidArgument(
            fmt::format("group_by cannot use '{}': the report has a column of that name", field));
      }
    }
    seen.push_back(name);
  }
  return Status::OK();
}

std::optional<double> Rate(double successes, double requests) {
  if (requests <= 0) return std::nullopt;
  return successes / requests * 100.0;
}

}  // namespace

Status FleetReportOptions::Validate() const {
  if (!(qos_percent >= 0 && qos_percent <= 100)) {
    return Status::InvalidArgument(fmt::format("qos_percent {} is outside [0, 100]", qos_percent));
  }
  const std::pair<const char*, const std::string*> fields[] = {
      {"application_field", &application_field}, {"version_field", &version_field},
      {"requests_field", &requests_field},       {"successes_field", &successes_field},
      {"errors_field", &errors_field},
  };
  for (const auto& [name, value] : fields) {
    if (value->empty()) return Status::InvalidArgument(fmt::format("{} is empty", name));
  }
  return ValidateGroupBy(group_by);
}

FleetAggregator::FleetAggregator(FleetReportOptions options) : options_(std::move(options)) {
  options_.application_field = AsciiLower(options_.application_field);
  options_.version_field = AsciiLower(options_.version_field);
  options_.requests_field = AsciiLower(options_.requests_field);
  options_.successes_field = AsciiLower(options_.successes_field);
  options_.errors_field = AsciiLower(options_.errors_field);
  if (options_.group_by.empty()) {
    group_fields_ = {options_.application_field, options_.version_field};
    group_names_ = {"application", "version"};
  } else {
    for (const std::string& field : options_.group_by) group_fields_.push_back(AsciiLower(field));
    group_names_ = group_fields_;
  }
}

void FleetAggregator::Add(const TargetRecord& record) {
  ++targets_;
  if (record.up) {
    ++answered_;
  } else {
    // A down record without a class still counts as a failure.
    FailureClass c = record.failure == FailureClass::kNone ? FailureClass::kOther : record.failure;
    ++failures_[static_cast<size_t>(c)];
  }
  if (record.latency_ms >= 0 && std::isfinite(record.latency_ms)) {
    latencies_ms_.push_back(record.latency_ms);
  }
  if (record.up && options_.success_rate) AddToGroup(record);
}

void FleetAggregator::AddToGroup(const TargetRecord& record) {
  key_.resize(group_fields_.size());
  for (size_t i = 0; i < group_fields_.size(); ++i) key_[i] = FindString(record, group_fields_[i]);
  Group& g = groups_[key_];
  ++g.targets;
  std::optional<double> req = FindCount(record, options_.requests_field);
  std::optional<double> ok = FindCount(record, options_.successes_field);
  std::optional<double> err = FindCount(record, options_.errors_field);
  if (!req && ok && err) req = *ok + *err;
  if (!ok && req && err) ok = std::max(0.0, *req - *err);
  if (!err && req && ok) err = std::max(0.0, *req - *ok);
  if (!req || !ok || !err) return;
  g.requests += *req;
  g.successes += *ok;
  g.errors += *err;
}

FleetReport FleetAggregator::Report() const {
  FleetReport r;
  r.targets = targets_;
  r.answered = answered_;
  r.failed = targets_ - answered_;
  r.failures = failures_;
  r.latency = Summarize(latencies_ms_);
  r.qos = Judge(targets_, answered_, options_.qos_percent);
  r.has_success_rate = options_.success_rate;
  if (options_.success_rate) r.group_by = group_names_;
  double all_requests = 0;
  double all_successes = 0;
  for (const auto& [key, g] : groups_) {
    r.success.push_back(SuccessRateRow{key, g.targets, g.requests, g.successes, g.errors,
                                       Rate(g.successes, g.requests)});
    all_requests += g.requests;
    all_successes += g.successes;
  }
  std::stable_sort(r.success.begin(), r.success.end(),
                   [](const SuccessRateRow& a, const SuccessRateRow& b) {
                     for (size_t i = 0; i < a.group.size(); ++i) {
                       if (a.group[i] != b.group[i]) return NaturalLess(a.group[i], b.group[i]);
                     }
                     return false;
                   });
  r.overall_success_rate_percent = Rate(all_successes, all_requests);
  return r;
}

FleetReport BuildFleetReport(const std::vector<TargetRecord>& records,
                             const FleetReportOptions& options) {
  FleetAggregator aggregator(options);
  for (const TargetRecord& r : records) aggregator.Add(r);
  return aggregator.Report();
}

bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      // Compare digit runs by value: skip leading zeros, then length, then digits.
      size_t ei = i;
      size_t ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      size_t zi = i;
      size_t zj = j;
      while (zi + 1 < ei && a[zi] == '0') ++zi;
      while (zj + 1 < ej && b[zj] == '0') ++zj;
      if (ei - zi != ej - zj) return ei - zi < ej - zj;
      int c = a.compare(zi, ei - zi, b, zj, ej - zj);
      if (c != 0) return c < 0;
      i = ei;
      j = ej;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;  // Equal by value ("01" vs "1"): fall back to a total order.
}

}  // namespace sonde::fleet

// The fleet report: what ClusterStats printed, computed once for sonde-poller's
// one-shot report and for the query tool over the pipeline's latest state.
//
// Feed TargetRecords to a FleetAggregator one at a time, then read a
// FleetReport: totals, failures by class, the latency distribution, the QoS
// verdict and (optionally) success counts and rates by application and
// version, or by any fields (group_by). The aggregator keeps sums and one
// double per answered target, not the records; render them with
// sonde/fleet_render.h.
//
// Success rate (ClusterStats -s). For status pages such as
//   {"Application": "Cache2", "Version": "1.0.1", "Request_Count": 100,
//    "Success_Count": 97, "Error_Count": 3}
// the rate of a group is sum(success) / sum(requests) over the answered
// targets of that group. When one of the three counts is missing it is
// derived from the other two (requests = success + errors, ...); a target
// with fewer than two of them counts in `targets` but not in the sums.
//
// Thread-safety: a FleetAggregator is used by one thread at a time; a
// FleetReport is a value.
#ifndef SONDE_FLEET_REPORT_H_
#define SONDE_FLEET_REPORT_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sonde/status.h"
#include "sonde/target_record.h"

namespace sonde::fleet {

struct FleetReportOptions {
  // QoS: the share of targets that must answer, in percent (ClusterStats -q).
  // Met when answered * 100 >= qos_percent * targets; exactly qos_percent meets it.
  // Default: 99.
  double qos_percent = 99;

  // Whether to group success counts (ClusterStats -s), by application and
  // version unless group_by says otherwise. Default: false.
  bool success_rate = false;

  // The status-page fields to group success counts by, in order: one to
  // kMaxGroupFields of them, matched without regard to case. The report
  // names its group columns after them.
  // Default: empty, meaning application_field then version_field, in
  // columns named "application" and "version".
  std::vector<std::string> group_by;

  // The status-page fields that hold the grouping keys and the counts. Matched
  // against the record's (lowercased) keys without regard to case.
  // Default: "application", "version", "request_count", "success_count",
  // "error_count".
  std::string application_field = "application";
  std::string version_field = "version";
  std::string requests_field = "request_count";
  std::string successes_field = "success_count";
  std::string errors_field = "error_count";

  // Returns InvalidArgument when qos_percent is outside [0, 100], a field
  // name is empty, or group_by has too many, repeated or reserved names
  // (those of the report's own columns: targets, requests, ...).
  Status Validate() const;
};

inline constexpr size_t kMaxGroupFields = 8;

// Nearest-rank percentiles of the latencies of targets that answered HTTP.
struct LatencySummary {
  uint64_t count = 0;
  double min_ms = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  bool operator==(const LatencySummary&) const = default;
};

// One group: by default an (application, version) pair. A missing field
// reads as "unknown".
struct SuccessRateRow {
  std::vector<std::string> group;  // One value per FleetReport::group_by column.
  uint64_t targets = 0;            // Answered targets in the group.
  double requests = 0;             // Sums over the targets that report counts.
  double successes = 0;
  double errors = 0;
  // successes / requests * 100; nullopt when requests == 0.
  std::optional<double> success_rate_percent;
  bool operator==(const SuccessRateRow&) const = default;
};

struct QosVerdict {
  double required_percent = 0;
  double answered_percent = 0;  // 0 when there are no targets.
  bool met = false;
  std::string message;  // One line, e.g. "QoS not met: 95 of 100 targets answered ...".
  bool operator==(const QosVerdict&) const = default;
};

struct FleetReport {
  uint64_t targets = 0;
  uint64_t answered = 0;  // up == true.
  uint64_t failed = 0;
  std::array<uint64_t, kFailureClassCount> failures{};  // Indexed by FailureClass; [kNone] is 0.
  LatencySummary latency;
  QosVerdict qos;
  bool has_success_rate = false;  // options.success_rate.
  // The names of the group columns: "application", "version" by default,
  // else the (lowercased) group_by fields.
  std::vector<std::string> group_by;
  std::vector<SuccessRateRow> success;  // Sorted by group, column by column (natural order).
  // Overall success rate over every group; nullopt when no requests.
  std::optional<double> overall_success_rate_percent;

  uint64_t failures_of(FailureClass c) const { return failures[static_cast<size_t>(c)]; }
};

class FleetAggregator {
 public:
  // REQUIRES: options.Validate().ok().
  explicit FleetAggregator(FleetReportOptions options);

  // Counts one target. Call once per target.
  void Add(const TargetRecord& record);

  // The report over everything added so far. Does not reset the aggregator.
  FleetReport Report() const;

  const FleetReportOptions& options() const { return options_; }

 private:
  struct Group {
    uint64_t targets = 0;
    double requests = 0;
    double successes = 0;
    double errors = 0;
  };
  void AddToGroup(const TargetRecord& record);

  FleetReportOptions options_;
  std::vector<std::string> group_fields_;  // Lowercased.
  std::vector<std::string> group_names_;   // Column names.
  uint64_t targets_ = 0;
  uint64_t answered_ = 0;
  std::array<uint64_t, kFailureClassCount> failures_{};
  std::vector<double> latencies_ms_;
  std::map<std::vector<std::string>, Group> groups_;
  std::vector<std::string> key_;  // Scratch for AddToGroup.
};

// Convenience: aggregates `records` in one call.
FleetReport BuildFleetReport(const std::vector<TargetRecord>& records,
                             const FleetReportOptions& options);

// Orders strings with runs of digits compared as numbers: "1.0.9" < "1.0.10".
bool NaturalLess(const std::string& a, const std::string& b);

}  // namespace sonde::fleet

#endif  // SONDE_FLEET_REPORT_H_

// The samples sonde-poller emits for each poll, and the way back: rebuilding a
// TargetRecord from a target's latest samples, so that the query tool's
// reports (`sonde report success-rate`, `sonde health`) read the pipeline's
// state with the same meaning the poller gave it. docs/poller.md, "Samples".
//
// Per target (source = "host" or "host:port"), every poll:
//   up               gauge  1 when the page was fetched and parsed, else 0
//   poll.failure     gauge  FailureClass code (0 none, 1 refused, ... 9 other)
//   poll.attempts    gauge  requests made, retries included
//   http.status      gauge  HTTP status code (only when one arrived)
//   http.latency_ms  timing time of the last attempt (only when HTTP answered)
// and, when up, each numeric field of the status page under its normalized
// key (tagged with the page's string fields). A field whose key is one of the
// names above, or starts with "poll.", "http." or "field.", is emitted as
// "field.<key>" so that a page cannot overwrite the poller's own samples
// (RecordFromSamples strips exactly one "field." again).
//
// The poller's own samples carry no tags, so that their series stay one series
// per target whatever the page says (a new version must not split `up`).
//
// Thread-safety: reentrant.
#ifndef SONDE_POLL_METRICS_H_
#define SONDE_POLL_METRICS_H_

#include <span>
#include <string>
#include <string_view>

#include "sonde/sample.h"
#include "sonde/target_record.h"

namespace sonde::fleet {

inline constexpr std::string_view kUpMetric = "up";
inline constexpr std::string_view kFailureMetric = "poll.failure";
inline constexpr std::string_view kAttemptsMetric = "poll.attempts";
inline constexpr std::string_view kHttpStatusMetric = "http.status";
inline constexpr std::string_view kLatencyMetric = "http.latency_ms";
inline constexpr std::string_view kFieldPrefix = "field.";

// True for the poller's own sample names above.
bool IsPollerMetric(std::string_view name);

// The sample name for a status-page field key: the key itself, or
// "field.<key>" when it would collide with the poller's own names.
std::string FieldMetricName(std::string_view key);

// Rebuilds the record of `source` from its latest samples (any order; when a
// name appears more than once, the newest timestamp wins). Field samples'
// tags become `strings`; a target without an `up` sample is reported down
// with failure kOther and error "no up sample".
TargetRecord RecordFromSamples(std::string_view source, std::span<const Sample> latest);

}  // namespace sonde::fleet

#endif  // SONDE_POLL_METRICS_H_

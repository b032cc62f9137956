// TargetRecord: what one poll of one target's status page found. It is the
// input of the fleet report (sonde/fleet_report.h), produced by sonde-poller
// for each target and rebuilt by the query tool from the pipeline's latest
// state (sonde/poll_metrics.h).
//
// Thread-safety: a TargetRecord is a value; FailureClass functions are
// reentrant.
#ifndef SONDE_TARGET_RECORD_H_
#define SONDE_TARGET_RECORD_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace sonde::fleet {

// Why a poll failed. The numeric values are stable: sonde-poller emits them
// as the `poll.failure` sample (docs/poller.md), so never renumber.
enum class FailureClass : uint8_t {
  kNone = 0,          // "none": the page was fetched and parsed.
  kRefused = 1,       // "refused": connection refused (nothing listens).
  kDns = 2,           // "dns": the name did not resolve.
  kTimeout = 3,       // "timeout": connect, total or low-speed timeout.
  kHttp4xx = 4,       // "http_4xx": the server answered 400-499.
  kHttp5xx = 5,       // "http_5xx": the server answered 500-599.
  kInvalidJson = 6,   // "invalid_json": 2xx, but the body is not a JSON object.
  kBodyTooLarge = 7,  // "body_too_large": the body passed the size cap.
  kTls = 8,           // "tls": handshake or certificate failure.
  kOther = 9,         // "other": reset, empty reply, bad redirect, other HTTP codes.
};
inline constexpr int kFailureClassCount = 10;

// Stable snake_case name, e.g. "http_5xx".
const char* FailureClassName(FailureClass failure);
// Parses a name above; false when unknown.
bool ParseFailureClass(std::string_view name, FailureClass* failure);
// Maps a stable code back to its class; false when out of range.
bool FailureClassFromCode(int64_t code, FailureClass* failure);

// One target's result. `numbers` and `strings` hold the status page's fields
// as normalized by the poller: keys lowercased, nested keys joined with '.',
// numbers given as strings ("56%") converted.
struct TargetRecord {
  std::string target;  // "host" or "host:port" as listed; the sample source.
  bool up = false;     // The page was fetched (2xx) and parsed.
  FailureClass failure = FailureClass::kNone;
  int http_status = 0;                         // 0 when no HTTP response arrived.
  double latency_ms = -1;                      // Time of the last attempt; < 0 when unknown.
  int attempts = 0;                            // Requests made (1 + retries); 0 when unknown.
  std::string error;                           // Human-readable cause when !up; empty otherwise.
  std::map<std::string, double> numbers;       // Numeric fields.
  std::map<std::string, std::string> strings;  // String fields (tags).

  bool operator==(const TargetRecord&) const = default;
};

}  // namespace sonde::fleet

#endif  // SONDE_TARGET_RECORD_H_

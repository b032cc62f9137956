// The JSON of the summarizer's HTTP API (docs/http-api.md): the documents
// served under /api/v1/ and the code that writes and reads them, so that a
// client (`sonde --url`) parses exactly what the server writes.
//
//   GET /api/v1/hosts                  -> HostsResponse
//   GET /api/v1/series?host=H          -> SeriesResponse
//   GET /api/v1/rollups?host=H&...     -> RollupsResponse
//   GET /api/v1/latest?...             -> LatestResponse
//   any 4xx/5xx                        -> ErrorResponse {"error": "..."}
//
// nlohmann_json's ADL hooks (to_json/from_json) are provided for every type
// here and for sonde::HostInfo and sonde::LatestState. As nlohmann requires,
// from_json reports a bad document by throwing nlohmann::json::exception;
// the Parse* functions below wrap that and return Corruption instead, so
// callers that prefer Sonde's error style never see an exception.
//
// Numbers: times are integer milliseconds since the Unix epoch (UTC);
// series ids are 16 lowercase hex digits in a string (a uint64 does not fit
// a JavaScript number); a statistic that does not exist (the avg of an
// empty window) is null in JSON and NaN in C++.
//
// Thread-safety: pure functions on value types.
#ifndef SONDE_API_JSON_H_
#define SONDE_API_JSON_H_

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sonde/latest_state.h"
#include "sonde/rollup_window.h"
#include "sonde/sample.h"
#include "sonde/series_key.h"
#include "sonde/status.h"

namespace sonde {

// {"host": "web-01", "first_seen_ms": 1704067200000, "last_seen_ms": ...}
void to_json(nlohmann::json& j, const HostInfo& h);
void from_json(const nlohmann::json& j, HostInfo& h);

// {"id": "9f86d081884c7d65", "host": "web-01", "name": "cpu",
//  "tags": {"core": "0"}, "kind": "gauge", "value": 4.9,
//  "timestamp_ms": 1704067200000}
// from_json rebuilds the canonical SeriesKey (SeriesKey::Make) and throws
// json::other_error when it is invalid (empty host, ...).
void to_json(nlohmann::json& j, const LatestState& s);
void from_json(const nlohmann::json& j, LatestState& s);

namespace api {

// One rollup window as served: its bounds and every statistic the API
// offers, already derived (avg, rate and quantiles are computed by the
// server from the stored window and its sketch, and the rate of an open
// window from the time it has covered by the query's now).
struct WindowStats {
  int64_t start_ms = 0;  // Inclusive, aligned to the resolution (UTC).
  int64_t end_ms = 0;    // Exclusive.
  uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  double last = 0;      // The value with the latest timestamp.
  int64_t last_ms = 0;  // That timestamp.
  double avg = 0;       // sum / count (gauges and timings).
  double rate = 0;      // sum per second covered: RollupWindow::RatePerSec.
  double p50 = 0;       // Quantiles within QuantileSketch::kRelativeAccuracy
  double p90 = 0;       // (2 %) of the exact ones, clamped to [min, max].
  double p99 = 0;
  bool open = false;  // Still receiving samples (the current window).

  bool operator==(const WindowStats&) const = default;
};

// The served form of a stored window read at `now_ms` (ms since the epoch:
// the query's now, which only an open window's rate depends on).
WindowStats StatsOf(const RollupWindow& window, int64_t now_ms);

// One series over a whole query range: what `sonde get` prints on its row.
// Counts, sums and extremes add up over the windows; the quantiles come from
// the merge of the windows' sketches, so they are the quantiles of every
// sample in the range within QuantileSketch::kRelativeAccuracy (2 %), never
// a maximum or an average of per-window quantiles.
struct RangeSummary {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  uint64_t windows = 0;  // Windows summarized.
  uint64_t count = 0;    // Samples.
  double sum = 0;
  double avg = kNaN;  // sum / count.
  double min = kNaN;
  double max = kNaN;
  double p50 = kNaN;  // Quantiles of the merged sketch, clamped to [min, max].
  double p90 = kNaN;
  double p99 = kNaN;
  double rate = kNaN;    // sum per second from start_ms to the last window's
                         // covered end (end_ms, or now while it is open).
  int64_t start_ms = 0;  // The first window's start.
  int64_t end_ms = 0;    // The last window's end.
};

// Summarizes stored windows (ascending by start) read at `now_ms` (as
// StatsOf). Empty windows count for nothing but the window count; no
// samples gives NaN statistics.
RangeSummary SummaryOf(std::span<const RollupWindow> windows, int64_t now_ms);

// One series, its windows ascending by start, and their summary.
struct SeriesWindows {
  LatestState series;
  std::vector<WindowStats> windows;
  RangeSummary summary;
};

// The served form of a series' stored windows read at `now_ms` (StatsOf
// each, SummaryOf all).
SeriesWindows ServeWindows(LatestState series, std::span<const RollupWindow> windows,
                           int64_t now_ms);

// GET /api/v1/hosts: {"hosts": [HostInfo...]} sorted by host.
struct HostsResponse {
  std::vector<HostInfo> hosts;
};

// GET /api/v1/series?host=H: {"host": "H", "series": [LatestState...]}.
struct SeriesResponse {
  std::string host;
  std::vector<LatestState> series;
};

// GET /api/v1/rollups: {"host": "H", "label": "cpu", "resolution": "minute",
// "from_ms": ..., "to_ms": ..., "series": [{"series": LatestState,
// "windows": [WindowStats...], "summary": RangeSummary}...]}.
struct RollupsResponse {
  std::string host;
  std::string label;
  Resolution resolution = Resolution::kMinute;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::vector<SeriesWindows> series;
};

// GET /api/v1/latest: {"latest": [LatestState...]} sorted by host, name, tags.
struct LatestResponse {
  std::vector<LatestState> latest;
};

// Every error: {"error": "unknown host 'web-9'"}.
struct ErrorResponse {
  std::string error;
};

void to_json(nlohmann::json& j, const WindowStats& w);
void from_json(const nlohmann::json& j, WindowStats& w);
void to_json(nlohmann::json& j, const RangeSummary& s);
void from_json(const nlohmann::json& j, RangeSummary& s);
void to_json(nlohmann::json& j, const SeriesWindows& s);
void from_json(const nlohmann::json& j, SeriesWindows& s);
void to_json(nlohmann::json& j, const HostsResponse& r);
void from_json(const nlohmann::json& j, HostsResponse& r);
void to_json(nlohmann::json& j, const SeriesResponse& r);
void from_json(const nlohmann::json& j, SeriesResponse& r);
void to_json(nlohmann::json& j, const RollupsResponse& r);
void from_json(const nlohmann::json& j, RollupsResponse& r);
void to_json(nlohmann::json& j, const LatestResponse& r);
void from_json(const nlohmann::json& j, LatestResponse& r);
void to_json(nlohmann::json& j, const ErrorResponse& r);
void from_json(const nlohmann::json& j, ErrorResponse& r);

// Series ids in JSON: 16 lowercase hex digits.
std::string FormatSeriesId(SeriesId id);
// Returns false when `text` is not 1 to 16 hex digits.
bool ParseSeriesId(std::string_view text, SeriesId* id);

// Parses a response body. Returns Corruption naming what is wrong (not
// JSON, a missing or mistyped field, an invalid series key); never throws.
Result<HostsResponse> ParseHostsResponse(std::string_view body);
Result<SeriesResponse> ParseSeriesResponse(std::string_view body);
Result<RollupsResponse> ParseRollupsResponse(std::string_view body);
Result<LatestResponse> ParseLatestResponse(std::string_view body);
Result<ErrorResponse> ParseErrorResponse(std::string_view body);

// Serializes a response (compact JSON, non-finite numbers as null).
template <typename T>
std::string ToJsonText(const T& response) {
  nlohmann::json j = response;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace api
}  // namespace sonde

#endif  // SONDE_API_JSON_H_

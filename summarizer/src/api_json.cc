// JSON of the HTTP API (docs/http-api.md). The one adapter for
// nlohmann_json in the summarizer: its exceptions stop at Parse*().
#include "sonde/api_json.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace sonde {
namespace {

using nlohmann::json;

// A statistic: null in JSON when it does not exist (NaN).
json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

double GetNum(const json& j, const char* key) {
  const json& v = j.at(key);
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) {
    throw json::type_error::create(302, std::string("'") + key + "' must be a number or null", &j);
  }
  return v.get<double>();
}

// The statistics WindowStats and RangeSummary share, by JSON key: written
// and read by one loop so that both documents spell them alike.
template <typename T>
constexpr std::pair<const char*, double T::*> kStatistics[] = {
    {"sum", &T::sum},   {"avg", &T::avg}, {"min", &T::min}, {"max", &T::max},
    {"rate", &T::rate}, {"p50", &T::p50}, {"p90", &T::p90}, {"p99", &T::p99}};

template <typename T>
void PutStatistics(json& j, const T& v) {
  for (const auto& [key, member] : kStatistics<T>) j[key] = Num(v.*member);
}

template <typename T>
void GetStatistics(const json& j, T& v) {
  for (const auto& [key, member] : kStatistics<T>) v.*member = GetNum(j, key);
}

const char* KindName(MetricKind k) { return MetricKindName(k); }

MetricKind ParseKindOrThrow(const json& j) {
  MetricKind kind;
  std::string text = j.at("kind").get<std::string>();
  if (!ParseMetricKind(text, &kind)) {
    throw json::other_error::create(501, "unknown kind '" + text + "'", &j);
  }
  return kind;
}

template <typename T>
Result<T> ParseAs(std::string_view body, const char* what) {
  try {
    json j = json::parse(body.begin(), body.end());
    return j.get<T>();
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("bad ") + what + " response: " + e.what());
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("bad ") + what + " response: " + e.what());
  }
}

}  // namespace

void to_json(json& j, const HostInfo& h) {
  j = json{{"host", h.host}, {"first_seen_ms", h.first_seen_ms}, {"last_seen_ms", h.last_seen_ms}};
}

void from_json(const json& j, HostInfo& h) {
  j.at("host").get_to(h.host);
  j.at("first_seen_ms").get_to(h.first_seen_ms);
  j.at("last_seen_ms").get_to(h.last_seen_ms);
}

void to_json(json& j, const LatestState& s) {
  json tags = json::object();
  for (const Tag& t : s.key.tags()) tags[t.key] = t.value;
  j = json{{"id", api::FormatSeriesId(s.id)}, {"host", s.key.host()},     {"name", s.key.name()},
           {"tags", std::move(tags)},         {"kind", KindName(s.kind)}, {"value", Num(s.value)},
           {"timestamp_ms", s.timestamp_ms}};
}

void from_json(const json& j, LatestState& s) {
  std::string id_text = j.at("id").get<std::string>();
  if (!api::ParseSeriesId(id_text, &s.id)) {
    throw json::other_error::create(501, "bad series id '" + id_text + "'", &j);
  }
  Tags tags;
  for (const auto& [k, v] : j.at("tags").items()) tags.push_back(Tag{k, v.get<std::string>()});
  auto key = SeriesKey::Make(j.at("host").get<std::string>(), j.at("name").get<std::string>(),
                             std::move(tags));
  if (!key.has_value()) throw json::other_error::create(501, key.error().message(), &j);
  s.key = std::move(key).value();
  s.kind = ParseKindOrThrow(j);
  s.value = GetNum(j, "value");
  j.at("timestamp_ms").get_to(s.timestamp_ms);
}

namespace api {

std::string FormatSeriesId(SeriesId id) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, id);
  return buf;
}

bool ParseSeriesId(std::string_view text, SeriesId* id) {
  if (text.empty() || text.size() > 16) return false;
  uint64_t v = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *id = v;
  return true;
}

WindowStats StatsOf(const RollupWindow& w, int64_t now_ms) {
  WindowStats s;
  s.start_ms = w.start_ms();
  s.end_ms = w.end_ms();
  s.count = w.count();
  s.sum = w.sum();
  s.min = w.min();
  s.max = w.max();
  s.last = w.last();
  s.last_ms = w.last_ms();
  s.avg = w.avg();
  s.rate = w.RatePerSec(now_ms);
  s.p50 = w.Quantile(0.5);
  s.p90 = w.Quantile(0.9);
  s.p99 = w.Quantile(0.99);
  s.open = w.open();
  return s;
}

RangeSummary SummaryOf(std::span<const RollupWindow> windows, int64_t now_ms) {
  RangeSummary out;
  if (windows.empty()) return out;
  out.windows = windows.size();
  out.start_ms = windows.front().start_ms();
  out.end_ms = windows.back().end_ms();
  QuantileSketch merged;
  for (const RollupWindow& w : windows) {
    if (w.empty()) continue;
    const bool first = out.count == 0;
    out.min = first ? w.min() : std::min(out.min, w.min());
    out.max = first ? w.max() : std::max(out.max, w.max());
    out.count += w.count();
    out.sum += w.sum();
    merged.Merge(w.sketch());
  }
  if (out.count == 0) return out;
  out.avg = out.sum / static_cast<double>(out.count);
  // Clamped as RollupWindow::Quantile is, so that a one-value range reads
  // back exactly.
  out.p50 = std::clamp(merged.Quantile(0.5), out.min, out.max);
  out.p90 = std::clamp(merged.Quantile(0.9), out.min, out.max);
  out.p99 = std::clamp(merged.Quantile(0.99), out.min, out.max);
  // The range ends where its last window's samples do: at now while that
  // window is open (RollupWindow::CoveredMs), so that the current window
  // does not dilute the range's rate either.
  const RollupWindow& last = windows.back();
  const double seconds =
      (static_cast<double>(last.start_ms()) + static_cast<double>(last.CoveredMs(now_ms)) -
       static_cast<double>(out.start_ms)) /
      1000.0;
  if (seconds > 0) out.rate = out.sum / seconds;
  return out;
}

SeriesWindows ServeWindows(LatestState series, std::span<const RollupWindow> windows,
                           int64_t now_ms) {
  SeriesWindows s;
  s.series = std::move(series);
  s.windows.reserve(windows.size());
  for (const RollupWindow& w : windows) s.windows.push_back(StatsOf(w, now_ms));
  s.summary = SummaryOf(windows, now_ms);
  return s;
}

void to_json(json& j, const RangeSummary& s) {
  j = json{
      {"windows", s.windows}, {"count", s.count}, {"start_ms", s.start_ms}, {"end_ms", s.end_ms}};
  PutStatistics(j, s);
}

void from_json(const json& j, RangeSummary& s) {
  j.at("windows").get_to(s.windows);
  j.at("count").get_to(s.count);
  j.at("start_ms").get_to(s.start_ms);
  j.at("end_ms").get_to(s.end_ms);
  GetStatistics(j, s);
}

void to_json(json& j, const WindowStats& w) {
  j = json{{"start_ms", w.start_ms}, {"end_ms", w.end_ms},   {"count", w.count},
           {"last", Num(w.last)},    {"last_ms", w.last_ms}, {"open", w.open}};
  PutStatistics(j, w);
}

void from_json(const json& j, WindowStats& w) {
  j.at("start_ms").get_to(w.start_ms);
  j.at("end_ms").get_to(w.end_ms);
  j.at("count").get_to(w.count);
  w.last = GetNum(j, "last");
  j.at("last_ms").get_to(w.last_ms);
  j.at("open").get_to(w.open);
  GetStatistics(j, w);
}

void to_json(json& j, const SeriesWindows& s) {
  j = json{{"series", s.series}, {"windows", s.windows}, {"summary", s.summary}};
}

void from_json(const json& j, SeriesWindows& s) {
  j.at("series").get_to(s.series);
  j.at("windows").get_to(s.windows);
  j.at("summary").get_to(s.summary);
}

void to_json(json& j, const HostsResponse& r) { j = json{{"hosts", r.hosts}}; }
void from_json(const json& j, HostsResponse& r) { j.at("hosts").get_to(r.hosts); }

void to_json(json& j, const SeriesResponse& r) { j = json{{"host", r.host}, {"series", r.series}}; }
void from_json(const json& j, SeriesResponse& r) {
  j.at("host").get_to(r.host);
  j.at("series").get_to(r.series);
}

void to_json(json& j, const RollupsResponse& r) {
  j = json{{"host", r.host},       {"label", r.label}, {"resolution", ResolutionName(r.resolution)},
           {"from_ms", r.from_ms}, {"to_ms", r.to_ms}, {"series", r.series}};
}

void from_json(const json& j, RollupsResponse& r) {
  j.at("host").get_to(r.host);
  j.at("label").get_to(r.label);
  std::string res = j.at("resolution").get<std::string>();
  if (!ParseResolution(res, &r.resolution)) {
    throw json::other_error::create(501, "unknown resolution '" + res + "'", &j);
  }
  j.at("from_ms").get_to(r.from_ms);
  j.at("to_ms").get_to(r.to_ms);
  j.at("series").get_to(r.series);
}

void to_json(json& j, const LatestResponse& r) { j = json{{"latest", r.latest}}; }
void from_json(const json& j, LatestResponse& r) { j.at("latest").get_to(r.latest); }

void to_json(json& j, const ErrorResponse& r) { j = json{{"error", r.error}}; }
void from_json(const json& j, ErrorResponse& r) { j.at("error").get_to(r.error); }

Result<HostsResponse> ParseHostsResponse(std::string_view body) {
  return ParseAs<HostsResponse>(body, "hosts");
}
Result<SeriesResponse> ParseSeriesResponse(std::string_view body) {
  return ParseAs<SeriesResponse>(body, "series");
}
Result<RollupsResponse> ParseRollupsResponse(std::string_view body) {
  return ParseAs<RollupsResponse>(body, "rollups");
}
Result<LatestResponse> ParseLatestResponse(std::string_view body) {
  return ParseAs<LatestResponse>(body, "latest");
}
Result<ErrorResponse> ParseErrorResponse(std::string_view body) {
  return ParseAs<ErrorResponse>(body, "error");
}

}  // namespace api
}  // namespace sonde

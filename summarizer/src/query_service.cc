#include "query_service.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "sonde/api_json.h"
#include "sonde/series_key.h"
#include "sonde/units.h"

namespace sonde::summarizer {
namespace {

using nlohmann::json;

// Per-series reads up to this many matches; above, one read of the host.
constexpr size_t kMaxPerSeriesReads = 8;

std::optional<std::string_view> Param(const QueryParams& q, std::string_view name) {
  for (const auto& [k, v] : q) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

bool ParseInt64(std::string_view text, int64_t* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

HttpResponse JsonResponse(const json& j) {
  return HttpResponse::Json(200, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// One element of liz's "averages", with Sonde's statistics beside liz's;
// `now_ms` is the query's now, which an open window's rate counts up to.
json LizAverage(const RollupWindow& w, int64_t now_ms) {
  const int64_t size_sec = ResolutionMs(w.resolution()) / 1000;
  return json{{"start-sec", w.start_ms() / 1000},
              {"end-sec", w.end_ms() / 1000},
              {"avg", Num(w.avg())},
              {"num-samples", w.count()},
              {"interval-size-sec", size_sec},
              {"min", Num(w.min())},
              {"max", Num(w.max())},
              {"sum", Num(w.sum())},
              {"last", Num(w.last())},
              {"rate", Num(w.RatePerSec(now_ms))},
              {"p50", Num(w.Quantile(0.5))},
              {"p90", Num(w.Quantile(0.9))},
              {"p99", Num(w.Quantile(0.99))}};
}

// The metric part of a summary key: the name, plus the tags in canonical
// form ("cpu{core=0}") when `ambiguous`.
std::string LizMetric(const LatestState& series, bool ambiguous) {
  return ambiguous ? series.key.NameWithTags() : series.key.name();
}

// Names may hold braces, so a metric named "cpu{core=0}" can get the same
// key as series "cpu" with tag core=0. Every series whose key is shared gets
// "#<series id>" appended. Ids are unique within a host and a suffixed key
// ends in its own id, so two suffixed keys never collide: a later round
// only suffixes keys that had none (a literal name like "a#<id>"), each
// series at most once, and the loop ends.
void SuffixSharedKeys(std::unordered_map<SeriesId, std::string>* keys) {
  std::unordered_set<SeriesId> suffixed;
  for (;;) {
    std::unordered_map<std::string_view, std::vector<SeriesId>> owners;
    for (const auto& [id, key] : *keys) owners[key].push_back(id);
    std::vector<SeriesId> to_suffix;
    for (const auto& [key, ids] : owners) {
      if (ids.size() < 2) continue;
      for (SeriesId id : ids) {
        if (!suffixed.contains(id)) to_suffix.push_back(id);
      }
    }
    owners.clear();  // Holds views of the keys about to change.
    if (to_suffix.empty()) return;
    for (SeriesId id : to_suffix) {
      (*keys)[id] += "#" + api::FormatSeriesId(id);
      suffixed.insert(id);
    }
  }
}

}  // namespace

QueryService::QueryService(Store* store, const Clock* clock,
                           std::chrono::milliseconds minute_retention,
                           std::chrono::milliseconds hour_retention)
    : store_(store),
      clock_(clock),
      minute_retention_(minute_retention),
      hour_retention_(hour_retention) {}

HttpResponse QueryService::StoreError(const Status& s) const {
  if (s.IsNotFound()) return HttpResponse::Error(404, s.message());
  if (s.IsInvalidArgument()) return HttpResponse::Error(400, s.message());
  return HttpResponse::Error(503, "store: " + s.ToString());
}

std::unordered_map<SeriesId, std::string> QueryService::LizMetricKeys(
    const std::vector<LatestState>& series, int64_t since_ms) {
  std::unordered_map<std::string_view, int> name_uses;
  for (const LatestState& l : series) {
    if (l.timestamp_ms >= since_ms) ++name_uses[l.key.name()];
  }
  std::unordered_map<SeriesId, std::string> keys;
  for (const LatestState& l : series) {
    if (l.timestamp_ms < since_ms) continue;
    keys.emplace(l.id, LizMetric(l, name_uses[l.key.name()] > 1));
  }
  SuffixSharedKeys(&keys);
  return keys;
}

HttpResponse QueryService::LizPerf(std::string_view host, std::string_view label) const {
  std::vector<LatestState> series;
  Status s = store_->ListSeries(host, &series);
  if (s.IsNotFound()) return HttpResponse::Error(404, "unknown host '" + std::string(host) + "'");
  if (!s.ok()) return StoreError(s);

  const int64_t now = clock_->WallMs();
  json out = json::object();
  for (Resolution res : {Resolution::kMinute, Resolution::kHour}) {
    const auto period = res == Resolution::kMinute ? minute_retention_ : hour_retention_;
    RollupQuery q;
    q.host = std::string(host);
    q.resolution = res;
    q.from_ms = WindowStart(now - period.count(), res);
    q.to_ms = now + 1;
    const std::string prefix =
        std::string("summary:by-") + (res == Resolution::kMinute ? "minute:" : "hour:");
    // Keys are decided over the series with data in the period before the
    // label selects, so that filtering never changes a key.
    std::unordered_map<SeriesId, std::string> keys;  // Matching series -> summary key.
    for (auto& [id, metric] : LizMetricKeys(series, q.from_ms)) {
      std::string key = prefix + metric;
      if (ContainsIgnoreCase(key, label)) keys.emplace(id, std::move(key));
    }
    if (keys.empty()) continue;
    std::vector<SeriesRollups> rollups;
    if (keys.size() <= kMaxPerSeriesReads) {
      for (const auto& [id, key] : keys) {
        q.series = id;
        std::vector<SeriesRollups> one;
        s = store_->ReadRollups(q, &one);
        if (s.IsNotFound()) continue;  // Expired between the two reads.
        if (!s.ok()) return StoreError(s);
        for (SeriesRollups& r : one) rollups.push_back(std::move(r));
      }
    } else {
      s = store_->ReadRollups(q, &rollups);
      if (!s.ok()) return StoreError(s);
    }
    for (const SeriesRollups& r : rollups) {
      auto k = keys.find(r.series.id);
      if (k == keys.end() || r.windows.empty()) continue;
      json averages = json::array();
      for (const RollupWindow& w : r.windows) {
        if (!w.empty()) averages.push_back(LizAverage(w, now));
      }
      const size_t count = averages.size();
      assert(!out.contains(k->second));  // LizMetricKeys made the keys unique.
      out[k->second] = json{{"averages", std::move(averages)},
                            {"start", q.from_ms / 1000},
                            {"end", now / 1000},
                            {"timeslice-size-sec", ResolutionMs(res) / 1000},
                            {"average-count", count}};
    }
  }
  return JsonResponse(out);
}

HttpResponse QueryService::LizHosts() const {
  std::vector<HostInfo> hosts;
  Status s = store_->ListHosts(&hosts);
  if (!s.ok()) return StoreError(s);
  json names = json::array();
  for (const HostInfo& h : hosts) names.push_back(h.host);
  return JsonResponse(json{{"hosts", std::move(names)}});
}

HttpResponse QueryService::Hosts() const {
  api::HostsResponse r;
  Status s = store_->ListHosts(&r.hosts);
  if (!s.ok()) return StoreError(s);
  return HttpResponse::Json(200, api::ToJsonText(r));
}

HttpResponse QueryService::Series(const QueryParams& query) const {
  auto host = Param(query, "host");
  if (!host || host->empty()) return HttpResponse::Error(400, "missing parameter 'host'");
  api::SeriesResponse r;
  r.host = std::string(*host);
  Status s = store_->ListSeries(*host, &r.series);
  if (s.IsNotFound()) return HttpResponse::Error(404, "unknown host '" + r.host + "'");
  if (!s.ok()) return StoreError(s);
  return HttpResponse::Json(200, api::ToJsonText(r));
}

HttpResponse QueryService::Rollups(const QueryParams& query) const {
  auto host = Param(query, "host");
  if (!host || host->empty()) return HttpResponse::Error(400, "missing parameter 'host'");
  RollupQuery q;
  q.host = std::string(*host);
  q.label = std::string(Param(query, "label").value_or(""));
  if (auto res = Param(query, "res"); res && !ParseResolution(*res, &q.resolution)) {
    return HttpResponse::Error(400,
                               "res must be 'minute' or 'hour', not '" + std::string(*res) + "'");
  }
  if (auto id = Param(query, "series"); id && !api::ParseSeriesId(*id, &q.series)) {
    return HttpResponse::Error(400,
                               "series must be a hex series id, not '" + std::string(*id) + "'");
  }
  const int64_t now = clock_->WallMs();
  auto since = Param(query, "since");
  auto from = Param(query, "from");
  auto to = Param(query, "to");
  if (since && (from || to)) return HttpResponse::Error(400, "give either since or from/to");
  if (from || to) {
    if (!from) return HttpResponse::Error(400, "'to' needs 'from'");
    if (!ParseInt64(*from, &q.from_ms))
      return HttpResponse::Error(400, "from must be an integer (ms)");
    q.to_ms = now + ResolutionMs(q.resolution);
    if (to && !ParseInt64(*to, &q.to_ms))
      return HttpResponse::Error(400, "to must be an integer (ms)");
  } else {
    std::chrono::milliseconds span =
        q.resolution == Resolution::kMinute ? std::chrono::hours(1) : std::chrono::hours(24);
    if (since) {
      auto d = ParseDuration(*since);
      if (!d.has_value()) return HttpResponse::Error(400, "since: " + d.error().message());
      span = *d;
    }
    q.from_ms = now - span.count();
    q.to_ms = now + 1;
  }
  if (q.from_ms >= q.to_ms) return HttpResponse::Error(400, "from must be before to");
  std::vector<SeriesRollups> rollups;
  Status s = store_->ReadRollups(q, &rollups);
  if (s.IsNotFound()) {
    return HttpResponse::Error(
        404, q.series != kNoSeriesId ? "unknown series" : "unknown host '" + q.host + "'");
  }
  if (!s.ok()) return StoreError(s);
  api::RollupsResponse r;
  r.host = q.host;
  r.label = q.label;
  r.resolution = q.resolution;
  r.from_ms = q.from_ms;
  r.to_ms = q.to_ms;
  for (SeriesRollups& sr : rollups) {
    if (sr.windows.empty()) continue;
    // The summary needs the sketches, which only the server has.
    r.series.push_back(api::ServeWindows(std::move(sr.series), sr.windows, now));
  }
  return HttpResponse::Json(200, api::ToJsonText(r));
}

HttpResponse QueryService::Latest(const QueryParams& query) const {
  LatestQuery q;
  q.host = std::string(Param(query, "host").value_or(""));
  q.label = std::string(Param(query, "label").value_or(""));
  for (const auto& [k, v] : query) {
    if (k != "where") continue;
    const size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      return HttpResponse::Error(400, "where must be key=value, not '" + v + "'");
    }
    q.where.push_back(Tag{v.substr(0, eq), v.substr(eq + 1)});
  }
  api::LatestResponse r;
  Status s = store_->ReadLatest(q, &r.latest);
  if (s.IsNotFound()) return HttpResponse::Error(404, "unknown host '" + q.host + "'");
  if (!s.ok()) return StoreError(s);
  return HttpResponse::Json(200, api::ToJsonText(r));
}

}  // namespace sonde::summarizer

// QueryService: the read side of the HTTP API (docs/http-api.md). Each
// method runs the store reads a route needs (each one short read
// transaction, results copied out) and renders the JSON, or the error, as
// an HttpResponse. No libuv here: the summarizer runs these on its query
// thread so that a big query never stalls ingest.
//
// Thread-safety: every method may run on any thread, concurrently (the
// Store is thread-safe and this class holds no mutable state).
#ifndef SONDE_SUMMARIZER_QUERY_SERVICE_H_
#define SONDE_SUMMARIZER_QUERY_SERVICE_H_

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sonde/clock.h"
#include "sonde/http_server.h"
#include "sonde/latest_state.h"
#include "sonde/rollup_window.h"
#include "sonde/store.h"

namespace sonde::summarizer {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

class QueryService {
 public:
  // `store` and `clock` are not owned and must outlive the service. The
  // retentions set the period liz's routes cover (their "start").
  QueryService(Store* store, const Clock* clock, std::chrono::milliseconds minute_retention,
               std::chrono::milliseconds hour_retention);

  // GET /api/perf/:host[/:label], liz's exact format.
  HttpResponse LizPerf(std::string_view host, std::string_view label) const;
  // GET /api/hosts: {"hosts": ["a", "b"]}.
  HttpResponse LizHosts() const;

  // GET /api/v1/hosts, /api/v1/series, /api/v1/rollups, /api/v1/latest.
  HttpResponse Hosts() const;
  HttpResponse Series(const QueryParams& query) const;
  HttpResponse Rollups(const QueryParams& query) const;
  HttpResponse Latest(const QueryParams& query) const;

  // The metric part of liz's summary keys (docs/http-api.md, "Summary
  // keys") for the series of one host with data since `since_ms` (their
  // latest sample at or after it; the others are left out), by series id:
  // the name, plus the tags in canonical form ("cpu{core=0}") when another
  // of those series has the same name, plus "#<series id>" when that key
  // would still be shared (a metric literally named "cpu{core=0}"). The
  // keys are unique.
  static std::unordered_map<SeriesId, std::string> LizMetricKeys(
      const std::vector<LatestState>& series, int64_t since_ms);

 private:
  HttpResponse StoreError(const Status& s) const;

  Store* store_;
  const Clock* clock_;
  std::chrono::milliseconds minute_retention_;
  std::chrono::milliseconds hour_retention_;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_QUERY_SERVICE_H_

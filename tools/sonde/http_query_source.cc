#include "http_query_source.h"

#include <limits>
#include <utility>

#include "http_client.h"
#include "sonde/api_json.h"

namespace sonde::tools {

namespace {

class HttpQuerySource : public QuerySource {
 public:
  HttpQuerySource(std::string base_url, int64_t timeout_ms)
      : base_url_(std::move(base_url)), timeout_ms_(timeout_ms) {}

  Status ListHosts(std::vector<HostInfo>* out) override {
    out->clear();
    Result<std::string> body = Get("/api/v1/hosts");
    if (!body) return body.error();
    Result<api::HostsResponse> r = api::ParseHostsResponse(*body);
    if (!r) return r.error();
    *out = std::move(r->hosts);
    return Status::OK();
  }

  Status ListSeries(std::string_view host, std::vector<LatestState>* out) override {
    out->clear();
    Result<std::string> body = Get("/api/v1/series?host=" + UrlEncode(host));
    if (!body) return body.error();
    Result<api::SeriesResponse> r = api::ParseSeriesResponse(*body);
    if (!r) return r.error();
    *out = std::move(r->series);
    return Status::OK();
  }

  // The server derives the rates at its own clock: the API takes no now.
  Status ReadRollups(const RollupQuery& q, int64_t /*now_ms*/,
                     std::vector<api::SeriesWindows>* out) override {
    out->clear();
    std::string path =
        "/api/v1/rollups?host=" + UrlEncode(q.host) + "&res=" + ResolutionName(q.resolution);
    if (q.series != kNoSeriesId) {
      path += "&series=" + api::FormatSeriesId(q.series);
    } else if (!q.label.empty()) {
      path += "&label=" + UrlEncode(q.label);
    }
    if (q.from_ms != std::numeric_limits<int64_t>::min()) {
      path += "&from=" + std::to_string(q.from_ms);
    }
    if (q.to_ms != std::numeric_limits<int64_t>::max()) path += "&to=" + std::to_string(q.to_ms);
    Result<std::string> body = Get(path);
    if (!body) return body.error();
    Result<api::RollupsResponse> r = api::ParseRollupsResponse(*body);
    if (!r) return r.error();
    *out = std::move(r->series);
    return Status::OK();
  }

  Status ReadLatest(const LatestQuery& q, std::vector<LatestState>* out) override {
    out->clear();
    std::string query;
    auto add = [&query](std::string_view name, std::string_view value) {
      query += query.empty() ? '?' : '&';
      query.append(name);
      query += '=';
      query += UrlEncode(value);
    };
    if (!q.host.empty()) add("host", q.host);
    if (!q.label.empty()) add("label", q.label);
    for (const Tag& t : q.where) add("where", t.key + "=" + t.value);
    Result<std::string> body = Get("/api/v1/latest" + query);
    if (!body) return body.error();
    Result<api::LatestResponse> r = api::ParseLatestResponse(*body);
    if (!r) return r.error();
    *out = std::move(r->latest);
    return Status::OK();
  }

 private:
  // The body of a 200 answer; other answers become a Status carrying the
  // server's {"error": ...} message: 404 NotFound, 400 InvalidArgument,
  // anything else Unavailable.
  Result<std::string> Get(const std::string& path) {
    const std::string url = base_url_ + path;
    Result<HttpReply> reply = HttpGet(url, timeout_ms_);
    if (!reply) return reply.error();
    if (reply->status == 200) return std::move(reply->body);
    Result<api::ErrorResponse> error = api::ParseErrorResponse(reply->body);
    const std::string message =
        error ? error->error : "HTTP " + std::to_string(reply->status) + " from " + url;
    if (reply->status == 404) return Status::NotFound(message);
    if (reply->status == 400) return Status::InvalidArgument(message);
    return Status::Unavailable("the summarizer at " + base_url_ + " answered " +
                               std::to_string(reply->status) + ": " + message);
  }

  const std::string base_url_;  // Without a trailing '/'.
  const int64_t timeout_ms_;
};

}  // namespace

Result<std::unique_ptr<QuerySource>> OpenHttpQuerySource(const std::string& base_url,
                                                         int64_t timeout_ms) {
  if (!base_url.starts_with("http://") && !base_url.starts_with("https://")) {
    return Status::InvalidArgument("--url '" + base_url +
                                   "': expected http://HOST:PORT, e.g. http://127.0.0.1:7780");
  }
  std::string base = base_url;
  while (base.ends_with('/')) base.pop_back();
  return std::unique_ptr<QuerySource>(
      std::make_unique<HttpQuerySource>(std::move(base), timeout_ms));
}

}  // namespace sonde::tools

#include "api_routes.h"

#include <utility>

namespace sonde::summarizer {

ApiRoutes::ApiRoutes(const QueryService* service, LoopTaskQueue* queue, LoopHandlers handlers)
    : service_(service), queue_(queue), handlers_(std::move(handlers)) {}

ApiRoutes::~ApiRoutes() { Stop(); }

void ApiRoutes::Stop() {
  worker_.Stop();
  *alive_ = false;
  pending_.clear();
}

void ApiRoutes::Defer(const HttpRequest& request, std::shared_ptr<HttpResponder> responder,
                      Query query) {
  const uint64_t id = next_id_++;
  pending_.emplace(id, std::move(responder));
  const QueryService* service = service_;
  LoopTaskQueue* queue = queue_;
  std::weak_ptr<bool> alive = alive_;
  auto task = [this, id, service, queue, alive, request, query = std::move(query)] {
    auto response = std::make_shared<HttpResponse>(query(*service, request));
    // Back on the loop: the responder is touched there only.
    queue->Post([this, id, alive, response] {
      auto a = alive.lock();
      if (!a || !*a) return;
      auto it = pending_.find(id);
      if (it == pending_.end()) return;
      it->second->Send(std::move(*response));
      pending_.erase(it);
    });
  };
  if (!worker_.Post(std::move(task))) {
    auto it = pending_.find(id);
    it->second->Send(HttpResponse::Error(503, "too many queries in progress"));
    pending_.erase(it);
  }
}

void ApiRoutes::Register(HttpServer* server) {
  auto deferred = [this, server](const char* pattern, Query query) {
    server->RouteDeferred("GET", pattern,
                          [this, query](const HttpRequest& req, std::shared_ptr<HttpResponder> r) {
                            Defer(req, std::move(r), query);
                          });
  };
  deferred("/api/perf/:host", [](const QueryService& s, const HttpRequest& r) {
    return s.LizPerf(r.Param("host"), "");
  });
  deferred("/api/perf/:host/:label", [](const QueryService& s, const HttpRequest& r) {
    return s.LizPerf(r.Param("host"), r.Param("label"));
  });
  deferred("/api/hosts", [](const QueryService& s, const HttpRequest&) { return s.LizHosts(); });
  deferred("/api/v1/hosts", [](const QueryService& s, const HttpRequest&) { return s.Hosts(); });
  deferred("/api/v1/series",
           [](const QueryService& s, const HttpRequest& r) { return s.Series(r.query); });
  deferred("/api/v1/rollups",
           [](const QueryService& s, const HttpRequest& r) { return s.Rollups(r.query); });
  deferred("/api/v1/latest",
           [](const QueryService& s, const HttpRequest& r) { return s.Latest(r.query); });
  server->Route(
      "POST", "/api/perf/:host/:epoch",
      [this](const HttpRequest& req, HttpResponse* resp) { *resp = handlers_.liz_post(req); });
  server->Route("GET", "/metrics",
                [this](const HttpRequest&, HttpResponse* resp) { *resp = handlers_.metrics(); });
  server->Route("GET", "/healthz",
                [this](const HttpRequest&, HttpResponse* resp) { *resp = handlers_.healthz(); });
}

}  // namespace sonde::summarizer

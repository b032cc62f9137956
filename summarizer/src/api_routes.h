// ApiRoutes: the summarizer's HTTP routes (docs/http-api.md) on common's
// HttpServer. Read routes are deferred to a QueryWorker thread (store reads
// and JSON rendering happen off the loop) and answered back on the loop
// through a LoopTaskQueue; the responders never leave the loop thread.
// Routes that touch the rollups (liz's POST ingest) or only counters
// (/metrics, /healthz) run on the loop through `LoopHandlers`.
//
// Thread-safety: loop thread, except the QueryService calls on the worker.
#ifndef SONDE_SUMMARIZER_API_ROUTES_H_
#define SONDE_SUMMARIZER_API_ROUTES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "query_service.h"
#include "query_worker.h"
#include "sonde/http_server.h"
#include "sonde/loop_task_queue.h"

namespace sonde::summarizer {

class ApiRoutes {
 public:
  struct LoopHandlers {
    std::function<HttpResponse(const HttpRequest&)> liz_post;  // POST /api/perf/:host/:epoch
    std::function<HttpResponse()> metrics;                     // GET /metrics
    std::function<HttpResponse()> healthz;                     // GET /healthz
  };

  // `service` and `queue` are not owned and must outlive this object.
  ApiRoutes(const QueryService* service, LoopTaskQueue* queue, LoopHandlers handlers);
  ~ApiRoutes();
  ApiRoutes(const ApiRoutes&) = delete;
  ApiRoutes& operator=(const ApiRoutes&) = delete;

  // Adds every route to `server`.
  void Register(HttpServer* server);

  // Stops the query thread and forgets pending requests (call after the
  // server is closed, on the loop). Idempotent.
  void Stop();

 private:
  using Query = std::function<HttpResponse(const QueryService&, const HttpRequest&)>;
  void Defer(const HttpRequest& request, std::shared_ptr<HttpResponder> responder, Query query);

  const QueryService* service_;
  LoopTaskQueue* queue_;
  LoopHandlers handlers_;
  QueryWorker worker_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<HttpResponder>> pending_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_API_ROUTES_H_

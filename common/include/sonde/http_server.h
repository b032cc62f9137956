// HttpServer: the one HTTP/1.1 server of Sonde, on a libuv loop with llhttp.
//
//   sonde::HttpServer server(loop, options);
//   server.Route("GET", "/api/perf/:host/:label",
//                [](const sonde::HttpRequest& req, sonde::HttpResponse* resp) {
//                  resp->body = Lookup(req.Param("host"), req.Param("label"));
//                });
//   if (auto s = server.Start(); !s.ok()) ...   // then server.port()
//
// Routing: patterns are "/"-separated segments; ":name" captures one
// non-empty segment, URL-decoded ("%2F" stays inside the capture); other
// segments match literally. A trailing "/" on the request path is ignored.
// Routes are tried in registration order. A path that matches only routes
// of other methods gets 405 (with Allow); no match gets 404. HEAD uses the
// GET route when there is no HEAD route, and sends headers only.
//
// Errors the server answers itself, each with a JSON body {"error":"..."}:
//   400 bad_url          malformed %-encoding in the path or query (connection kept)
//   404                  no route for the path
//   405                  path known, method not (Allow lists the methods)
//   500 handler_error    a handler threw (the server catches; it never crashes)
// and, counted as rejects by reason, after which the connection is closed:
//   400 parse_error      malformed request line, headers or chunking
//   408 request_timeout  the whole request did not arrive within request_timeout
//   413 body_too_large   body over max_body_bytes (Content-Length or chunked)
//   431 header_too_large request line + headers over max_header_bytes
//   503 max_connections  over max_connections: answered and closed at once
//   (no answer) send_timeout: queued output made no progress for send_timeout
// The metrics (in options.counters, if given): <prefix>_http_requests_total
// {class="2xx"}, <prefix>_http_rejects_total{reason=...},
// <prefix>_http_connections_accepted_total, <prefix>_http_connections_open.
//
// Connections: keep-alive (HTTP/1.1 default, HTTP/1.0 with the header) and
// pipelining; one request is handled at a time per connection and responses
// go out in order. Responses are written asynchronously (uv_write); while a
// connection's unsent output exceeds max_output_bytes the server stops
// reading from it, and a connection whose output makes no progress for
// send_timeout is closed (send_timeout reject): a client that does not read
// costs at most max_output_bytes plus one response, then is dropped.
// "Expect: 100-continue" is answered.
//
// Deferred responses: a RouteDeferred handler gets an HttpResponder and may
// answer later (e.g. when a worker thread posts back through a
// LoopTaskQueue). Until it does, the connection reads nothing more. The
// server applies no timeout to a deferred handler.
//
// Ownership: the server owns its handles and connections; handlers are
// copied in. Lifecycle: see sonde/uv_loop.h.
// Thread-safety: everything (including HttpResponder) on the loop thread.
#ifndef SONDE_HTTP_SERVER_H_
#define SONDE_HTTP_SERVER_H_

#include <spdlog/logger.h>
#include <uv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sonde/counters.h"
#include "sonde/status.h"

namespace sonde {

struct HttpServerOptions {
  // Address to bind (IPv4 or IPv6 literal). Default: "127.0.0.1".
  std::string host = "127.0.0.1";
  // Port to bind; 0 picks a free one (read it back with port()). Default: 0.
  uint16_t port = 0;
  // listen() backlog. Default: 128.
  int backlog = 128;

  // Request line plus headers, in bytes, at most. Default: 16 KiB.
  size_t max_header_bytes = 16 * 1024;
  // Request body, in bytes, at most. Default: 1 MiB.
  size_t max_body_bytes = 1024 * 1024;
  // The whole request, from its first byte to its last, must arrive within
  // this, else 408 and close. Default: 10 s.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(10);
  // A keep-alive connection with no request in progress is closed after
  // this. Default: 60 s.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  // A connection whose queued output makes no progress for this long is
  // closed. Default: 10 s.
  std::chrono::milliseconds send_timeout = std::chrono::seconds(10);
  // Open connections at most; more are answered 503 and closed.
  // Default: 1024.
  size_t max_connections = 1024;
  // Unsent output per connection above which the server stops reading from
  // it. Default: 4 MiB.
  size_t max_output_bytes = 4 * 1024 * 1024;

  // Null: the default logger. Lifecycle at info, rejects rate-limited at warn.
  std::shared_ptr<spdlog::logger> logger;
  // Where to register the http_* metrics (not owned; must outlive the
  // server). Null: a private registry (stats() works either way).
  CounterRegistry* counters = nullptr;

  // InvalidArgument naming the field: empty host, zero limits or timeouts,
  // backlog < 1.
  Status Validate() const;
};

struct HttpRequest {
  std::string method;  // "GET", as sent (methods are case-sensitive).
  std::string target;  // Raw request-target: "/api/perf/web-01?since=1h".
  std::string path;    // Raw path part of target, not decoded.
  std::vector<std::pair<std::string, std::string>> params;   // Decoded :captures.
  std::vector<std::pair<std::string, std::string>> query;    // Decoded; '+' is a space.
  std::vector<std::pair<std::string, std::string>> headers;  // Names lowercase, in order.
  std::string body;
  std::string peer;  // "127.0.0.1:40312".

  // The capture named `name` (without ':'), or "" when absent.
  std::string_view Param(std::string_view name) const;
  // The first query value for `name`; nullopt when absent.
  std::optional<std::string_view> Query(std::string_view name) const;
  // The first header named `name` (give it lowercase); nullopt when absent.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  // Extra headers. Content-Length, Connection and Date are the server's.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Close the connection after this response.
  bool close = false;

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body);  // text/plain; charset=utf-8
  // status with {"error":"<message>"}.
  static HttpResponse Error(int status, std::string_view message);
};

// The pending answer to one request of a RouteDeferred handler.
// Thread-safety: loop thread only.
class HttpResponder {
 public:
  virtual ~HttpResponder() = default;
  // Sends the response. Only the first call counts; a no-op when the
  // connection is gone (client closed, server closed). Dropping the last
  // reference without Send() answers 500.
  virtual void Send(HttpResponse response) = 0;
  // Whether Send() would still reach the client.
  virtual bool alive() const = 0;
};

class HttpServer {
 public:
  using Handler = std::function<void(const HttpRequest&, HttpResponse*)>;
  using DeferredHandler = std::function<void(const HttpRequest&, std::shared_ptr<HttpResponder>)>;

  struct Stats {
    uint64_t requests_by_class[6] = {};  // [1]=1xx ... [5]=5xx; [0] unused.
    uint64_t rejects = 0;                // All reasons (see above) together.
    uint64_t bad_url = 0;                // 400s for bad %-encoding (not in rejects).
    uint64_t handler_errors = 0;         // Handlers that threw (500s).
    uint64_t connections_accepted = 0;
    int64_t connections_open = 0;
  };

  // Does not bind yet; see Start(). `loop` must outlive the server.
  HttpServer(uv_loop_t* loop, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Adds a route: `method` like "GET", `pattern` like "/api/perf/:host".
  // May be called before or after Start().
  void Route(std::string_view method, std::string_view pattern, Handler handler);
  void RouteDeferred(std::string_view method, std::string_view pattern, DeferredHandler handler);

  // Validates the options, binds and listens. Returns InvalidArgument for
  // bad options or host, Unavailable when the address is in use or not
  // available, IOError for other socket errors. Call once.
  Status Start();

  // The bound port (after a successful Start()), else 0.
  uint16_t port() const;

  // Stops listening and closes every connection at once (responses in
  // flight are dropped, deferred responders go dead); `on_closed` (may be
  // empty) runs when every handle is closed. Idempotent.
  void Close(std::function<void()> on_closed = {});

  // Counts so far; valid after Close() too.
  Stats stats() const;

  struct Impl;
  struct StatsBlock;

 private:
  Impl* impl_;                         // Frees itself once its handles are closed.
  std::shared_ptr<StatsBlock> stats_;  // Shared with impl_; outlives it.
};

}  // namespace sonde

#endif  // SONDE_HTTP_SERVER_H_

// HttpServer: libuv streams + llhttp. Every llhttp call of Sonde is in this
// file. Structure:
//   Impl        the listener, the connection set, routes and metrics;
//   HttpConnection  one TCP connection: a parser, a timer and the write queue.
// A connection handles one request at a time: llhttp pauses at the end of
// each message (on_message_complete returns HPE_PAUSED), the request is
// dispatched, and parsing resumes only when the handler has answered and
// the connection's unsent output is below max_output_bytes. Input that
// arrives meanwhile waits in HttpConnection::pending and reading is stopped, so
// a pipelining client is bounded by the kernel's socket buffers.
#include "sonde/http_server.h"

#include <llhttp.h>

#include <algorithm>
#include <exception>
#include <unordered_set>

#include "http_message.h"
#include "http_router.h"
#include "sonde/ascii.h"
#include "sonde/json_util.h"
#include "sonde/log.h"
#include "sonde/signals.h"
#include "sonde/uv_loop.h"

namespace sonde {
namespace {

constexpr size_t kReadBufferBytes = 64 * 1024;
// After the last response of a closing connection, how long to keep
// reading and discarding input before closing (see StartLinger).
constexpr uint64_t kLingerMs = 2000;

enum RejectReason {
  kParseError,
  kRequestTimeout,
  kBodyTooLarge,
  kHeaderTooLarge,
  kMaxConnections,
  kSendTimeout,
  kRejectReasonCount
};
constexpr const char* kRejectReasonNames[kRejectReasonCount] = {
    "parse_error",      "request_timeout", "body_too_large",
    "header_too_large", "max_connections", "send_timeout"};

}  // namespace

Status HttpServerOptions::Validate() const {
  if (host.empty()) return Status::InvalidArgument("http host must not be empty");
  if (backlog < 1) return Status::InvalidArgument("http backlog must be at least 1");
  if (max_header_bytes < 256)
    return Status::InvalidArgument("http max_header_bytes must be >= 256");
  if (max_body_bytes == 0) return Status::InvalidArgument("http max_body_bytes must be > 0");
  if (request_timeout.count() <= 0)
    return Status::InvalidArgument("http request_timeout must be > 0");
  if (idle_timeout.count() <= 0) return Status::InvalidArgument("http idle_timeout must be > 0");
  if (send_timeout.count() <= 0) return Status::InvalidArgument("http send_timeout must be > 0");
  if (max_connections == 0) return Status::InvalidArgument("http max_connections must be > 0");
  if (max_output_bytes == 0) return Status::InvalidArgument("http max_output_bytes must be > 0");
  return Status::OK();
}

// Shared by the Impl, the HttpServer and metric callbacks in an external
// registry, so that none of them can outlive it.
struct HttpServer::StatsBlock {
  Counter requests[6];
  Counter rejects[kRejectReasonCount];
  Counter bad_url;
  Counter handler_errors;
  Counter accepted;
  Gauge open;

  Stats Snapshot() const {
    Stats s;
    for (int i = 1; i < 6; ++i) s.requests_by_class[i] = requests[i].value();
    for (const Counter& c : rejects) s.rejects += c.value();
    s.bad_url = bad_url.value();
    s.handler_errors = handler_errors.value();
    s.connections_accepted = accepted.value();
    s.connections_open = open.value();
    return s;
  }

  void Register(CounterRegistry* reg, const std::shared_ptr<StatsBlock>& self) {
    static constexpr const char* kClasses[] = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 1; i < 6; ++i) {
      reg->AddCounterFunc("http_requests", "HTTP responses sent, by status class.",
                          {"class", kClasses[i]}, [self, i] { return self->requests[i].value(); });
    }
    for (int i = 0; i < kRejectReasonCount; ++i) {
      reg->AddCounterFunc("http_rejects", "HTTP requests or connections refused, by reason.",
                          {"reason", kRejectReasonNames[i]},
                          [self, i] { return self->rejects[i].value(); });
    }
    reg->AddCounterFunc("http_connections_accepted", "HTTP connections accepted.", {},
                        [self] { return self->accepted.value(); });
    reg->AddGaugeFunc("http_connections_open", "HTTP connections open.", {},
                      [self] { return self->open.value(); });
  }
};

namespace internal {

class HttpResponderImpl;

struct HttpConnection {
  explicit HttpConnection(HttpServer::Impl* s) : server(s) {}

  HttpServer::Impl* server;  // Outlives every connection (see Impl::MaybeFinishClose).
  uv_tcp_t tcp;
  uv_timer_t timer;
  uv_shutdown_t shutdown_req;
  int open_handles = 0;
  bool closing = false;

  llhttp_t parser;
  HttpRequest request;
  std::string field;  // Header name being parsed.
  std::string value;  // Header value being parsed.
  size_t header_bytes = 0;
  bool message_in_progress = false;
  bool keep_alive = true;
  bool http10 = false;
  bool head = false;
  int reject_status = 0;  // Set by a parser callback that returns HPE_USER.
  RejectReason reject_reason = kParseError;
  std::string reject_message;

  bool handling = false;           // A deferred handler owns the current request.
  bool close_after_write = false;  // The last response is queued.
  bool lingering = false;          // Shut down; discarding input until EOF.
  bool reading = false;
  bool in_feed = false;
  bool eof = false;
  std::string pending;  // Unparsed input held while paused.
  size_t writes_in_flight = 0;
  uint64_t request_deadline = 0;
  uint64_t send_deadline = 0;
  uint64_t idle_deadline = 0;
  uint64_t linger_deadline = 0;
  std::weak_ptr<HttpResponderImpl> responder;

  uv_loop_t* loop() { return tcp.loop; }
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp); }

  void Start();
  void StartReading();
  void StopReading();
  void Feed(const char* data, size_t len);
  bool CanParse();
  void Dispatch();
  void SendResponse(HttpResponse response);
  void Reject(int status, RejectReason reason, std::string_view message);
  void ResumeInput();
  void StartLinger();
  void UpdateTimer();
  void Close();
  void WriteRaw(std::string data);

  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnShutdown(uv_shutdown_t* req, int status);
  static void OnTimer(uv_timer_t* timer);
  static void OnClose(uv_handle_t* handle);

  // llhttp callbacks.
  static int OnMessageBegin(llhttp_t* p);
  static int OnUrl(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderField(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderValueComplete(llhttp_t* p);
  static int OnHeadersComplete(llhttp_t* p);
  static int OnBody(llhttp_t* p, const char* at, size_t len);
  static int OnMessageComplete(llhttp_t* p);
  int AddHeaderBytes(size_t len);
};

class HttpResponderImpl final : public HttpResponder {
 public:
  explicit HttpResponderImpl(HttpConnection* conn) : conn_(conn) {}
  ~HttpResponderImpl() override {
    if (!sent_ && conn_ != nullptr) {
      sent_ = true;
      HttpConnection* c = conn_;
      conn_ = nullptr;
      c->SendResponse(HttpResponse::Error(500, "the handler dropped the request"));
    }
  }
  void Send(HttpResponse response) override {
    if (sent_) return;
    sent_ = true;
    if (conn_ == nullptr) return;
    HttpConnection* c = conn_;
    conn_ = nullptr;
    c->SendResponse(std::move(response));
  }
  bool alive() const override { return !sent_ && conn_ != nullptr; }
  void Detach() { conn_ = nullptr; }

 private:
  HttpConnection* conn_;
  bool sent_ = false;
};

struct HttpWriteReq {
  uv_write_t req;
  std::string data;
  HttpConnection* conn;
};

}  // namespace internal

using internal::HttpConnection;
using internal::HttpResponderImpl;
using internal::HttpWriteReq;

struct HttpServer::Impl {
  Impl(uv_loop_t* l, HttpServerOptions o, std::shared_ptr<StatsBlock> s)
      : loop(l),
        options(std::move(o)),
        logger(LoggerOrDefault(options.logger)),
        limiter(logger),
        stats(std::move(s)),
        read_buffer(new char[kReadBufferBytes]) {
    llhttp_settings_init(&settings);
    settings.on_message_begin = HttpConnection::OnMessageBegin;
    settings.on_url = HttpConnection::OnUrl;
    settings.on_header_field = HttpConnection::OnHeaderField;
    settings.on_header_value = HttpConnection::OnHeaderValue;
    settings.on_header_value_complete = HttpConnection::OnHeaderValueComplete;
    settings.on_headers_complete = HttpConnection::OnHeadersComplete;
    settings.on_body = HttpConnection::OnBody;
    settings.on_message_complete = HttpConnection::OnMessageComplete;
  }

  uv_loop_t* loop;
  HttpServerOptions options;
  std::shared_ptr<spdlog::logger> logger;
  RateLimitedLog limiter;
  std::shared_ptr<StatsBlock> stats;
  internal::HttpRouter router;
  llhttp_settings_t settings;
  internal::HttpDateCache date;
  std::unique_ptr<char[]> read_buffer;  // Shared: each read is consumed before the next.

  uv_tcp_t listener;
  bool listener_open = false;  // uv_tcp_init'ed and not yet through its close callback.
  bool started = false;
  bool closing = false;
  uint16_t bound_port = 0;
  std::unordered_set<HttpConnection*> connections;  // Open, not closing.
  size_t live_connections = 0;                      // Not yet freed.
  std::function<void()> on_closed;

  void CountReject(RejectReason reason, const std::string& peer, int status) {
    stats->rejects[reason].Inc();
    limiter.Warn("http_request_rejected", kRejectReasonNames[reason], "peer={} status={}", peer,
                 status);
  }

  Status Start();
  static void OnConnection(uv_stream_t* listener, int status);
  static void OnListenerClose(uv_handle_t* handle);
  void Close(std::function<void()> cb);
  void MaybeFinishClose();
};

// ---- HttpConnection: reading and parsing ----

namespace internal {

void HttpConnection::Start() {
  llhttp_init(&parser, HTTP_REQUEST, &server->settings);
  parser.data = this;
  uv_tcp_nodelay(&tcp, 1);  // Small responses on keep-alive: no Nagle delay.
  sockaddr_storage addr;
  int len = sizeof(addr);
  if (uv_tcp_getpeername(&tcp, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    char ip[64] = "?";
    int port = 0;
    if (addr.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      uv_ip6_name(a, ip, sizeof(ip));
      port = ntohs(a->sin6_port);
      request.peer = std::string("[") + ip + "]:" + std::to_string(port);
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      uv_ip4_name(a, ip, sizeof(ip));
      port = ntohs(a->sin_port);
      request.peer = std::string(ip) + ":" + std::to_string(port);
    }
  }
  StartReading();
  UpdateTimer();
}

void HttpConnection::StartReading() {
  if (reading || closing) return;
  if (uv_read_start(stream(), OnAlloc, OnRead) == 0) reading = true;
}

void HttpConnection::StopReading() {
  if (!reading) return;
  uv_read_stop(stream());
  reading = false;
}

void HttpConnection::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* c = static_cast<HttpConnection*>(handle->data);
  *buf = uv_buf_init(c->server->read_buffer.get(), kReadBufferBytes);
}

void HttpConnection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<HttpConnection*>(stream->data);
  if (nread == 0 || c->closing) return;
  if (nread < 0) {
    c->StopReading();
    if (nread != UV_EOF || c->lingering || c->message_in_progress) {
      // Reset, or EOF in the middle of a request: nothing left to answer.
      c->Close();
      return;
    }
    // Half-close after complete requests: answer them, then close.
    c->eof = true;
    if (!c->handling && c->writes_in_flight == 0 && c->pending.empty()) c->Close();
    return;
  }
  if (c->lingering) return;  // Discarding input after the last response.
  c->Feed(buf->base, static_cast<size_t>(nread));
  c->UpdateTimer();
}

bool HttpConnection::CanParse() {
  return !handling && !close_after_write && !closing &&
         uv_stream_get_write_queue_size(stream()) < server->options.max_output_bytes;
}

void HttpConnection::Feed(const char* data, size_t len) {
  in_feed = true;
  while (len > 0 && !closing && !close_after_write) {
    if (!CanParse()) {
      // Hold the rest until the handler answers or the output drains.
      pending.append(data, len);
      StopReading();
      break;
    }
    const llhttp_errno_t err = llhttp_execute(&parser, data, len);
    if (err == HPE_OK) break;
    if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
      const char* pos = llhttp_get_error_pos(&parser);
      len -= static_cast<size_t>(pos - data);
      data = pos;
      if (err == HPE_PAUSED) {
        llhttp_resume(&parser);
      } else {
        keep_alive = false;  // We do not speak the upgraded protocol.
      }
      Dispatch();
      continue;
    }
    if (reject_status != 0) {
      Reject(reject_status, reject_reason, reject_message);
    } else {
      Reject(400, kParseError,
             std::string("malformed request: ") + llhttp_get_error_reason(&parser));
    }
    break;
  }
  in_feed = false;
}

int HttpConnection::AddHeaderBytes(size_t len) {
  header_bytes += len;
  if (header_bytes <= server->options.max_header_bytes) return 0;
  reject_status = 431;
  reject_reason = kHeaderTooLarge;
  reject_message = "request line and headers exceed " +
                   std::to_string(server->options.max_header_bytes) + " bytes";
  return HPE_USER;
}

int HttpConnection::OnMessageBegin(llhttp_t* p) {
  auto* c = static_cast<HttpConnection*>(p->data);
  HttpRequest& r = c->request;
  r.method.clear();
  r.target.clear();
  r.path.clear();
  r.params.clear();
  r.query.clear();
  r.headers.clear();
  r.body.clear();
  c->field.clear();
  c->value.clear();
  c->header_bytes = 0;
  c->message_in_progress = true;
  c->request_deadline =
      uv_now(c->loop()) + static_cast<uint64_t>(c->server->options.request_timeout.count());
  return 0;
}

int HttpConnection::OnUrl(llhttp_t* p, const char* at, size_t len) {
  auto* c = static_cast<HttpConnection*>(p->data);
  if (int rc = c->AddHeaderBytes(len); rc != 0) return rc;
  c->request.target.append(at, len);
  return 0;
}

int HttpConnection::OnHeaderField(llhttp_t* p, const char* at, size_t len) {
  auto* c = static_cast<HttpConnection*>(p->data);
  if (int rc = c->AddHeaderBytes(len); rc != 0) return rc;
  c->field.append(at, len);
  return 0;
}

int HttpConnection::OnHeaderValue(llhttp_t* p, const char* at, size_t len) {
  auto* c = static_cast<HttpConnection*>(p->data);
  if (int rc = c->AddHeaderBytes(len); rc != 0) return rc;
  c->value.append(at, len);
  return 0;
}

int HttpConnection::OnHeaderValueComplete(llhttp_t* p) {
  auto* c = static_cast<HttpConnection*>(p->data);
  // ": " and CRLF count against the limit too, so that many empty headers
  // cannot add up to much more than max_header_bytes of memory.
  if (int rc = c->AddHeaderBytes(4); rc != 0) return rc;
  for (char& ch : c->field) ch = AsciiLower(ch);
  c->request.headers.emplace_back(std::move(c->field), std::move(c->value));
  c->field.clear();
  c->value.clear();
  return 0;
}

int HttpConnection::OnHeadersComplete(llhttp_t* p) {
  auto* c = static_cast<HttpConnection*>(p->data);
  c->keep_alive = llhttp_should_keep_alive(p) != 0;
  c->http10 = llhttp_get_http_major(p) == 1 && llhttp_get_http_minor(p) == 0;
  const size_t max_body = c->server->options.max_body_bytes;
  if ((p->flags & F_CONTENT_LENGTH) != 0 && p->content_length > max_body) {
    c->reject_status = 413;
    c->reject_reason = kBodyTooLarge;
    c->reject_message = "request body exceeds " + std::to_string(max_body) + " bytes";
    return HPE_USER;
  }
  auto expect = c->request.Header("expect");
  if (expect && !c->http10 && AsciiIEquals(*expect, "100-continue")) {
    c->WriteRaw("HTTP/1.1 100 Continue\r\n\r\n");
  }
  return 0;
}

int HttpConnection::OnBody(llhttp_t* p, const char* at, size_t len) {
  auto* c = static_cast<HttpConnection*>(p->data);
  const size_t max_body = c->server->options.max_body_bytes;
  if (c->request.body.size() + len > max_body) {
    c->reject_status = 413;
    c->reject_reason = kBodyTooLarge;
    c->reject_message = "request body exceeds " + std::to_string(max_body) + " bytes";
    return HPE_USER;
  }
  c->request.body.append(at, len);
  return 0;
}

int HttpConnection::OnMessageComplete(llhttp_t* p) {
  auto* c = static_cast<HttpConnection*>(p->data);
  c->message_in_progress = false;
  c->request_deadline = 0;
  return HPE_PAUSED;  // Feed() dispatches, then resumes.
}

// ---- HttpConnection: dispatching and answering ----

void HttpConnection::Dispatch() {
  HttpRequest& r = request;
  r.method = llhttp_method_name(static_cast<llhttp_method_t>(parser.method));
  std::string_view target = r.target;
  target = target.substr(0, target.find('#'));
  const size_t qmark = target.find('?');
  r.path = std::string(target.substr(0, qmark));
  head = r.method == "HEAD";
  if (r.path.empty() || r.path.front() != '/') {
    // Absolute-form and "*" targets are for proxies and OPTIONS.
    server->stats->bad_url.Inc();
    SendResponse(HttpResponse::Error(400, "request target must be a path starting with '/'"));
    return;
  }
  if (qmark != std::string_view::npos &&
      !internal::ParseQuery(target.substr(qmark + 1), &r.query)) {
    server->stats->bad_url.Inc();
    SendResponse(HttpResponse::Error(400, "malformed %-escape in the query string"));
    return;
  }
  const internal::HttpRouter::Match match = server->router.Find(r.method, r.path, &r.params);
  switch (match.outcome) {
    case internal::HttpRouter::Outcome::kBadPath:
      server->stats->bad_url.Inc();
      SendResponse(HttpResponse::Error(400, "malformed %-escape in the path"));
      return;
    case internal::HttpRouter::Outcome::kNotFound:
      SendResponse(HttpResponse::Error(404, "no such path: " + r.path));
      return;
    case internal::HttpRouter::Outcome::kMethodNotAllowed: {
      HttpResponse resp =
          HttpResponse::Error(405, "method " + r.method + " not allowed for " + r.path);
      resp.headers.emplace_back("Allow", match.allow);
      SendResponse(std::move(resp));
      return;
    }
    case internal::HttpRouter::Outcome::kFound:
      break;
  }
  const internal::HttpRouter::Route* route = match.route;
  try {
    if (route->handler) {
      HttpResponse resp;
      route->handler(r, &resp);
      SendResponse(std::move(resp));
    } else {
      handling = true;
      auto responder_ptr = std::make_shared<HttpResponderImpl>(this);
      responder = responder_ptr;
      route->deferred(r, std::move(responder_ptr));
    }
  } catch (const std::exception& e) {
    server->stats->handler_errors.Inc();
    server->limiter.Error("http_handler_failed", "exception", "path={} error=\"{}\"", r.path,
                          e.what());
    if (auto live = responder.lock()) live->Detach();
    if (!close_after_write && (route->handler || handling)) {
      SendResponse(HttpResponse::Error(500, "internal error"));
    }
  } catch (...) {
    server->stats->handler_errors.Inc();
    server->limiter.Error("http_handler_failed", "unknown_exception", "path={}", r.path);
    if (auto live = responder.lock()) live->Detach();
    if (!close_after_write && (route->handler || handling)) {
      SendResponse(HttpResponse::Error(500, "internal error"));
    }
  }
}

void HttpConnection::WriteRaw(std::string data) {
  auto* w = new HttpWriteReq{uv_write_t{}, std::move(data), this};
  const uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  if (uv_write(&w->req, stream(), &buf, 1, OnWrite) != 0) {
    delete w;
    Close();
    return;
  }
  w->req.data = w;
  if (writes_in_flight++ == 0) {
    send_deadline = uv_now(loop()) + static_cast<uint64_t>(server->options.send_timeout.count());
  }
}

void HttpConnection::SendResponse(HttpResponse response) {
  if (closing) return;
  handling = false;
  const bool close = response.close || !keep_alive || close_after_write;
  const int cls = response.status / 100;
  if (cls >= 1 && cls <= 5) server->stats->requests[cls].Inc();
  const bool no_body = head || internal::StatusHasNoBody(response.status);
  std::string out;
  out.reserve(256 + (no_body ? 0 : response.body.size()));
  internal::AppendResponseHead(&out, response, response.body.size(), close, http10 && !close,
                               server->date.Get());
  if (!no_body) out += response.body;
  WriteRaw(std::move(out));
  if (closing) return;
  if (close) {
    close_after_write = true;
    StopReading();
    pending.clear();
  } else if (!in_feed) {
    ResumeInput();  // A deferred answer: pick up pipelined input.
  }
  UpdateTimer();
}

void HttpConnection::Reject(int status, RejectReason reason, std::string_view message) {
  server->CountReject(reason, request.peer, status);
  message_in_progress = false;
  request_deadline = 0;
  head = false;
  HttpResponse resp = HttpResponse::Error(status, message);
  resp.close = true;
  SendResponse(std::move(resp));
}

void HttpConnection::ResumeInput() {
  if (closing || close_after_write || lingering || !CanParse()) return;
  if (!pending.empty()) {
    std::string data;
    data.swap(pending);
    Feed(data.data(), data.size());
  }
  if (closing || close_after_write || !CanParse()) return;
  if (eof) {
    if (writes_in_flight == 0 && pending.empty()) Close();
    return;
  }
  StartReading();
}

void HttpConnection::OnWrite(uv_write_t* req, int status) {
  auto* w = static_cast<HttpWriteReq*>(req->data);
  HttpConnection* c = w->conn;
  delete w;
  --c->writes_in_flight;
  if (c->closing) return;
  if (status < 0) {
    c->Close();
    return;
  }
  const uint64_t now = uv_now(c->loop());
  c->send_deadline = c->writes_in_flight == 0
                         ? 0
                         : now + static_cast<uint64_t>(c->server->options.send_timeout.count());
  if (c->close_after_write) {
    if (c->writes_in_flight == 0) c->StartLinger();
  } else {
    c->ResumeInput();
  }
  c->UpdateTimer();
}

// Closing right after the last response could turn unread input into a
// TCP RST that destroys the response at the client. So: send FIN, then read
// and discard until the client closes or kLingerMs pass.
void HttpConnection::StartLinger() {
  if (lingering || closing) return;
  if (eof) {
    Close();
    return;
  }
  lingering = true;
  linger_deadline = uv_now(loop()) + kLingerMs;
  if (uv_shutdown(&shutdown_req, stream(), OnShutdown) != 0) {
    Close();
    return;
  }
  StartReading();
  UpdateTimer();
}

void HttpConnection::OnShutdown(uv_shutdown_t* req, int status) {
  auto* c = static_cast<HttpConnection*>(req->handle->data);
  if (status < 0 && !c->closing) c->Close();
}

void HttpConnection::UpdateTimer() {
  if (closing) return;
  const uint64_t now = uv_now(loop());
  const bool idle = !message_in_progress && !handling && writes_in_flight == 0 && !lingering &&
                    !close_after_write;
  if (!idle) {
    idle_deadline = 0;
  } else if (idle_deadline == 0) {
    idle_deadline = now + static_cast<uint64_t>(server->options.idle_timeout.count());
  }
  uint64_t next = 0;
  for (uint64_t d : {request_deadline, send_deadline, idle_deadline, linger_deadline}) {
    if (d != 0 && (next == 0 || d < next)) next = d;
  }
  if (next == 0) {
    uv_timer_stop(&timer);
  } else {
    uv_timer_start(&timer, OnTimer, next > now ? next - now : 0, 0);
  }
}

void HttpConnection::OnTimer(uv_timer_t* timer) {
  auto* c = static_cast<HttpConnection*>(timer->data);
  const uint64_t now = uv_now(c->loop());
  auto due = [now](uint64_t d) { return d != 0 && now >= d; };
  if (due(c->linger_deadline)) {
    c->Close();
  } else if (due(c->request_deadline)) {
    c->Reject(408, kRequestTimeout,
              "request not received within " +
                  std::to_string(c->server->options.request_timeout.count()) + " ms");
  } else if (due(c->send_deadline)) {
    c->server->CountReject(kSendTimeout, c->request.peer, 0);
    c->Close();
  } else if (due(c->idle_deadline)) {
    c->Close();
  } else {
    c->UpdateTimer();
  }
}

void HttpConnection::Close() {
  if (closing) return;
  closing = true;
  if (auto r = responder.lock()) r->Detach();
  reading = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp), OnClose);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), OnClose);
  server->connections.erase(this);
  server->stats->open.Sub(1);
}

void HttpConnection::OnClose(uv_handle_t* handle) {
  auto* c = static_cast<HttpConnection*>(handle->data);
  if (--c->open_handles > 0) return;
  HttpServer::Impl* server = c->server;
  delete c;
  --server->live_connections;
  server->MaybeFinishClose();
}

}  // namespace internal

// ---- Impl: listening ----

Status HttpServer::Impl::Start() {
  SONDE_RETURN_IF_ERROR(options.Validate());
  if (started) return Status::InvalidArgument("HttpServer::Start called twice");
  started = true;
  IgnoreSigpipe();
  sockaddr_storage addr;
  const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  if (uv_ip4_addr(host.c_str(), options.port, reinterpret_cast<sockaddr_in*>(&addr)) != 0 &&
      uv_ip6_addr(host.c_str(), options.port, reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
    return Status::InvalidArgument("http host '" + options.host +
                                   "' is not an IPv4 or IPv6 address");
  }
  if (int rc = uv_tcp_init(loop, &listener); rc != 0) return UvStatus(rc, "uv_tcp_init");
  listener.data = this;
  listener_open = true;
  const std::string where = options.host + ":" + std::to_string(options.port);
  int rc = uv_tcp_bind(&listener, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener), options.backlog, OnConnection);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener), OnListenerClose);
    return UvStatus(rc, "http listen on " + where);
  }
  sockaddr_storage bound;
  int len = sizeof(bound);
  if (uv_tcp_getsockname(&listener, reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
    bound_port =
        ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                          : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  logger->info("event=http_listening host={} port={}", options.host, bound_port);
  return Status::OK();
}

void HttpServer::Impl::OnConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<Impl*>(listener->data);
  if (status < 0) {
    self->limiter.Error("http_accept_failed", uv_err_name(status), "");
    return;
  }
  auto* c = new HttpConnection(self);
  if (uv_tcp_init(self->loop, &c->tcp) != 0) {
    delete c;
    return;
  }
  c->tcp.data = c;
  uv_timer_init(self->loop, &c->timer);  // Cannot fail on a live loop.
  c->timer.data = c;
  c->open_handles = 2;
  ++self->live_connections;
  self->connections.insert(c);
  self->stats->open.Add(1);
  if (uv_accept(listener, c->stream()) != 0) {
    c->Close();
    return;
  }
  self->stats->accepted.Inc();
  if (self->connections.size() > self->options.max_connections) {
    // A best-effort answer: the socket buffer of a fresh connection takes
    // it whole, and we never wait for it.
    static const std::string k503 = [] {
      const std::string body = JsonError("too many open connections");
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
             "Content-Length: " +
             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }();
    uv_buf_t buf = uv_buf_init(const_cast<char*>(k503.data()), static_cast<unsigned>(k503.size()));
    uv_try_write(c->stream(), &buf, 1);
    self->CountReject(kMaxConnections, "", 503);
    c->Close();
    return;
  }
  c->Start();
}

void HttpServer::Impl::OnListenerClose(uv_handle_t* handle) {
  auto* self = static_cast<Impl*>(handle->data);
  self->listener_open = false;
  self->MaybeFinishClose();
}

void HttpServer::Impl::Close(std::function<void()> cb) {
  if (closing) return;
  closing = true;
  on_closed = std::move(cb);
  if (listener_open && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&listener))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener), OnListenerClose);
  }
  std::vector<HttpConnection*> open(connections.begin(), connections.end());
  for (HttpConnection* c : open) c->Close();
  MaybeFinishClose();
}

void HttpServer::Impl::MaybeFinishClose() {
  if (!closing || listener_open || live_connections > 0) return;
  auto done = std::move(on_closed);
  delete this;
  if (done) done();
}

// ---- HttpServer ----

HttpServer::HttpServer(uv_loop_t* loop, HttpServerOptions options)
    : stats_(std::make_shared<StatsBlock>()) {
  CounterRegistry* registry = options.counters;
  impl_ = new Impl(loop, std::move(options), stats_);
  if (registry != nullptr) stats_->Register(registry, stats_);
}

HttpServer::~HttpServer() { Close(); }

void HttpServer::Route(std::string_view method, std::string_view pattern, Handler handler) {
  if (impl_ != nullptr) impl_->router.Add(method, pattern, std::move(handler), nullptr);
}

void HttpServer::RouteDeferred(std::string_view method, std::string_view pattern,
                               DeferredHandler handler) {
  if (impl_ != nullptr) impl_->router.Add(method, pattern, nullptr, std::move(handler));
}

Status HttpServer::Start() {
  if (impl_ == nullptr) return Status::InvalidArgument("HttpServer::Start after Close");
  return impl_->Start();
}

uint16_t HttpServer::port() const { return impl_ != nullptr ? impl_->bound_port : 0; }

void HttpServer::Close(std::function<void()> on_closed) {
  if (impl_ == nullptr) return;
  Impl* impl = impl_;
  impl_ = nullptr;
  impl->Close(std::move(on_closed));
}

HttpServer::Stats HttpServer::stats() const { return stats_->Snapshot(); }

}  // namespace sonde

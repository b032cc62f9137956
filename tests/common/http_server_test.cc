#include "sonde/http_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "sonde/json_util.h"
#include "sonde/loop_task_queue.h"
#include "testutil/testutil.h"

namespace sonde {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;

// ---- A raw HTTP client on a blocking socket, for what curl will not send ----

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // Lowercase names.
  std::string body;
};

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { close(fd_); }

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response; `head` means no body follows despite Content-Length.
  std::optional<RawResponse> Read(bool head = false, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawResponse r;
    const std::string head_text = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    size_t pos = head_text.find("\r\n");
    const std::string status_line = head_text.substr(0, pos);
    if (status_line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    while (pos != std::string::npos) {
      const size_t next = head_text.find("\r\n", pos + 2);
      std::string line =
          head_text.substr(pos + 2, next == std::string::npos ? next : next - pos - 2);
      pos = next;
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = line.substr(colon + 2);
    }
    size_t length = 0;
    if (!head && r.headers.count("content-length"))
      length = std::stoul(r.headers["content-length"]);
    while (buf_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // Whether the server closed the connection (EOF or reset) within timeout,
  // with no further response bytes.
  bool WaitClosed(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const size_t before = buf_.size();
      if (!Fill(deadline)) return eof_ && buf_.empty();
      if (buf_.size() == before) return buf_.empty();
    }
  }

  int fd() const { return fd_; }

 private:
  // Reads what is available before the deadline. False on EOF, error or
  // timeout.
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[65536];
    const ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  bool eof_ = false;
  std::string buf_;
};

std::string Get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

// ---- curl ----

struct CurlResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string content_type;
};

size_t CurlWrite(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

CurlResult CurlDo(CURL* h, const std::string& url, const std::string* post_body = nullptr) {
  CurlResult r;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, CurlWrite);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
  if (post_body != nullptr) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, post_body->data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(post_body->size()));
  } else {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  }
  r.code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  char* ct = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
  if (ct != nullptr) r.content_type = ct;
  return r;
}

// ---- The fixture: a server on its own loop thread ----

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { curl_ = curl_easy_init(); }

  void TearDown() override {
    if (thread_.joinable()) Stop();
    curl_easy_cleanup(curl_);
  }

  static HttpServerOptions SmallOptions() {
    HttpServerOptions o;
    o.max_header_bytes = 1024;
    o.max_body_bytes = 4096;
    return o;
  }

  // Builds the server with the standard routes plus `extra`, starts it and
  // runs its loop on a thread.
  void Start(HttpServerOptions options = SmallOptions(),
             const std::function<void(HttpServer&)>& extra = {}) {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    options.counters = &registry_;
    server_ = std::make_unique<HttpServer>(&loop_, options);
    AddRoutes(*server_);
    if (extra) extra(*server_);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
    auto q = LoopTaskQueue::Start(&loop_);
    ASSERT_TRUE(q.has_value());
    tasks_ = std::move(*q);
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }

  // Closes the server and the queue on the loop, joins it and checks that
  // every handle is gone.
  void Stop() {
    std::atomic<bool> closed{false};
    tasks_->Post([&] {
      server_->Close([&] { closed = true; });
      tasks_->Close();
    });
    thread_.join();
    for (auto& w : workers_) w.join();
    workers_.clear();
    EXPECT_TRUE(closed);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  void AddRoutes(HttpServer& s) {
    s.Route("GET", "/api/perf/:host/:label", [](const HttpRequest& req, HttpResponse* resp) {
      std::string body = "{\"host\":" + JsonString(req.Param("host")) +
                         ",\"label\":" + JsonString(req.Param("label"));
      for (const auto& [k, v] : req.query) body += "," + JsonString(k) + ":" + JsonString(v);
      resp->body = body + "}";
    });
    s.Route("GET", "/api/perf/:host", [](const HttpRequest& req, HttpResponse* resp) {
      *resp = HttpResponse::Text(200, "host " + std::string(req.Param("host")));
    });
    s.Route("POST", "/api/perf/:host/:epoch", [](const HttpRequest& req, HttpResponse* resp) {
      resp->status = 201;
      resp->body = "{\"bytes\":" + std::to_string(req.body.size()) +
                   ",\"type\":" + JsonString(req.Header("content-type").value_or("")) + "}";
    });
    s.Route("GET", "/big", [this](const HttpRequest&, HttpResponse* resp) {
      ++big_calls_;
      resp->body.assign(256 * 1024, 'x');
    });
    s.Route("GET", "/throw",
            [](const HttpRequest&, HttpResponse*) { throw std::runtime_error("boom"); });
    s.Route("GET", "/no-content",
            [](const HttpRequest&, HttpResponse* resp) { resp->status = 204; });
    // Answered from a worker thread through the loop's task queue.
    s.RouteDeferred("GET", "/deferred/:tag",
                    [this](const HttpRequest& req, std::shared_ptr<HttpResponder> responder) {
                      std::string tag(req.Param("tag"));
                      std::lock_guard<std::mutex> lock(workers_mu_);
                      workers_.emplace_back([this, responder, tag] {
                        std::this_thread::sleep_for(30ms);  // Work, not synchronization.
                        tasks_->Post([responder, tag] {
                          responder->Send(HttpResponse::Text(200, "deferred " + tag));
                        });
                      });
                    });
    s.RouteDeferred("GET", "/drop", [](const HttpRequest&, std::shared_ptr<HttpResponder>) {});
    s.RouteDeferred("GET", "/hold",
                    [this](const HttpRequest&, std::shared_ptr<HttpResponder> responder) {
                      held_ = std::move(responder);
                      ++held_count_;
                    });
  }

  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  HttpServer::Stats Stats() { return server_->stats(); }

  uv_loop_t loop_;
  CounterRegistry registry_{"sonde_test"};
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<LoopTaskQueue> tasks_;
  std::thread thread_;
  std::mutex workers_mu_;
  std::vector<std::thread> workers_;
  std::shared_ptr<HttpResponder> held_;  // Loop thread only while running.
  std::atomic<int> held_count_{0};
  std::atomic<int> big_calls_{0};
  uint16_t port_ = 0;
  CURL* curl_ = nullptr;
};

TEST_F(HttpServerTest, RoutesWithParamsAndQuery) {
  Start();
  CurlResult r = CurlDo(curl_, Url("/api/perf/web-01/cpu?since=1h&res=minute"));
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"host":"web-01","label":"cpu","since":"1h","res":"minute"})");

  r = CurlDo(curl_, Url("/api/perf/web-01"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "host web-01");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");

  r = CurlDo(curl_, Url("/api/perf/web-01/"));  // A trailing slash is ignored.
  EXPECT_EQ(r.body, "host web-01");
}

TEST_F(HttpServerTest, UrlDecodesParamsAndQuery) {
  Start();
  CurlResult r = CurlDo(curl_, Url("/api/perf/web%2F01/c%20pu+x?x=a+b&y=%41%3d&flag&e="));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"host":"web/01","label":"c pu+x","x":"a b","y":"A=","flag":"","e":""})");
}

TEST_F(HttpServerTest, PostBody) {
  Start();
  std::string body(3000, 'b');
  CurlResult r = CurlDo(curl_, Url("/api/perf/web-01/1700000000"), &body);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"bytes":3000,"type":"application/x-www-form-urlencoded"})");
}

TEST_F(HttpServerTest, NotFoundIsJson) {
  Start();
  CurlResult r = CurlDo(curl_, Url("/nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":"no such path: /nope"})");
  EXPECT_EQ(CurlDo(curl_, Url("/api/perf/a/b/c")).status, 404);
  EXPECT_EQ(CurlDo(curl_, Url("/api//cpu")).status, 404);  // Empty capture.
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(c.Send("DELETE /api/perf/web-01 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->headers["allow"], "GET, HEAD");
  EXPECT_EQ(r->body, R"({"error":"method DELETE not allowed for /api/perf/web-01"})");
}

TEST_F(HttpServerTest, BadEscapeIs400AndKeepsTheConnection) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/api/perf/%zz/cpu") + Get("/api/perf/a?x=%4") + Get("/api/perf/ok")));
  auto r1 = c.Read();
  auto r2 = c.Read();
  auto r3 = c.Read();
  ASSERT_TRUE(r1 && r2 && r3);
  EXPECT_EQ(r1->status, 400);
  EXPECT_EQ(r1->body, R"({"error":"malformed %-escape in the path"})");
  EXPECT_EQ(r2->status, 400);
  EXPECT_EQ(r3->status, 200);
  EXPECT_EQ(r3->body, "host ok");
  EXPECT_EQ(Stats().bad_url, 2u);
}

TEST_F(HttpServerTest, MalformedRequestIs400AndCloses) {
  Start();
  const char* inputs[] = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
      "GET /api/perf/x HTTP/9.9\r\n\r\n",
      "GET /api/perf/x HTTP/1.1\r\nBad Header\r\n\r\n",
      "POST /api/perf/h/1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  };
  for (const char* input : inputs) {
    RawClient c(port_);
    ASSERT_TRUE(c.Send(input));
    auto r = c.Read();
    ASSERT_TRUE(r) << input;
    EXPECT_EQ(r->status, 400) << input;
    EXPECT_EQ(r->headers["connection"], "close");
    EXPECT_EQ(r->body.rfind("{\"error\":\"malformed request: ", 0), 0u) << r->body;
    EXPECT_TRUE(c.WaitClosed()) << input;
  }
  EXPECT_EQ(Stats().rejects, std::size(inputs));
}

TEST_F(HttpServerTest, BodyTooLargeIs413) {
  Start();  // max_body_bytes = 4096
  {
    RawClient c(port_);
    ASSERT_TRUE(
        c.Send("POST /api/perf/h/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->body, R"({"error":"request body exceeds 4096 bytes"})");
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    // Chunked: no length up front; the limit applies as the body arrives.
    RawClient c(port_);
    std::string req =
        "POST /api/perf/h/1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) req += "800\r\n" + std::string(0x800, 'z') + "\r\n";
    req += "0\r\n\r\n";
    ASSERT_TRUE(c.Send(req));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  {
    // Within the limit, chunked works.
    RawClient c(port_);
    ASSERT_TRUE(
        c.Send("POST /api/perf/h/1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\nhello\r\n0\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->body, R"({"bytes":5,"type":""})");
  }
}

TEST_F(HttpServerTest, HeadersTooLargeIs431) {
  Start();  // max_header_bytes = 1024
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/api/perf/a", "X-Big: " + std::string(2000, 'h') + "\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.WaitClosed());
  // Many small headers count too.
  RawClient d(port_);
  std::string many;
  for (int i = 0; i < 300; ++i) many += "A: b\r\n";
  ASSERT_TRUE(d.Send(Get("/api/perf/a", many)));
  r = d.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

TEST_F(HttpServerTest, ExpectContinue) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(
      c.Send("POST /api/perf/h/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
             "Expect: 100-continue\r\n\r\n"));
  auto cont = c.Read();
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);
  ASSERT_TRUE(c.Send("abcd"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  // Header names and this value compare in any case (RFC 9110).
  RawClient d(port_);
  ASSERT_TRUE(
      d.Send("POST /api/perf/h/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
             "eXPECT: 100-Continue\r\n\r\n"));
  cont = d.Read();
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);
}

TEST_F(HttpServerTest, SlowHeadersGet408) {
  HttpServerOptions o = SmallOptions();
  o.request_timeout = 300ms;
  Start(o);
  RawClient c(port_);
  ASSERT_TRUE(c.Send("GET /api/perf/a HTTP/1.1\r\n"));
  // Trickle headers: activity does not extend the whole-request deadline.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 40 && c.Send("X-Slow: 1\r\n"); ++i) {
    pollfd p{c.fd(), POLLIN, 0};
    if (poll(&p, 1, 50) > 0) break;  // The server answered.
  }
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(Stats().rejects, 1u);
}

TEST_F(HttpServerTest, IdleConnectionsAreClosed) {
  HttpServerOptions o = SmallOptions();
  o.idle_timeout = 200ms;
  Start(o);
  RawClient silent(port_);  // Never sends a byte.
  RawClient used(port_);
  ASSERT_TRUE(used.Send(Get("/api/perf/a")));
  ASSERT_TRUE(used.Read());
  EXPECT_TRUE(silent.WaitClosed());
  EXPECT_TRUE(used.WaitClosed());
  EXPECT_EQ(Stats().rejects, 0u);  // Idle closes are not rejects.
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  Start();
  for (int i = 0; i < 5; ++i) {
    CurlResult r = CurlDo(curl_, Url("/api/perf/h" + std::to_string(i)));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "host h" + std::to_string(i));
  }
  EXPECT_EQ(Stats().connections_accepted, 1u);
  EXPECT_EQ(Stats().requests_by_class[2], 5u);
}

TEST_F(HttpServerTest, PipelinedResponsesStayInOrderAcrossDeferredHandlers) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/deferred/one") + Get("/api/perf/a") + Get("/deferred/two") +
                     Get("/api/perf/b/c")));
  std::vector<std::string> bodies;
  for (int i = 0; i < 4; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r) << i;
    bodies.push_back(r->body);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"deferred one", "host a", "deferred two",
                                              R"({"host":"b","label":"c"})"}));
}

TEST_F(HttpServerTest, HeadSendsHeadersOnly) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(c.Send("HEAD /api/perf/a/b HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/api/perf/a/b")));
  auto head = c.Read(/*head=*/true);
  auto get = c.Read();
  ASSERT_TRUE(head && get);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-length"], std::to_string(get->body.size()));
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(get->body, R"({"host":"a","label":"b"})");
}

TEST_F(HttpServerTest, NoContentHasNoBodyOrLength) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/no-content") + Get("/api/perf/x")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->headers.count("content-length"), 0u);
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "host x");
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAlive) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(c.Send("GET /api/perf/a HTTP/1.0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.WaitClosed());

  RawClient k(port_);
  ASSERT_TRUE(k.Send("GET /api/perf/a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = k.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "keep-alive");
  ASSERT_TRUE(k.Send("GET /api/perf/b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = k.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "host b");
}

TEST_F(HttpServerTest, ClientThatNeverReadsIsBoundedAndDropped) {
  HttpServerOptions o = SmallOptions();
  o.max_output_bytes = 64 * 1024;
  o.send_timeout = 300ms;
  Start(o);
  RawClient c(port_);
  int small = 0;
  setsockopt(c.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));  // Fill up sooner.
  std::string requests;
  for (int i = 0; i < 500; ++i) requests += Get("/big");
  ASSERT_TRUE(c.Send(requests));
  ASSERT_TRUE(WaitFor([&] { return big_calls_ > 0; }));
  EXPECT_TRUE(WaitFor([&] { return Stats().connections_open == 0; }));
  EXPECT_EQ(Stats().rejects, 1u);
  // The server stopped handling requests once output piled up.
  EXPECT_LT(big_calls_.load(), 100);
  EXPECT_NE(registry_.RenderPrometheus().find(
                "sonde_test_http_rejects_total{reason=\"send_timeout\"} 1\n"),
            std::string::npos);
}

TEST_F(HttpServerTest, SlowReaderOfBigResponsesGetsThemAll) {
  HttpServerOptions o = SmallOptions();
  o.max_output_bytes = 64 * 1024;
  Start(o);
  RawClient c(port_);
  std::string requests;
  for (int i = 0; i < 20; ++i) requests += Get("/big");
  ASSERT_TRUE(c.Send(requests));
  for (int i = 0; i < 20; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body.size(), 256u * 1024);
  }
  EXPECT_EQ(big_calls_.load(), 20);
}

TEST_F(HttpServerTest, MaxConnectionsRefusesTheExtraOnes) {
  HttpServerOptions o = SmallOptions();
  o.max_connections = 2;
  Start(o);
  auto a = std::make_unique<RawClient>(port_);
  RawClient b(port_);
  for (RawClient* c : {a.get(), &b}) {
    ASSERT_TRUE(c->Send(Get("/api/perf/a")));
    ASSERT_TRUE(c->Read());
  }
  RawClient extra(port_);
  ASSERT_TRUE(extra.connected());
  auto r = extra.Read();
  if (r) {  // The 503 may be lost to the reset; the close is what matters.
    EXPECT_EQ(r->status, 503);
  }
  EXPECT_TRUE(extra.WaitClosed());
  EXPECT_TRUE(WaitFor([&] { return Stats().rejects == 1; }));
  a.reset();
  EXPECT_TRUE(WaitFor([&] { return Stats().connections_open == 1; }));
  RawClient again(port_);
  ASSERT_TRUE(again.Send(Get("/api/perf/z")));
  auto ok = again.Read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "host z");
}

TEST_F(HttpServerTest, HandlerExceptionsBecome500) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/throw") + Get("/drop") + Get("/api/perf/after")));
  auto r1 = c.Read();
  auto r2 = c.Read();
  auto r3 = c.Read();
  ASSERT_TRUE(r1 && r2 && r3);
  EXPECT_EQ(r1->status, 500);
  EXPECT_EQ(r1->body, R"({"error":"internal error"})");
  EXPECT_EQ(r2->status, 500);  // A deferred handler that dropped its responder.
  EXPECT_EQ(r3->body, "host after");
  EXPECT_EQ(Stats().handler_errors, 1u);
  EXPECT_EQ(Stats().requests_by_class[5], 2u);
}

TEST_F(HttpServerTest, MetricsInTheRegistry) {
  Start();
  EXPECT_EQ(CurlDo(curl_, Url("/api/perf/a")).status, 200);
  EXPECT_EQ(CurlDo(curl_, Url("/nope")).status, 404);
  const std::string text = registry_.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE sonde_test_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("sonde_test_http_requests_total{class=\"2xx\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("sonde_test_http_requests_total{class=\"4xx\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("sonde_test_http_connections_open 1\n"), std::string::npos) << text;
}

TEST_F(HttpServerTest, CloseWithOpenConnectionsAndPendingDeferredResponse) {
  Start();
  RawClient idle(port_);
  ASSERT_TRUE(idle.Send(Get("/api/perf/a")));
  ASSERT_TRUE(idle.Read());
  RawClient waiting(port_);
  ASSERT_TRUE(waiting.Send(Get("/hold")));
  ASSERT_TRUE(WaitFor([&] { return held_count_ == 1; }));
  Stop();  // Asserts uv_loop_close() == 0.
  EXPECT_FALSE(held_->alive());
  held_->Send(HttpResponse::Text(200, "too late"));  // A no-op, not a crash.
  held_.reset();
  EXPECT_TRUE(idle.WaitClosed());
  EXPECT_TRUE(waiting.WaitClosed());
}

TEST(HttpServer, StartErrors) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  {
    HttpServerOptions o;
    o.host = "not-an-address";
    HttpServer s(&loop, o);
    EXPECT_TRUE(s.Start().IsInvalidArgument());
  }
  {
    HttpServerOptions o;
    o.max_body_bytes = 0;
    HttpServer s(&loop, o);
    Status st = s.Start();
    EXPECT_TRUE(st.IsInvalidArgument());
    EXPECT_NE(st.message().find("max_body_bytes"), std::string::npos);
  }
  {
    HttpServer first(&loop, HttpServerOptions());
    ASSERT_TRUE(first.Start().ok());
    HttpServerOptions o;
    o.port = first.port();
    HttpServer second(&loop, o);
    Status st = second.Start();
    EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
    // Destroyed without Close(): the handles close on the next run.
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(HttpServerOptions, ValidateEachField) {
  auto invalid = [](auto mutate) {
    HttpServerOptions o;
    mutate(o);
    return o.Validate().IsInvalidArgument();
  };
  EXPECT_TRUE(HttpServerOptions().Validate().ok());
  EXPECT_TRUE(invalid([](HttpServerOptions& o) { o.host = ""; }));
  EXPECT_TRUE(invalid([](HttpServerOptions& o) { o.backlog = 0; }));
  EXPECT_TRUE(invalid([](HttpServerOptions& o) { o.max_header_bytes = 10; }));
  EXPECT_TRUE(invalid([](HttpServerOptions& o) { o.max_body_bytes = 0; }));
  EXPECT_TRUE(invalid([](HttpServerOptions& o) { o.request_timeout = 0ms; }));
  EXPECT_TRUE(invalid([](HttpServerOptions& o) { o.idle_timeout = 0ms; }));
  EXPECT_TRUE(invalid([](HttpServerOptions& o) { o.send_timeout = 0ms; }));
  EXPECT_TRUE(invalid([](HttpServerOptions& o) { o.max_connections = 0; }));
  EXPECT_TRUE(invalid([](HttpServerOptions& o) { o.max_output_bytes = 0; }));
}

}  // namespace
}  // namespace sonde

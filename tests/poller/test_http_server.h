// TestHttpServer: a small raw-socket HTTP/1.1 server for the poller's tests,
// on 127.0.0.1 with ports picked by the kernel. Each listener answers every
// request with one Reply, so that a test controls exactly what a "server"
// does: answer, answer late, trickle, never answer, send a huge body, close.
//
// One background thread serves every listener with poll(); replies are
// computed by the listener's function on that thread. Connections are closed
// after one response ("Connection: close").
#ifndef SONDE_TESTS_POLLER_TEST_HTTP_SERVER_H_
#define SONDE_TESTS_POLLER_TEST_HTTP_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sonde::testing {

struct Reply {
  int status = 200;
  std::string body = "{}";
  std::string content_type = "application/json";
  std::string location;        // Adds a Location header (redirect tests).
  int delay_ms = 0;            // Wait before answering.
  bool silent = false;         // Read the request, never answer (accept-then-silence).
  bool close_at_once = false;  // Close without a response (empty reply).
  int trickle_ms = 0;          // Send the response one byte every trickle_ms.
  size_t filler_bytes = 0;     // Append this many 'x' bytes to the body (huge body).
  bool content_length = true;  // false: the body ends when the connection closes.
  bool keep_alive = false;     // Keep the connection for the next request.

  // Chainable setters: Reply().WithStatus(500).WithBody("{}").
  Reply& WithStatus(int v) {
    status = v;
    return *this;
  }
  Reply& WithBody(std::string v) {
    body = std::move(v);
    return *this;
  }
  Reply& WithContentType(std::string v) {
    content_type = std::move(v);
    return *this;
  }
  Reply& WithLocation(std::string v) {
    location = std::move(v);
    return *this;
  }
  Reply& WithDelayMs(int v) {
    delay_ms = v;
    return *this;
  }
  Reply& WithSilent(bool v) {
    silent = v;
    return *this;
  }
  Reply& WithCloseAtOnce(bool v) {
    close_at_once = v;
    return *this;
  }
  Reply& WithTrickleMs(int v) {
    trickle_ms = v;
    return *this;
  }
  Reply& WithFillerBytes(size_t v) {
    filler_bytes = v;
    return *this;
  }
  Reply& WithKeepAlive(bool v) {
    keep_alive = v;
    return *this;
  }
  Reply& WithContentLength(bool v) {
    content_length = v;
    return *this;
  }
};

class TestHttpServer {
 public:
  using Handler = std::function<Reply(const std::string& path)>;

  TestHttpServer();
  ~TestHttpServer();  // Stops the thread and closes every socket.
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  // Adds a listener (before Start) and returns its port.
  uint16_t Listen(Handler handler);
  uint16_t Listen(Reply reply) {
    return Listen([reply](const std::string&) { return reply; });
  }
  void Start();

  // Requests received on a listener, and the most connections it held open at once.
  int requests(uint16_t port) const;
  int max_open(uint16_t port) const;
  // Paths requested on a listener, in order.
  std::vector<std::string> paths(uint16_t port) const;

 private:
  struct Listener;
  struct Conn;
  void Loop();
  void Accept(Listener* l);
  void OnReadable(Conn* c);
  void OnWritable(Conn* c, int64_t now);
  void Respond(Conn* c);
  void CloseConn(Conn* c);
  int Timeout(int64_t now) const;

  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::unique_ptr<Conn>> conns_;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;  // Guards the counters read by the test thread.
};

// A loopback port with nothing listening (bound, then closed).
uint16_t ClosedPort();

}  // namespace sonde::testing

#endif  // SONDE_TESTS_POLLER_TEST_HTTP_SERVER_H_

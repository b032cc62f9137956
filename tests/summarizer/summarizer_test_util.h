// Helpers for the summarizer tests: a tiny blocking HTTP/1.1 client and a
// Summarizer running in-process on its own thread. Child processes and free
// ports: tests/testutil.
#ifndef SONDE_TESTS_SUMMARIZER_SUMMARIZER_TEST_UTIL_H_
#define SONDE_TESTS_SUMMARIZER_SUMMARIZER_TEST_UTIL_H_

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sonde/ascii.h"
#include "sonde/summarizer.h"
#include "testutil/testutil.h"

namespace sonde::summarizer::testing {

struct HttpResult {
  int status = 0;  // 0: no answer (connection failed).
  std::string content_type;
  std::string body;
};

// One request on a fresh connection ("Connection: close"); reads to EOF.
inline HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                           const std::string& body = "") {
  HttpResult r;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return r;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!body.empty() || method == "POST") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t head_end = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return r;
  r.status = std::stoi(resp.substr(9, 3));
  std::istringstream head(resp.substr(0, head_end));
  std::string line;
  bool chunked = false;
  while (std::getline(head, line)) {
    const std::string lower = AsciiLower(line);
    if (lower.rfind("content-type:", 0) == 0) {
      r.content_type = line.substr(13);
      while (!r.content_type.empty() && (r.content_type[0] == ' ')) r.content_type.erase(0, 1);
      if (!r.content_type.empty() && r.content_type.back() == '\r') r.content_type.pop_back();
    }
    if (lower.find("transfer-encoding: chunked") != std::string::npos) chunked = true;
  }
  r.body = resp.substr(head_end + 4);
  if (chunked) {
    std::string out;
    size_t pos = 0;
    for (;;) {
      const size_t eol = r.body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const size_t len = std::stoul(r.body.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) break;
      out += r.body.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
    r.body = out;
  }
  return r;
}

// A Summarizer on its own thread; stopped and joined on destruction.
class RunningSummarizer {
 public:
  explicit RunningSummarizer(SummarizerOptions options) {
    auto s = Summarizer::Create(std::move(options));
    if (!s.has_value()) {
      ADD_FAILURE() << "Summarizer::Create: " << s.error().ToString();
      return;
    }
    summarizer_ = std::move(s).value();
    thread_ = std::thread([this] { run_status_ = summarizer_->Run(); });
  }
  ~RunningSummarizer() { EXPECT_TRUE(StopAndJoin().ok()); }

  Status StopAndJoin() {
    if (thread_.joinable()) {
      summarizer_->Stop();
      thread_.join();
    }
    return run_status_;
  }
  Summarizer* operator->() { return summarizer_.get(); }
  bool ok() const { return summarizer_ != nullptr; }
  uint16_t port() const { return summarizer_->http_port(); }

 private:
  std::unique_ptr<Summarizer> summarizer_;
  std::thread thread_;
  Status run_status_;
};

// Process and port helpers come from tests/testutil.
using sonde::testing::Child;
using sonde::testing::FreePort;

}  // namespace sonde::summarizer::testing

#endif  // SONDE_TESTS_SUMMARIZER_SUMMARIZER_TEST_UTIL_H_

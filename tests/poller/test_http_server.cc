#include "test_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace sonde::testing {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

int BindLoopback(uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    throw std::runtime_error("bind");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

struct TestHttpServer::Listener {
  int fd = -1;
  uint16_t port = 0;
  Handler handler;
  int requests = 0;
  int open = 0;
  int max_open = 0;
  std::vector<std::string> paths;
};

struct TestHttpServer::Conn {
  enum class State { kReading, kWaiting, kWriting, kSilent };
  int fd = -1;
  Listener* listener = nullptr;
  State state = State::kReading;
  std::string in;
  std::string out;
  size_t sent = 0;
  int64_t due_ms = 0;
  int trickle_ms = 0;
  bool closed = false;
  bool keep_alive = false;
};

TestHttpServer::TestHttpServer() {
  if (::pipe2(wake_, O_NONBLOCK | O_CLOEXEC) < 0) throw std::runtime_error("pipe2");
}

TestHttpServer::~TestHttpServer() {
  stop_ = true;
  char b = 1;
  (void)!::write(wake_[1], &b, 1);
  if (thread_.joinable()) thread_.join();
  for (auto& c : conns_) {
    if (!c->closed) ::close(c->fd);
  }
  for (auto& l : listeners_) ::close(l->fd);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

uint16_t TestHttpServer::Listen(Handler handler) {
  auto l = std::make_unique<Listener>();
  l->fd = BindLoopback(&l->port);
  if (::listen(l->fd, 1024) < 0) throw std::runtime_error("listen");
  l->handler = std::move(handler);
  listeners_.push_back(std::move(l));
  return listeners_.back()->port;
}

void TestHttpServer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

int TestHttpServer::requests(uint16_t port) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& l : listeners_) {
    if (l->port == port) return l->requests;
  }
  return -1;
}

int TestHttpServer::max_open(uint16_t port) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& l : listeners_) {
    if (l->port == port) return l->max_open;
  }
  return -1;
}

std::vector<std::string> TestHttpServer::paths(uint16_t port) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& l : listeners_) {
    if (l->port == port) return l->paths;
  }
  return {};
}

int TestHttpServer::Timeout(int64_t now) const {
  int64_t next = -1;
  for (auto& c : conns_) {
    const bool timed = c->state == Conn::State::kWaiting ||
                       (c->state == Conn::State::kWriting && c->trickle_ms > 0);
    if (!timed) continue;
    const int64_t wait = std::max<int64_t>(0, c->due_ms - now);
    next = next < 0 ? wait : std::min(next, wait);
  }
  return static_cast<int>(next);
}

void TestHttpServer::Loop() {
  std::vector<pollfd> fds;
  std::vector<Conn*> polled;
  while (!stop_) {
    const int64_t now = SteadyMs();
    fds.clear();
    polled.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    for (auto& l : listeners_) fds.push_back({l->fd, POLLIN, 0});
    for (auto& c : conns_) {
      short events = 0;
      if (c->state == Conn::State::kReading || c->state == Conn::State::kSilent) events = POLLIN;
      if (c->state == Conn::State::kWriting && (c->trickle_ms == 0 || now >= c->due_ms)) {
        events = POLLOUT;
      }
      fds.push_back({c->fd, events, 0});
      polled.push_back(c.get());
    }
    if (::poll(fds.data(), fds.size(), Timeout(now)) < 0 && errno != EINTR) return;
    if (stop_) return;
    const int64_t after = SteadyMs();
    for (size_t i = 0; i < listeners_.size(); ++i) {
      if (fds[1 + i].revents & POLLIN) Accept(listeners_[i].get());
    }
    const size_t base = 1 + listeners_.size();
    for (size_t i = 0; i < polled.size(); ++i) {
      Conn* c = polled[i];
      const short rev = fds[base + i].revents;
      if (c->state == Conn::State::kWaiting && after >= c->due_ms) c->state = Conn::State::kWriting;
      if (rev & (POLLIN | POLLHUP | POLLERR)) OnReadable(c);
      if (!c->closed && (rev & POLLOUT)) OnWritable(c, after);
    }
    conns_.erase(std::remove_if(conns_.begin(), conns_.end(), [](auto& c) { return c->closed; }),
                 conns_.end());
  }
}

void TestHttpServer::Accept(Listener* l) {
  while (true) {
    int fd = ::accept4(l->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->listener = l;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++l->open;
      l->max_open = std::max(l->max_open, l->open);
    }
    conns_.push_back(std::move(c));
  }
}

void TestHttpServer::OnReadable(Conn* c) {
  char buf[4096];
  ssize_t n = ::recv(c->fd, buf, sizeof(buf), 0);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    CloseConn(c);
    return;
  }
  if (n < 0 || c->state != Conn::State::kReading) return;
  c->in.append(buf, static_cast<size_t>(n));
  if (c->in.find("\r\n\r\n") != std::string::npos) Respond(c);
}

void TestHttpServer::Respond(Conn* c) {
  const size_t sp1 = c->in.find(' ');
  const size_t sp2 = c->in.find(' ', sp1 + 1);
  const std::string path = c->in.substr(sp1 + 1, sp2 - sp1 - 1);
  Listener* l = c->listener;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++l->requests;
    l->paths.push_back(path);
  }
  const Reply r = l->handler(path);
  if (r.close_at_once) {
    CloseConn(c);
    return;
  }
  if (r.silent) {
    c->state = Conn::State::kSilent;
    return;
  }
  std::string body = r.body + std::string(r.filler_bytes, 'x');
  c->out = "HTTP/1.1 " + std::to_string(r.status) + " " + Reason(r.status) + "\r\n";
  c->out += "Content-Type: " + r.content_type + "\r\n";
  if (r.content_length) c->out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!r.location.empty()) c->out += "Location: " + r.location + "\r\n";
  c->keep_alive = r.keep_alive && r.content_length;
  c->out += std::string("Connection: ") + (c->keep_alive ? "keep-alive" : "close") + "\r\n\r\n";
  c->out += body;
  c->trickle_ms = r.trickle_ms;
  c->due_ms = SteadyMs() + r.delay_ms;
  c->state = r.delay_ms > 0 ? Conn::State::kWaiting : Conn::State::kWriting;
}

void TestHttpServer::OnWritable(Conn* c, int64_t now) {
  if (c->state != Conn::State::kWriting) return;
  const size_t chunk = c->trickle_ms > 0 ? 1 : c->out.size() - c->sent;
  ssize_t n = ::send(c->fd, c->out.data() + c->sent, chunk, MSG_NOSIGNAL);
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) CloseConn(c);
    return;
  }
  c->sent += static_cast<size_t>(n);
  c->due_ms = now + c->trickle_ms;
  if (c->sent < c->out.size()) return;
  if (!c->keep_alive) {
    CloseConn(c);
    return;
  }
  c->in.clear();
  c->out.clear();
  c->sent = 0;
  c->state = Conn::State::kReading;
}

void TestHttpServer::CloseConn(Conn* c) {
  if (c->closed) return;
  ::close(c->fd);
  c->closed = true;
  std::lock_guard<std::mutex> lock(mu_);
  --c->listener->open;
}

uint16_t ClosedPort() {
  uint16_t port = 0;
  int fd = BindLoopback(&port);
  ::close(fd);
  return port;
}

}  // namespace sonde::testing

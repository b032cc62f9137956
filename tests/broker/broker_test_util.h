// Helpers for the broker tests: a broker running in-process on its own
// thread with every port 0, a bus subscriber, raw senders, and messages.
#ifndef SONDE_TESTS_BROKER_BROKER_TEST_UTIL_H_
#define SONDE_TESTS_BROKER_BROKER_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "sonde/broker.h"
#include "sonde/wire.h"
#include "testutil/testutil.h"

namespace sonde::broker::testing {

using namespace std::chrono_literals;

// Options for a loopback broker on free ports, without own stats.
inline BrokerOptions TestOptions() {
  BrokerOptions o;
  o.udp = "udp://127.0.0.1:0";
  o.pull = "tcp://127.0.0.1:0";
  o.pub = "tcp://127.0.0.1:0";
  o.broker_id = "test-broker";
  o.stats_interval = 0ms;
  o.udp_rcvbuf_bytes = 4 << 20;
  o.linger = 0ms;
  return o;
}

// A Broker running on its own thread; stopped and joined on destruction,
// where Run()'s Status (loop closed cleanly) is checked.
class RunningBroker {
 public:
  explicit RunningBroker(BrokerOptions options = TestOptions()) {
    auto broker = Broker::Create(std::move(options));
    if (!broker.has_value()) {
      ADD_FAILURE() << "Broker::Create: " << broker.error().ToString();
      return;
    }
    broker_ = std::move(broker.value());
    thread_ = std::thread([this] { run_status_ = broker_->Run(); });
  }
  ~RunningBroker() { EXPECT_TRUE(StopAndJoin().ok()); }

  // Stops the broker and returns what Run() returned. Idempotent.
  Status StopAndJoin() {
    if (thread_.joinable()) {
      broker_->Stop();
      thread_.join();
    }
    return run_status_;
  }

  Broker* operator->() { return broker_.get(); }
  Broker& get() { return *broker_; }
  bool ok() const { return broker_ != nullptr; }

 private:
  std::unique_ptr<Broker> broker_;
  std::thread thread_;
  Status run_status_;
};

// One publication read back from the bus.
struct Publication {
  std::string topic;
  std::string broker_id;
  uint64_t sequence = 0;
  int64_t received_ms = 0;
  uint32_t message_count = 0;
  std::string payload;
  // The payload's messages (SplitBusPayload); empty when it is malformed.
  std::vector<std::string> messages;
  size_t frames = 0;
};

// A SUB socket on the broker's PUB endpoint.
class BusSubscriber {
 public:
  BusSubscriber(const std::string& endpoint, const std::vector<std::string>& topics)
      : socket_(context_, zmq::socket_type::sub) {
    socket_.set(zmq::sockopt::rcvhwm, 1000000);
    socket_.set(zmq::sockopt::linger, 0);
    for (const std::string& topic : topics) socket_.set(zmq::sockopt::subscribe, topic);
    socket_.connect(endpoint);
  }

  // The next publication, or nullopt after `timeout`.
  std::optional<Publication> Receive(std::chrono::milliseconds timeout = 5s) {
    socket_.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout.count()));
    Publication p;
    std::vector<std::string> frames;
    zmq::message_t part;
    do {
      if (!socket_.recv(part)) return std::nullopt;
      frames.push_back(part.to_string());
    } while (part.more());
    p.frames = frames.size();
    if (frames.size() != 3) return p;
    p.topic = frames[0];
    p.payload = frames[2];
    BusMeta meta;
    if (DecodeBusMeta(frames[1], &meta) == WireError::kOk) {
      p.broker_id = std::string(meta.broker_id);
      p.sequence = meta.sequence;
      p.received_ms = meta.received_ms;
      p.message_count = meta.message_count;
      std::vector<BusMessage> split;
      if (SplitBusPayload(p.payload, meta.message_count, &split) == WireError::kOk) {
        for (const BusMessage& m : split) p.messages.emplace_back(m.message);
      }
    }
    return p;
  }

  // As Receive, skipping the probes of WaitUntilSubscribed.
  std::optional<Publication> ReceiveData(std::chrono::milliseconds timeout = 5s) {
    for (;;) {
      std::optional<Publication> p = Receive(timeout);
      if (!p.has_value() || p->topic != std::string("probe", 6)) return p;
    }
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
};

// Sends raw datagrams to 127.0.0.1:port.
class UdpSender {
 public:
  explicit UdpSender(int port) : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(static_cast<uint16_t>(port));
    addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~UdpSender() { close(fd_); }
  bool Send(std::string_view bytes) {
    return sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&addr_),
                  sizeof addr_) == static_cast<ssize_t>(bytes.size());
  }

 private:
  int fd_;
  sockaddr_in addr_{};
};

// A ZeroMQ PUSH socket connected to the broker's PULL endpoint.
class PushSender {
 public:
  explicit PushSender(const std::string& endpoint) : socket_(context_, zmq::socket_type::push) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(endpoint);
  }
  bool Send(std::string_view bytes, bool more = false) {
    return socket_
        .send(zmq::buffer(bytes.data(), bytes.size()),
              more ? zmq::send_flags::sndmore : zmq::send_flags::none)
        .has_value();
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
};

// A valid message from `source` with `count` gauges named "m0", "m1", ...
// whose values are `first`, first + 1, ...
inline std::string MakeBatch(std::string_view source, int count = 1, double first = 0,
                             Tags tags = {}) {
  std::vector<Sample> samples;
  for (int i = 0; i < count; ++i) {
    samples.push_back(Sample{.name = "m" + std::to_string(i),
                             .value = first + i,
                             .timestamp_ms = 0,
                             .kind = MetricKind::kGauge,
                             .tags = {}});
  }
  std::string out;
  WireError e = EncodeBatch(source, sonde::testing::NowMs(), tags, samples, &out);
  EXPECT_EQ(e, WireError::kOk) << WireErrorName(e);
  return out;
}

// The topic frame of `source`.
inline std::string Topic(std::string_view source) { return std::string(source) + '\0'; }

// Sends probe batches from source "probe" with `send` until `subscriber`
// (which must subscribe to "probe\0" or everything) receives one, so that
// the subscription is known to be in place; drains nothing else.
template <typename SendFn>
bool WaitUntilSubscribed(BusSubscriber& subscriber, SendFn send) {
  const std::string probe = MakeBatch("probe");
  for (int i = 0; i < 5000; ++i) {
    send(probe);
    if (auto p = subscriber.Receive(2ms); p.has_value() && p->topic == std::string("probe", 6)) {
      return true;
    }
  }
  return false;
}

}  // namespace sonde::broker::testing

#endif  // SONDE_TESTS_BROKER_BROKER_TEST_UTIL_H_

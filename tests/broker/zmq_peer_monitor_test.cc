// The PULL socket's peer monitor, through a broker in-process on real
// loopback sockets: what ZeroMQ drops before the broker sees a message (a
// message over --max-message-bytes disconnects its sender; a client that
// does not speak ZMTP fails the handshake) is counted, and ingest goes on.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "broker_test_util.h"
#include "sonde/broker.h"
#include "sonde/wire.h"
#include "testutil/testutil.h"

namespace sonde::broker {
namespace {

using namespace std::chrono_literals;
using sonde::testing::WaitFor;
using testing::BusSubscriber;
using testing::MakeBatch;
using testing::Publication;
using testing::PushSender;
using testing::RunningBroker;
using testing::TestOptions;
using testing::Topic;
using testing::WaitUntilSubscribed;

// The port of "tcp://127.0.0.1:<port>".
int PortOf(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

// Connects a plain TCP socket to 127.0.0.1:port, writes `bytes` and closes.
void ConnectWriteAndClose(int port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  if (!bytes.empty()) {
    ASSERT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  close(fd);
}

// Waits until a publication from `source` arrives; false after ~10 s.
bool ReceiveFrom(BusSubscriber& sub, const std::string& source) {
  for (int i = 0; i < 5; ++i) {
    std::optional<Publication> p = sub.ReceiveData();
    if (!p.has_value()) return false;
    if (p->topic == Topic(source)) return true;
  }
  return false;
}

TEST(ZmqPeerMonitor, OversizedMessageCountsADisconnectAndIngestGoesOn) {
  BrokerOptions options = TestOptions();
  options.max_message_bytes = 4096;
  RunningBroker broker(options);
  ASSERT_TRUE(broker.ok());
  BusSubscriber sub(broker->pub_endpoint(), {""});
  auto offender = std::make_unique<PushSender>(broker->pull_endpoint());
  ASSERT_TRUE(WaitUntilSubscribed(sub, [&](const std::string& m) { offender->Send(m); }));
  ASSERT_TRUE(WaitFor([&] { return broker->counters().pull_peers == 1; }));
  ASSERT_EQ(broker->counters().pull_peer_disconnects, 0u);

  // Over the limit: ZeroMQ drops it and the connection, never the broker.
  ASSERT_TRUE(offender->Send(std::string(options.max_message_bytes + 1, 'x')));
  ASSERT_TRUE(WaitFor([&] { return broker->counters().pull_peer_disconnects == 1; }))
      << FormatCounters(broker->counters());

  // Another peer's well-formed batch is still accepted and published.
  PushSender good(broker->pull_endpoint());
  ASSERT_TRUE(good.Send(MakeBatch("after-oversized", 3)));
  EXPECT_TRUE(ReceiveFrom(sub, "after-oversized"));

  const BrokerCounters c = broker->counters();
  EXPECT_EQ(c.pull_peer_disconnects, 1u);
  EXPECT_EQ(c.pull_handshake_failures, 0u);  // The handshake had succeeded.
  EXPECT_EQ(c.malformed_total, 0u);          // The message never reached the broker.
  EXPECT_NE(FormatCounters(c).find(" pull_peer_disconnects=1 "), std::string::npos)
      << FormatCounters(c);
}

TEST(ZmqPeerMonitor, PeersGaugeFollowsConnectionsAndCleanClosesCountAsDisconnects) {
  RunningBroker broker;
  ASSERT_TRUE(broker.ok());
  {
    PushSender a(broker->pull_endpoint());
    PushSender b(broker->pull_endpoint());
    ASSERT_TRUE(WaitFor([&] { return broker->counters().pull_peers == 2; }));
    // A peer that left mid-handshake would count as a handshake failure:
    // a message from each proves both handshakes done.
    ASSERT_TRUE(a.Send(MakeBatch("a")));
    ASSERT_TRUE(b.Send(MakeBatch("b")));
    ASSERT_TRUE(WaitFor([&] { return broker->counters().pull.messages == 2; }));
  }
  ASSERT_TRUE(WaitFor([&] { return broker->counters().pull_peer_disconnects == 2; }))
      << FormatCounters(broker->counters());
  EXPECT_EQ(broker->counters().pull_peers, 0);
  EXPECT_EQ(broker->counters().pull_handshake_failures, 0u);
}

TEST(ZmqPeerMonitor, ClientThatDoesNotSpeakZmtpIsAHandshakeFailure) {
  RunningBroker broker;
  ASSERT_TRUE(broker.ok());
  const int port = PortOf(broker->pull_endpoint());
  ConnectWriteAndClose(port, "");
  ConnectWriteAndClose(port, "GET / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(WaitFor([&] { return broker->counters().pull_handshake_failures == 2; }))
      << FormatCounters(broker->counters());
  ASSERT_TRUE(WaitFor([&] { return broker->counters().pull_peer_disconnects == 2; }));
  EXPECT_EQ(broker->counters().pull_peers, 0);

  // Ingest still works.
  BusSubscriber sub(broker->pub_endpoint(), {""});
  PushSender push(broker->pull_endpoint());
  ASSERT_TRUE(WaitUntilSubscribed(sub, [&](const std::string& m) { push.Send(m); }));
}

TEST(ZmqPeerMonitor, DisconnectsAppearInTheBrokersOwnStats) {
  BrokerOptions options = TestOptions();
  options.stats_interval = 20ms;
  options.stats_source = "stats-host";
  RunningBroker broker(options);
  ASSERT_TRUE(broker.ok());
  BusSubscriber sub(broker->pub_endpoint(), {Topic("stats-host")});
  ASSERT_TRUE(sub.Receive().has_value());  // The subscription is in place.
  ConnectWriteAndClose(PortOf(broker->pull_endpoint()), "");

  double disconnects = 0, handshake_failures = 0;
  bool saw_peers_gauge = false;
  BatchView batch;
  while (disconnects < 1 || handshake_failures < 1 || !saw_peers_gauge) {
    std::optional<Publication> p = sub.Receive();
    ASSERT_TRUE(p.has_value()) << FormatCounters(broker->counters());
    ASSERT_EQ(p->messages.size(), 1u);
    ASSERT_EQ(DecodeBatch(p->messages[0], &batch), WireError::kOk);
    for (const Sample& s : ToSamples(batch)) {
      if (s.name == "sonde.broker.pull_peer_disconnects_total") disconnects += s.value;
      if (s.name == "sonde.broker.pull_handshake_failures_total") handshake_failures += s.value;
      saw_peers_gauge = saw_peers_gauge || s.name == "sonde.broker.pull_peers";
    }
  }
  EXPECT_EQ(disconnects, 1);
  EXPECT_EQ(handshake_failures, 1);
}

TEST(ZmqPeerMonitor, BrokerStopsCleanlyWithPeersConnected) {
  auto broker = std::make_unique<RunningBroker>();
  ASSERT_TRUE(broker->ok());
  PushSender a((*broker)->pull_endpoint());
  PushSender b((*broker)->pull_endpoint());
  ASSERT_TRUE(WaitFor([&] { return (*broker)->counters().pull_peers == 2; }));
  EXPECT_TRUE(broker->StopAndJoin().ok());
}

}  // namespace
}  // namespace sonde::broker

// BrokerOptions::Validate: the defaults pass, and each check rejects its field.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "sonde/broker.h"

namespace sonde::broker {
namespace {

using namespace std::chrono_literals;

TEST(BrokerOptions, DefaultsAreValidAndLoopback) {
  BrokerOptions o;
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
  EXPECT_EQ(o.udp, "udp://127.0.0.1:7700");
  EXPECT_EQ(o.pull, "tcp://127.0.0.1:7701");
  EXPECT_EQ(o.pub, "tcp://127.0.0.1:7702");
  EXPECT_EQ(o.stats_interval, 10s);
}

struct Case {
  const char* what;
  std::function<void(BrokerOptions&)> change;
  const char* field;  // The flag, expected at the start of the message.
};

TEST(BrokerOptions, EachCheckRejectsItsField) {
  const std::vector<Case> cases = {
      {"no ingest", [](BrokerOptions& o) { o.udp = o.pull = ""; }, "--udp, --pull"},
      {"udp not a uri", [](BrokerOptions& o) { o.udp = "7700"; }, "--udp"},
      {"udp over tcp", [](BrokerOptions& o) { o.udp = "tcp://127.0.0.1:7700"; }, "--udp"},
      {"pull over udp", [](BrokerOptions& o) { o.pull = "udp://127.0.0.1:7701"; }, "--pull"},
      {"pub missing", [](BrokerOptions& o) { o.pub = ""; }, "--pub"},
      {"pub over udp", [](BrokerOptions& o) { o.pub = "udp://127.0.0.1:7702"; }, "--pub"},
      {"broker_id too long", [](BrokerOptions& o) { o.broker_id = std::string(65, 'b'); },
       "--broker-id"},
      {"broker_id control", [](BrokerOptions& o) { o.broker_id = "a\nb"; }, "--broker-id"},
      {"stats_source too long", [](BrokerOptions& o) { o.stats_source = std::string(256, 's'); },
       "--stats-source"},
      {"stats_interval negative", [](BrokerOptions& o) { o.stats_interval = -1ms; },
       "--stats-interval"},
      {"stats_interval tiny", [](BrokerOptions& o) { o.stats_interval = 5ms; }, "--stats-interval"},
      {"max_message_bytes small", [](BrokerOptions& o) { o.max_message_bytes = 63; },
       "--max-message-bytes"},
      {"max_message_bytes big",
       [](BrokerOptions& o) { o.max_message_bytes = kMaxMessageBytes + 1; }, "--max-message-bytes"},
      {"udp_rcvbuf negative", [](BrokerOptions& o) { o.udp_rcvbuf_bytes = -1; },
       "--udp-rcvbuf"},
      {"udp_rcvbuf huge", [](BrokerOptions& o) { o.udp_rcvbuf_bytes = (1 << 30) + 1; },
       "--udp-rcvbuf"},
      {"pub_hwm zero (unbounded)", [](BrokerOptions& o) { o.pub_hwm = 0; }, "--pub-hwm"},
      {"pull_hwm zero (unbounded)", [](BrokerOptions& o) { o.pull_hwm = 0; }, "--pull-hwm"},
      {"drain_batch zero", [](BrokerOptions& o) { o.drain_batch = 0; }, "--drain-batch"},
      {"linger negative", [](BrokerOptions& o) { o.linger = -1ms; }, "--linger"},
      {"linger long", [](BrokerOptions& o) { o.linger = 61s; }, "--linger"},
  };
  for (const Case& c : cases) {
    BrokerOptions o;
    c.change(o);
    Status s = o.Validate();
    EXPECT_TRUE(s.IsInvalidArgument()) << c.what << ": " << s.ToString();
    EXPECT_EQ(s.message().rfind(c.field, 0), 0u) << c.what << ": " << s.message();
  }
}

TEST(BrokerOptions, EdgeValuesPass) {
  BrokerOptions o;
  o.udp = "";  // PULL alone is enough.
  o.stats_interval = 0ms;
  o.max_message_bytes = 64;
  o.udp_rcvbuf_bytes = 0;
  o.broker_id = std::string(kMaxBrokerIdBytes, 'b');
  o.pub = "ipc:///tmp/sonde-test.sock";
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
  o = BrokerOptions();
  o.pull = "";
  o.udp = "udp://[::1]:0";
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
}

}  // namespace
}  // namespace sonde::broker

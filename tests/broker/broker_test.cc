// The broker in-process on its own thread and loop, with real loopback
// sockets on port 0: emitter -> broker -> subscriber over UDP and ZeroMQ,
// topic filtering, sequence numbers, garbage floods, size limits, own stats
// and clean stops.
#include "sonde/broker.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "broker_test_util.h"
#include "sonde/emitter.h"
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
using testing::UdpSender;
using testing::WaitUntilSubscribed;

// Reads data publications until `want` samples arrived; returns them.
std::vector<Sample> ReceiveSamples(BusSubscriber& sub, size_t want, const std::string& source,
                                   const std::string& broker_id) {
  std::vector<Sample> samples;
  BatchView batch;
  while (samples.size() < want) {
    std::optional<Publication> p = sub.ReceiveData();
    if (!p.has_value()) break;
    EXPECT_EQ(p->topic, Topic(source));
    EXPECT_EQ(p->broker_id, broker_id);
    EXPECT_EQ(p->messages.size(), p->message_count);
    for (const std::string& message : p->messages) {
      EXPECT_EQ(DecodeBatch(message, &batch), WireError::kOk);
      EXPECT_EQ(batch.source, source);
      for (Sample& s : ToSamples(batch)) samples.push_back(std::move(s));
    }
  }
  return samples;
}

void RelaysFromEmitter(bool over_udp) {
  RunningBroker broker;
  ASSERT_TRUE(broker.ok());
  BusSubscriber sub(broker->pub_endpoint(), {""});
  UdpSender udp(broker->udp_port());
  ASSERT_TRUE(WaitUntilSubscribed(sub, [&](const std::string& m) { udp.Send(m); }));

  EmitterOptions eo;
  eo.endpoint =
      over_udp ? "udp://127.0.0.1:" + std::to_string(broker->udp_port()) : broker->pull_endpoint();
  eo.source = "web-01";
  eo.tags = {{"service", "auth"}};
  eo.flush_interval = 10ms;
  auto emitter = Emitter::Open(eo);
  ASSERT_TRUE(emitter.has_value()) << emitter.error().ToString();
  constexpr int kSamples = 200;
  const std::string cores[] = {"0", "1", "2", "3"};
  for (int i = 0; i < kSamples; ++i) {
    ASSERT_EQ((*emitter)->Gauge("cpu", i, {{"core", cores[i % 4]}}), RecordResult::kQueued);
  }
  ASSERT_TRUE((*emitter)->Flush(5s).ok());

  std::vector<Sample> samples = ReceiveSamples(sub, kSamples, "web-01", "test-broker");
  ASSERT_EQ(samples.size(), static_cast<size_t>(kSamples));
  for (int i = 0; i < kSamples; ++i) {
    EXPECT_EQ(samples[i].name, "cpu");
    EXPECT_EQ(samples[i].value, i);
    EXPECT_EQ(samples[i].tags, (Tags{{"core", cores[i % 4]}, {"service", "auth"}}));
  }
  BrokerCounters c = broker->counters();
  EXPECT_EQ(c.malformed_total, 0u);
  EXPECT_GE((over_udp ? c.udp : c.pull).samples, static_cast<uint64_t>(kSamples));
}

TEST(Broker, RelaysEmitterBatchesOverUdp) { RelaysFromEmitter(/*over_udp=*/true); }

TEST(Broker, RelaysEmitterBatchesOverZmqPush) { RelaysFromEmitter(/*over_udp=*/false); }

TEST(Broker, PublishesTheOriginalBytesUnchanged) {
  RunningBroker broker;
  ASSERT_TRUE(broker.ok());
  BusSubscriber sub(broker->pub_endpoint(), {Topic("probe"), Topic("db-7")});
  UdpSender udp(broker->udp_port());
  PushSender push(broker->pull_endpoint());
  ASSERT_TRUE(WaitUntilSubscribed(sub, [&](const std::string& m) { udp.Send(m); }));
  const std::string a = MakeBatch("db-7", 5, 1.5, {{"dc", "eu"}});
  const std::string b = MakeBatch("db-7", 3, 7);
  ASSERT_TRUE(udp.Send(a));
  ASSERT_TRUE(push.Send(b));
  std::vector<std::string> payloads;
  while (payloads.size() < 2) {
    std::optional<Publication> p = sub.ReceiveData();
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->frames, 3u);
    EXPECT_GT(p->received_ms, 0);
    ASSERT_FALSE(p->messages.empty());
    for (const std::string& m : p->messages) payloads.push_back(m);
  }
  ASSERT_EQ(payloads.size(), 2u);
  // The two transports race; each payload must be one of the originals.
  EXPECT_TRUE((payloads[0] == a && payloads[1] == b) || (payloads[0] == b && payloads[1] == a));
}

TEST(Broker, SubscribersFilterBySourceExactlyOrByPrefix) {
  RunningBroker broker;
  ASSERT_TRUE(broker.ok());
  UdpSender udp(broker->udp_port());
  auto send = [&](const std::string& m) { udp.Send(m); };
  BusSubscriber exact(broker->pub_endpoint(), {Topic("probe"), Topic("end"), Topic("web-01")});
  BusSubscriber prefix(broker->pub_endpoint(), {Topic("probe"), Topic("end"), "db-"});
  ASSERT_TRUE(WaitUntilSubscribed(exact, send));
  ASSERT_TRUE(WaitUntilSubscribed(prefix, send));

  for (const char* source : {"web-010", "web-01", "db-1", "xdb-1", "db-2", "end"}) {
    ASSERT_TRUE(udp.Send(MakeBatch(source)));
  }
  // One stream per subscriber, in publish order, so "end" closes each.
  auto topics = [](BusSubscriber& sub) {
    std::vector<std::string> seen;
    while (seen.empty() || seen.back() != Topic("end")) {
      std::optional<Publication> p = sub.ReceiveData();
      if (!p.has_value()) break;
      seen.push_back(p->topic);
    }
    return seen;
  };
  EXPECT_EQ(topics(exact), (std::vector<std::string>{Topic("web-01"), Topic("end")}));
  EXPECT_EQ(topics(prefix), (std::vector<std::string>{Topic("db-1"), Topic("db-2"), Topic("end")}));
}

TEST(Broker, SequenceNumbersIncreaseByOneAcrossTransports) {
  RunningBroker broker;
  ASSERT_TRUE(broker.ok());
  BusSubscriber sub(broker->pub_endpoint(), {""});
  UdpSender udp(broker->udp_port());
  PushSender push(broker->pull_endpoint());
  ASSERT_TRUE(WaitUntilSubscribed(sub, [&](const std::string& m) { push.Send(m); }));
  constexpr int kMessages = 300;
  for (int i = 0; i < kMessages; ++i) {
    const std::string m = MakeBatch("seq", 2, i);
    ASSERT_TRUE(i % 2 == 0 ? udp.Send(m) : push.Send(m));
  }
  uint64_t previous = 0;
  int data = 0;
  while (data < kMessages) {
    std::optional<Publication> p = sub.Receive();
    ASSERT_TRUE(p.has_value()) << "after " << data << " publications";
    EXPECT_EQ(p->broker_id, "test-broker");
    if (previous != 0) {
      EXPECT_EQ(p->sequence, previous + 1);
    }
    previous = p->sequence;
    if (p->topic == Topic("seq")) data += static_cast<int>(p->messages.size());
  }
}

// A tiny MessagePack writer for hand-made rejects.
std::string Fix(uint8_t b) { return std::string(1, static_cast<char>(b)); }
std::string S(std::string_view s) {
  EXPECT_LT(s.size(), 256u);
  std::string out = s.size() < 32 ? Fix(0xa0 | s.size()) : Fix(0xd9) + Fix(s.size());
  return out.append(s);
}
std::string U(uint64_t v) {
  if (v < 128) return Fix(static_cast<uint8_t>(v));
  std::string out = Fix(0xcf);
  for (int i = 7; i >= 0; --i) out += Fix(static_cast<uint8_t>(v >> (8 * i)));
  return out;
}
std::string F64(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  std::string out = Fix(0xcb);
  for (int i = 7; i >= 0; --i) out += Fix(static_cast<uint8_t>(bits >> (8 * i)));
  return out;
}
std::string Map(uint8_t n) { return Fix(0x80 | n); }
std::string Arr(uint8_t n) { return Fix(0x90 | n); }

constexpr uint64_t kT = 1700000000000;
const std::string kSample = Arr(2) + S("cpu") + F64(12.5);

// An envelope with the given "s" value (and optional extra fields).
std::string Envelope(const std::string& samples, const std::string& src = S("web-01"),
                     const std::string& t = U(kT), const std::string& v = U(1),
                     const std::string& type = S("batch")) {
  return Map(5) + S("v") + v + S("type") + type + S("src") + src + S("t") + t + S("s") + samples;
}

// One message per WireError reason, for a broker whose limit is 8 KiB.
std::map<WireError, std::string> RejectPerReason() {
  using W = WireError;
  const std::string good = Envelope(Arr(1) + kSample);
  std::string many_tags = Fix(0xde) + Fix(0) + Fix(33);
  for (int i = 0; i < 33; ++i) many_tags += S("k" + std::to_string(i)) + S("v");
  return {
      {W::kEmpty, ""},
      {W::kOversized, std::string(9000, 'x')},
      {W::kTruncated, good.substr(0, good.size() - 3)},
      {W::kLengthTooLarge, Fix(0xdf) + std::string(4, '\xff')},
      {W::kInvalidMsgpack, Fix(0xc1)},
      {W::kWrongType, Arr(0)},
      {W::kTooDeep, Map(6) + S("x") + Arr(1) + Arr(1) + Arr(1) + Arr(1) + Arr(0) + good.substr(1)},
      {W::kTrailingBytes, good + Fix(0)},
      {W::kBadVersion, Envelope(Arr(1) + kSample, S("web-01"), U(kT), U(2))},
      {W::kUnknownType, Envelope(Arr(1) + kSample, S("web-01"), U(kT), U(1), S("alert"))},
      {W::kMissingField,
       Map(4) + S("v") + U(1) + S("type") + S("batch") + S("src") + S("web-01") + S("t") + U(kT)},
      {W::kDuplicateField, Map(6) + S("v") + U(1) + good.substr(1)},
      {W::kBadSource, Envelope(Arr(1) + kSample, S(""))},
      {W::kBadName, Envelope(Arr(1) + Arr(2) + S("") + F64(1))},
      {W::kBadTag, Envelope(Arr(1) + Arr(5) + S("cpu") + F64(1) + Fix(0xc0) + Fix(0xc0) + Map(1) +
                            S("") + S("v"))},
      {W::kTooManyTags,
       Envelope(Arr(1) + Arr(5) + S("cpu") + F64(1) + Fix(0xc0) + Fix(0xc0) + many_tags)},
      {W::kTooManySamples, Envelope(Fix(0xdd) + Fix(0) + Fix(1) + Fix(0) + Fix(0) + kSample)},
      {W::kBadSample, Envelope(Arr(1) + Arr(1) + S("cpu"))},
      {W::kNonFinite, Envelope(Arr(1) + Arr(2) + S("cpu") + F64(std::nan("")))},
      {W::kBadTimestamp, Envelope(Arr(1) + kSample, S("web-01"), U(0))},
      {W::kBadKind, Envelope(Arr(1) + Arr(3) + S("cpu") + F64(1) + U(7))},
      {W::kDuplicateTag, Envelope(Arr(1) + Arr(5) + S("cpu") + F64(1) + Fix(0xc0) + Fix(0xc0) +
                                  Map(2) + S("k") + S("v") + S("k") + S("w"))},
  };
}

// What the broker should call `m` when its limit is `max_bytes`.
WireError Classify(std::string_view m, size_t max_bytes) {
  return m.size() > max_bytes ? WireError::kOversized : ValidateBatch(m, nullptr, nullptr);
}

TEST(Broker, GarbageFloodIsCountedByReasonWhileValidBatchesAllArrive) {
  constexpr size_t kMaxBytes = 8192;
  BrokerOptions options = TestOptions();
  options.max_message_bytes = kMaxBytes;
  RunningBroker broker(options);
  ASSERT_TRUE(broker.ok());
  BusSubscriber sub(broker->pub_endpoint(), {Topic("probe"), Topic("valid")});
  UdpSender udp(broker->udp_port());
  PushSender push(broker->pull_endpoint());
  ASSERT_TRUE(WaitUntilSubscribed(sub, [&](const std::string& m) { udp.Send(m); }));
  const BrokerCounters before = broker->counters();

  const std::map<WireError, std::string> rejects = RejectPerReason();
  ASSERT_EQ(rejects.size(), static_cast<size_t>(kWireErrorCount - 1));
  for (const auto& [reason, message] : rejects) {
    ASSERT_EQ(Classify(message, kMaxBytes), reason) << WireErrorName(reason);
  }
  std::mt19937_64 rng(42);
  std::array<uint64_t, kWireErrorCount> expected{};
  constexpr int kRounds = 20;
  constexpr int kValidPerRound = 5;
  uint64_t sent_udp = 0, sent_pull = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::string> garbage;
    for (const auto& entry : rejects) garbage.push_back(entry.second);
    for (int i = 0; i < 40; ++i) {
      std::string random(rng() % 300, '\0');
      for (char& c : random) c = static_cast<char>(rng());
      garbage.push_back(std::move(random));
    }
    for (size_t i = 0; i < garbage.size(); ++i) {
      const WireError reason = Classify(garbage[i], kMaxBytes);
      ASSERT_NE(reason, WireError::kOk);
      ++expected[static_cast<int>(reason)];
      // Every tenth piece goes over PULL (not the oversized one: ZeroMQ
      // would drop the connection, tested below).
      if (i % 10 == 3 && reason != WireError::kOversized) {
        ASSERT_TRUE(push.Send(garbage[i]));
        ++sent_pull;
      } else {
        ASSERT_TRUE(udp.Send(garbage[i]));
        ++sent_udp;
      }
      if (i % 13 == 0 && (i / 13) < kValidPerRound) {
        ASSERT_TRUE(udp.Send(MakeBatch("valid", 3, round * kValidPerRound + i / 13)));
        ++sent_udp;
      }
    }
    // Pace rounds on what the broker has read, so the kernel buffer never fills.
    ASSERT_TRUE(WaitFor([&] {
      BrokerCounters c = broker->counters();
      return c.udp.messages - before.udp.messages == sent_udp &&
             c.pull.messages - before.pull.messages == sent_pull;
    }));
  }

  BrokerCounters after = broker->counters();
  for (int r = 1; r < kWireErrorCount; ++r) {
    EXPECT_EQ(after.malformed[r] - before.malformed[r], expected[r])
        << WireErrorName(static_cast<WireError>(r));
    EXPECT_GE(expected[r], static_cast<uint64_t>(kRounds))
        << WireErrorName(static_cast<WireError>(r));
  }
  std::vector<double> firsts;
  BatchView batch;
  while (firsts.size() < kRounds * kValidPerRound) {
    std::optional<Publication> p = sub.ReceiveData();
    ASSERT_TRUE(p.has_value()) << "after " << firsts.size() << " valid batches";
    ASSERT_FALSE(p->messages.empty());
    for (const std::string& message : p->messages) {
      ASSERT_EQ(DecodeBatch(message, &batch), WireError::kOk);
      firsts.push_back(batch.samples[0].value);
    }
  }
  for (size_t i = 0; i < firsts.size(); ++i) EXPECT_EQ(firsts[i], static_cast<double>(i));
}

TEST(Broker, OversizedZmqMessageIsDroppedByMaxMsgSize) {
  RunningBroker broker;
  ASSERT_TRUE(broker.ok());
  BusSubscriber sub(broker->pub_endpoint(), {""});
  PushSender push(broker->pull_endpoint());
  ASSERT_TRUE(WaitUntilSubscribed(sub, [&](const std::string& m) { push.Send(m); }));
  // A message over ZMQ_MAXMSGSIZE: ZeroMQ drops the connection, the PUSH
  // socket reconnects, and later messages get through.
  ASSERT_TRUE(push.Send(std::string(kMaxMessageBytes + 1000, 'x')));
  const BrokerCounters before = broker->counters();
  bool relayed = false;
  for (int i = 0; i < 5000 && !relayed; ++i) {
    push.Send(MakeBatch("after", 1, i));
    while (std::optional<Publication> p = sub.ReceiveData(2ms)) {
      EXPECT_LE(p->payload.size(), kMaxMessageBytes);
      relayed = relayed || p->topic == Topic("after");
    }
  }
  EXPECT_TRUE(relayed);
  const BrokerCounters after = broker->counters();
  EXPECT_EQ(after.malformed_total, 0u);
  // The oversized message never reached the broker's code.
  EXPECT_LE(after.pull.bytes - before.pull.bytes,
            (after.pull.messages - before.pull.messages) * 200);
}

TEST(Broker, MultipartPullMessageIsDropped) {
  RunningBroker broker;
  ASSERT_TRUE(broker.ok());
  BusSubscriber sub(broker->pub_endpoint(), {""});
  PushSender push(broker->pull_endpoint());
  ASSERT_TRUE(WaitUntilSubscribed(sub, [&](const std::string& m) { push.Send(m); }));
  ASSERT_TRUE(push.Send(MakeBatch("multi"), /*more=*/true));
  ASSERT_TRUE(push.Send(MakeBatch("multi")));
  ASSERT_TRUE(push.Send(MakeBatch("single")));
  std::optional<Publication> p = sub.ReceiveData();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->topic, Topic("single"));
  EXPECT_EQ(broker->counters().pull_multipart, 1u);
}

TEST(Broker, PublishesItsOwnCountersAsSamples) {
  BrokerOptions options = TestOptions();
  options.stats_interval = 20ms;
  options.stats_source = "stats-host";
  RunningBroker broker(options);
  ASSERT_TRUE(broker.ok());
  BusSubscriber sub(broker->pub_endpoint(), {Topic("stats-host")});
  // The first stats publication proves the subscription; count from there.
  ASSERT_TRUE(sub.Receive().has_value());
  UdpSender udp(broker->udp_port());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(udp.Send(MakeBatch("app", 4)));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(udp.Send("\xc1"));

  double received = 0, samples = 0, malformed = 0, rcvbuf = 0;
  BatchView batch;
  while (received < 13 || samples < 40 || malformed < 3) {
    std::optional<Publication> p = sub.Receive();
    ASSERT_TRUE(p.has_value()) << "received=" << received << " samples=" << samples;
    EXPECT_EQ(p->broker_id, "test-broker");
    ASSERT_EQ(p->messages.size(), 1u);  // Own stats are one message.
    ASSERT_EQ(DecodeBatch(p->messages[0], &batch), WireError::kOk);
    EXPECT_EQ(batch.source, "stats-host");
    for (const Sample& s : ToSamples(batch)) {
      auto tag = [&](const std::string& key) {
        for (const Tag& t : s.tags) {
          if (t.key == key) return t.value;
        }
        return std::string();
      };
      EXPECT_EQ(tag("component"), "sonde-broker") << s.name;
      EXPECT_EQ(tag("service"), "") << s.name;  // Not a fleet service (sonde health).
      if (s.name == "sonde.broker.received_total" && tag("transport") == "udp") {
        EXPECT_EQ(s.kind, MetricKind::kCounter);
        received += s.value;
      } else if (s.name == "sonde.broker.received_samples_total" && tag("transport") == "udp") {
        samples += s.value;
      } else if (s.name == "sonde.broker.malformed_total" && tag("reason") == "invalid_msgpack") {
        malformed += s.value;
      } else if (s.name == "sonde.broker.udp_rcvbuf_bytes") {
        EXPECT_EQ(s.kind, MetricKind::kGauge);
        rcvbuf = s.value;
      }
    }
  }
  EXPECT_EQ(received, 13);
  EXPECT_EQ(samples, 40);
  EXPECT_EQ(malformed, 3);
  EXPECT_GT(rcvbuf, 0);
  EXPECT_GT(broker->counters().stats_published, 0u);
}

TEST(Broker, StopBeforeRunMakesRunReturnAtOnce) {
  auto broker = Broker::Create(TestOptions());
  ASSERT_TRUE(broker.has_value()) << broker.error().ToString();
  (*broker)->Stop();
  (*broker)->Stop();
  EXPECT_TRUE((*broker)->Run().ok());
}

TEST(Broker, DestroyedWithoutRunReleasesEverything) {
  auto broker = Broker::Create(TestOptions());
  ASSERT_TRUE(broker.has_value()) << broker.error().ToString();
  EXPECT_GT((*broker)->udp_port(), 0);
}

TEST(Broker, RunStopsCleanlyWithTrafficInFlight) {
  RunningBroker broker;
  ASSERT_TRUE(broker.ok());
  UdpSender udp(broker->udp_port());
  PushSender push(broker->pull_endpoint());
  for (int i = 0; i < 100; ++i) {
    udp.Send(MakeBatch("x"));
    push.Send(MakeBatch("y"));
  }
  // Run() returns OK only when uv_loop_close() returned 0.
  EXPECT_TRUE(broker.StopAndJoin().ok());
}

TEST(Broker, IngestsCanBeDisabled) {
  BrokerOptions options = TestOptions();
  options.udp = "";
  auto no_udp = Broker::Create(options);
  ASSERT_TRUE(no_udp.has_value()) << no_udp.error().ToString();
  EXPECT_EQ((*no_udp)->udp_port(), 0);
  options = TestOptions();
  options.pull = "";
  auto no_pull = Broker::Create(options);
  ASSERT_TRUE(no_pull.has_value()) << no_pull.error().ToString();
  EXPECT_EQ((*no_pull)->pull_endpoint(), "");
}

TEST(Broker, DefaultBrokerIdIsHostnameAndPubPortSoRestartsKeepIt) {
  char host[256] = "";
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  BrokerOptions options = TestOptions();
  options.broker_id = "";
  const uint16_t port = sonde::testing::FreePort();
  options.pub = "tcp://127.0.0.1:" + std::to_string(port);
  std::string first_id;
  {
    auto broker = Broker::Create(options);
    ASSERT_TRUE(broker.has_value()) << broker.error().ToString();
    first_id = (*broker)->broker_id();
    EXPECT_EQ(first_id, std::string(host) + ":" + std::to_string(port));
    // Its own stats come from the host: series continue across restarts.
    EXPECT_EQ((*broker)->stats_source(), std::string(host));
  }
  auto again = Broker::Create(options);  // A restart: the same id.
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ((*again)->broker_id(), first_id);
}

TEST(Broker, DefaultBrokerIdFallsBackToThePidOnAnEphemeralPort) {
  BrokerOptions options = TestOptions();
  options.broker_id = "";
  options.pub = "tcp://127.0.0.1:0";
  auto broker = Broker::Create(options);
  ASSERT_TRUE(broker.has_value()) << broker.error().ToString();
  const std::string& id = (*broker)->broker_id();
  EXPECT_LE(id.size(), kMaxBrokerIdBytes);
  EXPECT_NE(id.find(':' + std::to_string(getpid())), std::string::npos) << id;
}

TEST(Broker, BusyPortsFailCreateWithTheEndpointNamed) {
  RunningBroker first;
  ASSERT_TRUE(first.ok());
  BrokerOptions options = TestOptions();
  options.udp = "udp://127.0.0.1:" + std::to_string(first->udp_port());
  auto udp_clash = Broker::Create(options);
  ASSERT_FALSE(udp_clash.has_value());
  EXPECT_FALSE(udp_clash.error().IsInvalidArgument());
  EXPECT_NE(udp_clash.error().message().find("UDP"), std::string::npos)
      << udp_clash.error().ToString();

  options = TestOptions();
  options.pub = first->pub_endpoint();
  auto pub_clash = Broker::Create(options);
  ASSERT_FALSE(pub_clash.has_value());
  EXPECT_NE(pub_clash.error().message().find("PUB"), std::string::npos)
      << pub_clash.error().ToString();
}

TEST(Broker, BadEndpointIsInvalidArgument) {
  BrokerOptions options = TestOptions();
  options.udp = "tcp://127.0.0.1:0";
  auto broker = Broker::Create(options);
  ASSERT_FALSE(broker.has_value());
  EXPECT_TRUE(broker.error().IsInvalidArgument()) << broker.error().ToString();
}

}  // namespace
}  // namespace sonde::broker

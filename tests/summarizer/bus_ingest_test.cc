// SUB ingest from a real ZeroMQ PUB socket on loopback: three-frame
// publications reach the rollups, sequence gaps are counted per broker,
// restarts and malformed publications are counted, and liz keys of series
// that share a name carry their tags.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "sonde/api_json.h"
#include "sonde/clock.h"
#include "sonde/wire.h"
#include "summarizer_test_util.h"

namespace sonde::summarizer {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1704067200000 + 10 * 60000 + 30000;  // 2024-01-01T00:10:30Z

class BusIngest : public ::testing::Test {
 protected:
  void SetUp() override {
    pub_.set(zmq::sockopt::linger, 0);
    pub_.bind("tcp://127.0.0.1:*");
    SummarizerOptions o;
    o.data_dir = dir_.path() + "/db";
    o.from = {pub_.get(zmq::sockopt::last_endpoint)};
    o.http = "127.0.0.1:0";
    o.flush_interval = std::chrono::milliseconds(20);
    o.clock = &clock_;
    s_ = std::make_unique<testing::RunningSummarizer>(o);
    ASSERT_TRUE(s_->ok());
  }

  // `payload` holds `count` messages (a bundle when more than one).
  void Publish(const std::string& broker, uint64_t seq, const std::string& payload,
               const std::string& topic = "h", uint32_t count = 1) {
    char meta[128];
    const size_t n = EncodeBusMeta(BusMeta{broker, seq, kNow, count}, meta, sizeof meta);
    ASSERT_GT(n, 0u);
    pub_.send(zmq::buffer(topic + std::string(1, '\0')), zmq::send_flags::sndmore);
    pub_.send(zmq::buffer(meta, n), zmq::send_flags::sndmore);
    pub_.send(zmq::buffer(payload), zmq::send_flags::none);
  }

  std::string Batch(const std::string& host, std::vector<Sample> samples, Tags tags = {}) {
    std::string out;
    EXPECT_EQ(EncodeBatch(host, kNow, tags, samples, &out), WireError::kOk);
    return out;
  }

  // The SUB socket connects asynchronously: publish warm-up batches from
  // broker "warmup" until one arrives. Their samples are an hour old, so
  // they are rejected as late and leave the sample count at 0.
  void WarmUp() {
    uint64_t seq = 0;
    const std::string warm =
        Batch("warm", {Sample{"w", 1, kNow - 3600000, MetricKind::kGauge, {}}});
    ASSERT_TRUE(sonde::testing::WaitFor([&] {
      Publish("warmup", ++seq, warm);
      return (*s_)->counters().batches > 0;
    }));
  }

  sonde::testing::TempDir dir_;
  FakeClock clock_{kNow};
  zmq::context_t ctx_;
  zmq::socket_t pub_{ctx_, zmq::socket_type::pub};
  std::unique_ptr<testing::RunningSummarizer> s_;
  uint64_t baseline_ = 0;
};

TEST_F(BusIngest, PublicationsReachTheRollupsAndGapsAreCounted) {
  WarmUp();
  const std::string b = Batch("web-01", {Sample{"cpu", 2, kNow - 1000, MetricKind::kGauge, {}}});
  Publish("broker-a", 1, b);
  Publish("broker-a", 2, b);
  Publish("broker-a", 5, b);  // 3 and 4 never came.
  Publish("broker-b", 7, b);  // First sight of broker-b: no gap.
  Publish("broker-b", 8, b);
  ASSERT_TRUE(sonde::testing::WaitFor([&] { return (*s_)->counters().samples == baseline_ + 5; }));
  EXPECT_EQ((*s_)->counters().bus_gaps, 2u);
  Publish("broker-a", 1, b);  // broker-a restarted: nothing of it lost.
  ASSERT_TRUE(sonde::testing::WaitFor([&] { return (*s_)->counters().samples == baseline_ + 6; }));
  EXPECT_EQ((*s_)->counters().bus_gaps, 2u);
  Publish("broker-b", 3, b);  // broker-b restarted and 1 and 2 went out before we reconnected.
  ASSERT_TRUE(sonde::testing::WaitFor([&] { return (*s_)->counters().samples == baseline_ + 7; }));
  EXPECT_EQ((*s_)->counters().bus_gaps, 4u);
  const auto m = testing::HttpCall(s_->port(), "GET", "/metrics").body;
  EXPECT_NE(m.find("sonde_summarizer_bus_gaps_total{broker=\"broker-a\"} 2\n"), std::string::npos)
      << m;
  EXPECT_NE(m.find("sonde_summarizer_bus_gaps_total{broker=\"broker-b\"} 2\n"), std::string::npos);
  EXPECT_NE(m.find("sonde_summarizer_bus_broker_restarts_total 2\n"), std::string::npos);
  // A publication just arrived: the bus is not silent. Ages are whole
  // seconds of the real clock, so a slow machine may already read 1.
  const std::string age_metric = "\nsonde_summarizer_bus_last_publication_age_seconds ";  // Not # HELP.
  const size_t at = m.find(age_metric);
  ASSERT_NE(at, std::string::npos) << m;
  EXPECT_LE(std::stoll(m.substr(at + age_metric.size())), 1) << m;
  const auto health = nlohmann::json::parse(testing::HttpCall(s_->port(), "GET", "/healthz").body);
  ASSERT_TRUE(health["bus_last_publication_age_s"].is_number_integer()) << health.dump();
  EXPECT_LE(health["bus_last_publication_age_s"].get<int64_t>(), 1);
  // The samples are in the store.
  ASSERT_TRUE(sonde::testing::WaitFor([&] {
    auto r = api::ParseRollupsResponse(
        testing::HttpCall(s_->port(), "GET", "/api/v1/rollups?host=web-01").body);
    return r.has_value() && r->series.size() == 1 && r->series[0].windows[0].count == 7;
  }));
}

TEST_F(BusIngest, EveryMessageOfABundleIsIngested) {
  WarmUp();
  std::string bundle;
  for (int i = 0; i < 3; ++i) {
    bundle += Batch("web-02", {Sample{"cpu", 1.0 + i, kNow - 1000, MetricKind::kGauge, {}},
                               Sample{"load", 2.0 + i, kNow - 1000, MetricKind::kGauge, {}}});
  }
  Publish("broker-a", 1, bundle, "web-02", 3);
  ASSERT_TRUE(sonde::testing::WaitFor([&] { return (*s_)->counters().samples == baseline_ + 6; }));
  // A count that does not match the payload rejects the publication whole.
  Publish("broker-a", 2, bundle, "web-02", 2);
  ASSERT_TRUE(sonde::testing::WaitFor([&] { return (*s_)->counters().malformed == 1; }));
  EXPECT_EQ((*s_)->counters().samples, baseline_ + 6);
  const auto m = testing::HttpCall(s_->port(), "GET", "/metrics").body;
  EXPECT_NE(m.find("sonde_summarizer_malformed_total{reason=\"trailing_bytes\"} 1\n"),
            std::string::npos)
      << m;
  // A bad message in the middle drops the whole bundle, even the good
  // message before it (decoded already): all or nothing.
  const std::string good = Batch("web-02", {Sample{"cpu", 9, kNow - 1000, MetricKind::kGauge, {}}});
  std::string bad = good;
  const size_t v = bad.find(std::string("\xa1v\x01", 3));  // "v": 1
  ASSERT_NE(v, std::string::npos);
  bad[v + 2] = '\x02';  // Version 2: bad_version.
  Publish("broker-a", 3, good + bad + good, "web-02", 3);
  ASSERT_TRUE(sonde::testing::WaitFor([&] { return (*s_)->counters().malformed == 2; }));
  Publish("broker-a", 4, good, "web-02", 1);  // Ordered after the bad one.
  ASSERT_TRUE(sonde::testing::WaitFor([&] { return (*s_)->counters().samples == baseline_ + 7; }));
  std::vector<BusMessage> unused;
  const std::string reason = WireErrorName(SplitBusPayload(good + bad + good, 3, &unused));
  EXPECT_NE(reason, "ok");
  EXPECT_NE(testing::HttpCall(s_->port(), "GET", "/metrics")
                .body.find("sonde_summarizer_malformed_total{reason=\"" + reason + "\"} 1\n"),
            std::string::npos);
}

TEST_F(BusIngest, MalformedPublicationsAreCountedByReason) {
  WarmUp();
  // Two frames only.
  pub_.send(zmq::buffer(std::string("h\0", 2)), zmq::send_flags::sndmore);
  pub_.send(zmq::buffer(std::string("x")), zmq::send_flags::none);
  // A bad meta frame.
  pub_.send(zmq::buffer(std::string("h\0", 2)), zmq::send_flags::sndmore);
  pub_.send(zmq::buffer(std::string("\x93\x01", 2)), zmq::send_flags::sndmore);
  pub_.send(zmq::buffer(Batch("h", {Sample{"a", 1, kNow, MetricKind::kGauge, {}}})),
            zmq::send_flags::none);
  // A truncated payload.
  std::string cut = Batch("h", {Sample{"a", 1, kNow, MetricKind::kGauge, {}}});
  cut.resize(cut.size() - 3);
  Publish("warmup", 1000, cut);
  ASSERT_TRUE(sonde::testing::WaitFor([&] { return (*s_)->counters().malformed == 3; }));
  const auto m = testing::HttpCall(s_->port(), "GET", "/metrics").body;
  EXPECT_NE(m.find("sonde_summarizer_malformed_total{reason=\"bad_parts\"} 1\n"), std::string::npos)
      << m;
  EXPECT_NE(m.find("sonde_summarizer_malformed_total{reason=\"bad_meta\"} 1\n"), std::string::npos);
  // A message cut short is named by the payload reader (SplitBusPayload).
  std::vector<BusMessage> unused;
  const std::string reason = WireErrorName(SplitBusPayload(cut, 1, &unused));
  EXPECT_NE(reason, "ok");
  EXPECT_NE(m.find("sonde_summarizer_malformed_total{reason=\"" + reason + "\"} 1\n"),
            std::string::npos)
      << m;
  EXPECT_EQ((*s_)->counters().samples, baseline_);
}

TEST_F(BusIngest, LizKeysOfSeriesSharingANameCarryTheirTags) {
  WarmUp();
  Publish("b", 1,
          Batch("db-01",
                {Sample{"cpu", 10, kNow - 1000, MetricKind::kGauge, {{"core", "0"}}},
                 Sample{"cpu", 30, kNow - 1000, MetricKind::kGauge, {{"core", "1"}}},
                 Sample{"load", 1.5, kNow - 1000, MetricKind::kGauge, {}}},
                {{"dc", "eu"}}));
  ASSERT_TRUE(sonde::testing::WaitFor([&] {
    auto r = testing::HttpCall(s_->port(), "GET", "/api/perf/db-01/by-minute");
    return r.status == 200 && json::parse(r.body).size() == 3;
  }));
  json j = json::parse(testing::HttpCall(s_->port(), "GET", "/api/perf/db-01/by-minute:cpu").body);
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"summary:by-minute:cpu{core=0,dc=eu}",
                                         "summary:by-minute:cpu{core=1,dc=eu}"}));
  EXPECT_DOUBLE_EQ(j["summary:by-minute:cpu{core=1,dc=eu}"]["averages"][0]["avg"].get<double>(),
                   30);
  // A name used once keeps its bare key, whatever its tags.
  j = json::parse(testing::HttpCall(s_->port(), "GET", "/api/perf/db-01/load").body);
  EXPECT_TRUE(j.contains("summary:by-minute:load"));
  EXPECT_TRUE(j.contains("summary:by-hour:load"));
  // where= filters on the merged tags.
  auto latest = api::ParseLatestResponse(
      testing::HttpCall(s_->port(), "GET", "/api/v1/latest?where=core=1&where=dc=eu").body);
  ASSERT_TRUE(latest.has_value());
  ASSERT_EQ(latest->latest.size(), 1u);
  EXPECT_EQ(latest->latest[0].value, 30);
}

}  // namespace
}  // namespace sonde::summarizer

// SelfStats: counters become counter samples carrying deltas, gauges become
// gauge samples, labels become tags, zero counters are left out.
#include "self_stats.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "sonde/log.h"

namespace sonde::broker {
namespace {

constexpr int64_t kNow = 1700000000000;

std::map<std::string, Sample> Decode(std::string_view message) {
  BatchView batch;
  EXPECT_EQ(DecodeBatch(message, &batch), WireError::kOk);
  EXPECT_EQ(batch.source, "broker-a");
  EXPECT_EQ(batch.timestamp_ms, kNow);
  std::map<std::string, Sample> by_series;
  for (Sample& s : ToSamples(batch)) {
    std::string key = s.name;
    for (const Tag& t : s.tags) {
      // The batch tag every own-stats sample carries (merged in by ToSamples).
      if (t.key == "component") {
        EXPECT_EQ(t.value, "sonde-broker");
        continue;
      }
      key += "," + t.key + "=" + t.value;
    }
    by_series[key] = std::move(s);
  }
  return by_series;
}

TEST(SelfStats, EncodesDeltasForCountersAndLevelsForGauges) {
  CounterRegistry registry("sonde_broker");
  Counter* udp = registry.AddCounter("received", "", {"transport", "udp"});
  Counter* pull = registry.AddCounter("received", "", {"transport", "pull"});
  Gauge* rcvbuf = registry.AddGauge("udp_rcvbuf_bytes", "");
  SelfStats stats(&registry, "broker-a", "sonde.broker.");
  auto log = LoggerOrDefault(nullptr);

  udp->Inc(5);
  rcvbuf->Set(8 << 20);
  auto first = Decode(stats.Encode(kNow, log.get()));
  ASSERT_EQ(first.size(), 2u);  // pull is still 0: left out.
  const Sample& r = first["sonde.broker.received_total,transport=udp"];
  EXPECT_EQ(r.kind, MetricKind::kCounter);
  EXPECT_EQ(r.value, 5);
  EXPECT_EQ(r.timestamp_ms, kNow);
  const Sample& g = first["sonde.broker.udp_rcvbuf_bytes"];
  EXPECT_EQ(g.kind, MetricKind::kGauge);
  EXPECT_EQ(g.value, 8 << 20);

  udp->Inc(2);
  pull->Inc(1);
  auto second = Decode(stats.Encode(kNow, log.get()));
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second["sonde.broker.received_total,transport=udp"].value, 2);
  EXPECT_EQ(second["sonde.broker.received_total,transport=pull"].value, 1);
  EXPECT_EQ(stats.sample_count(), 3u);

  auto third = Decode(stats.Encode(kNow, log.get()));
  EXPECT_EQ(third["sonde.broker.received_total,transport=udp"].value, 0);
}

TEST(SelfStats, BadSourceGivesAnEmptyMessage) {
  CounterRegistry registry("sonde_broker");
  SelfStats stats(&registry, "", "sonde.broker.");
  auto log = LoggerOrDefault(nullptr);
  EXPECT_TRUE(stats.Encode(kNow, log.get()).empty());
}

}  // namespace
}  // namespace sonde::broker

#include "sonde/poll_metrics.h"

#include <gtest/gtest.h>

namespace sonde::fleet {
namespace {

TEST(PollMetrics, FieldNamesAvoidThePollersOwn) {
  EXPECT_EQ(FieldMetricName("cpu"), "cpu");
  EXPECT_EQ(FieldMetricName("disk.used"), "disk.used");
  EXPECT_EQ(FieldMetricName("up"), "field.up");
  EXPECT_EQ(FieldMetricName("http.status"), "field.http.status");
  EXPECT_EQ(FieldMetricName("poll.x"), "field.poll.x");
  EXPECT_EQ(FieldMetricName("field.x"), "field.field.x");
  EXPECT_EQ(FieldMetricName("uptime"), "uptime");
  EXPECT_TRUE(IsPollerMetric("http.latency_ms"));
  EXPECT_FALSE(IsPollerMetric("http.other"));
}

TEST(PollMetrics, RecordFromSamplesRebuildsWhatThePollerSent) {
  const std::vector<Sample> latest = {
      {"up", 1, 1000, MetricKind::kGauge, {}},
      {"poll.failure", 0, 1000, MetricKind::kGauge, {}},
      {"poll.attempts", 2, 1000, MetricKind::kGauge, {}},
      {"http.status", 200, 1000, MetricKind::kGauge, {}},
      {"http.latency_ms", 3.5, 1000, MetricKind::kTiming, {}},
      {"request_count", 10, 1000, MetricKind::kGauge, {{"application", "A"}, {"version", "1"}}},
      {"field.up", 7, 1000, MetricKind::kGauge, {{"application", "A"}, {"version", "1"}}},
  };
  TargetRecord r = RecordFromSamples("web:80", latest);
  EXPECT_EQ(r.target, "web:80");
  EXPECT_TRUE(r.up);
  EXPECT_EQ(r.failure, FailureClass::kNone);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.latency_ms, 3.5);
  EXPECT_EQ(r.numbers, (std::map<std::string, double>{{"request_count", 10}, {"up", 7}}));
  EXPECT_EQ(r.strings,
            (std::map<std::string, std::string>{{"application", "A"}, {"version", "1"}}));
}

TEST(PollMetrics, NewestSampleOfANameWins) {
  const std::vector<Sample> latest = {
      {"up", 0, 2000, MetricKind::kGauge, {}},
      {"poll.failure", 3, 2000, MetricKind::kGauge, {}},
      {"up", 1, 1000, MetricKind::kGauge, {}},
  };
  TargetRecord r = RecordFromSamples("x", latest);
  EXPECT_FALSE(r.up);
  EXPECT_EQ(r.failure, FailureClass::kTimeout);
}

TEST(PollMetrics, MissingUpMeansDown) {
  TargetRecord r = RecordFromSamples("x", {});
  EXPECT_FALSE(r.up);
  EXPECT_EQ(r.failure, FailureClass::kOther);
  EXPECT_EQ(r.error, "no up sample");
  // Down without a (valid) class: other.
  const std::vector<Sample> latest = {{"up", 0, 1, MetricKind::kGauge, {}},
                                      {"poll.failure", 99, 1, MetricKind::kGauge, {}}};
  EXPECT_EQ(RecordFromSamples("x", latest).failure, FailureClass::kOther);
}

}  // namespace
}  // namespace sonde::fleet

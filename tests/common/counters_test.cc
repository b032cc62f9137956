#include "sonde/counters.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sonde {
namespace {

TEST(CounterRegistry, RendersPrometheusText) {
  CounterRegistry reg("sonde_broker");
  Counter* received = reg.AddCounter("received", "Batches received.");
  Counter* truncated = reg.AddCounter("malformed", "Batches rejected.", {"reason", "truncated"});
  Counter* bad_kind = reg.AddCounter("malformed", "ignored", {"reason", "bad_kind"});
  Gauge* queue = reg.AddGauge("queue_depth", "Samples queued.");
  received->Inc(3);
  truncated->Inc();
  bad_kind->Inc(2);
  queue->Set(-7);
  EXPECT_EQ(reg.RenderPrometheus(),
            "# HELP sonde_broker_received_total Batches received.\n"
            "# TYPE sonde_broker_received_total counter\n"
            "sonde_broker_received_total 3\n"
            "# HELP sonde_broker_malformed_total Batches rejected.\n"
            "# TYPE sonde_broker_malformed_total counter\n"
            "sonde_broker_malformed_total{reason=\"truncated\"} 1\n"
            "sonde_broker_malformed_total{reason=\"bad_kind\"} 2\n"
            "# HELP sonde_broker_queue_depth Samples queued.\n"
            "# TYPE sonde_broker_queue_depth gauge\n"
            "sonde_broker_queue_depth -7\n");
}

TEST(CounterRegistry, SameNameAndLabelIsSameCounter) {
  CounterRegistry reg("x");
  Counter* a = reg.AddCounter("hits", "");
  EXPECT_EQ(a, reg.AddCounter("hits", ""));
  EXPECT_NE(a, reg.AddCounter("hits", "", {"reason", "other"}));
  Gauge* g = reg.AddGauge("open", "");
  EXPECT_EQ(g, reg.AddGauge("open", ""));
}

TEST(CounterRegistry, EscapesLabelValuesAndHelp) {
  CounterRegistry reg("");
  reg.AddCounter("drops", "Line one\nback\\slash", {"peer", "a\"b\\c\nd"})->Inc();
  EXPECT_EQ(reg.RenderPrometheus(),
            "# HELP drops_total Line one\\nback\\\\slash\n"
            "# TYPE drops_total counter\n"
            "drops_total{peer=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(CounterRegistry, FuncMetricsReadAtRenderTime) {
  CounterRegistry reg("svc");
  uint64_t kernel_drops = 5;
  int64_t level = 2;
  reg.AddCounterFunc("kernel_drops", "From SO_RXQ_OVFL.", {}, [&] { return kernel_drops; });
  reg.AddGaugeFunc("level", "", {"kind", "x"}, [&] { return level; });
  kernel_drops = 9;
  level = -1;
  const std::string text = reg.RenderPrometheus();
  EXPECT_NE(text.find("svc_kernel_drops_total 9\n"), std::string::npos) << text;
  EXPECT_NE(text.find("svc_level{kind=\"x\"} -1\n"), std::string::npos) << text;
}

TEST(CounterRegistry, ListsValuesForSelfEmission) {
  CounterRegistry reg("sonde_broker");
  reg.AddCounter("received", "")->Inc(4);
  reg.AddCounter("malformed", "", {"reason", "nan"})->Inc(1);
  reg.AddGauge("subscribers", "")->Set(2);
  auto values = reg.List();
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].name, "sonde_broker_received_total");
  EXPECT_EQ(values[0].short_name, "received");
  EXPECT_EQ(values[0].type, MetricType::kCounter);
  EXPECT_EQ(values[0].value, 4);
  EXPECT_EQ(values[1].label_key, "reason");
  EXPECT_EQ(values[1].label_value, "nan");
  EXPECT_EQ(values[2].type, MetricType::kGauge);
  EXPECT_EQ(values[2].value, 2);
}

TEST(CounterRegistry, ConcurrentIncrementsAreCounted) {
  CounterRegistry reg("t");
  Counter* c = reg.AddCounter("n", "");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) c->Inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->value(), 400000u);
}

}  // namespace
}  // namespace sonde

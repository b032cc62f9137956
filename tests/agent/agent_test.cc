// The agent's options (each Validate() check), its flags, and ticks over the
// real /proc into a fake sink.
#include "sonde/agent.h"

#include <gtest/gtest.h>

#include <set>

#include "fake_sink.h"
#include "sonde/agent_flags.h"
#include "sonde/clock.h"
#include "testutil/testutil.h"

namespace sonde::agent {
namespace {

using namespace std::chrono_literals;
using sonde::agent::testing::FakeSink;

TEST(AgentOptions, DefaultsAreValid) {
  AgentOptions o;
  EXPECT_TRUE(o.Validate().ok());
  EXPECT_EQ(o.endpoint, "udp://127.0.0.1:7700");
  EXPECT_EQ(o.interval, 1s);
  EXPECT_EQ(o.root, "/");
}

TEST(AgentOptions, EachCheck) {
  auto invalid = [](auto mutate) {
    AgentOptions o;
    mutate(o);
    Status s = o.Validate();
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    return s.message();
  };
  EXPECT_NE(invalid([](AgentOptions& o) { o.endpoint = ""; }).find("endpoint"), std::string::npos);
  EXPECT_NE(invalid([](AgentOptions& o) { o.host = std::string(256, 'h'); }).find("host"),
            std::string::npos);
  EXPECT_NE(invalid([](AgentOptions& o) { o.interval = 99ms; }).find("interval"),
            std::string::npos);
  EXPECT_NE(invalid([](AgentOptions& o) { o.interval = 2h; }).find("interval"), std::string::npos);
  EXPECT_NE(invalid([](AgentOptions& o) { o.root = ""; }).find("root"), std::string::npos);
  EXPECT_NE(invalid([](AgentOptions& o) { o.tags = {{"", "x"}}; }).find("key"),
            std::string::npos);
  EXPECT_NE(invalid([](AgentOptions& o) { o.tags = {{"a", "1"}, {"a", "2"}}; }).find("twice"),
            std::string::npos);
  EXPECT_NE(invalid([](AgentOptions& o) { o.tags = {{"a", std::string(256, 'v')}}; }).find("value"),
            std::string::npos);
  EXPECT_NE(invalid([](AgentOptions& o) {
              for (int i = 0; i < 33; ++i) o.tags.push_back({"k" + std::to_string(i), "v"});
            }).find("at most"),
            std::string::npos);
}

TEST(AgentFlags, ParsesTags) {
  Result<Tag> tag = ParseTagFlag("service=auth=x");
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->key, "service");
  EXPECT_EQ(tag->value, "auth=x");
  EXPECT_TRUE(ParseTagFlag("noequals").status().IsInvalidArgument());
  EXPECT_TRUE(ParseTagFlag("=value").status().IsInvalidArgument());

  AgentFlags flags;
  flags.tags = {"service=auth", "dc=eu1"};
  flags.no_per_core = true;
  Result<AgentOptions> options = ResolveAgentFlags(flags);
  ASSERT_TRUE(options);
  EXPECT_EQ(options->tags, (Tags{{"service", "auth"}, {"dc", "eu1"}}));
  EXPECT_FALSE(options->per_core);
  flags.tags = {"bad"};
  EXPECT_FALSE(ResolveAgentFlags(flags));
}

TEST(Agent, OpenFailsWithoutProc) {
  sonde::testing::TempDir empty;
  AgentOptions o;
  o.root = empty.path();
  Result<std::unique_ptr<Agent>> agent = Agent::Open(o);
  ASSERT_FALSE(agent);
  EXPECT_TRUE(agent.error().IsIOError()) << agent.error().ToString();
}

TEST(Agent, TicksReportEveryProbeFromRealProc) {
  Result<std::unique_ptr<Agent>> agent = Agent::Open(AgentOptions{});
  ASSERT_TRUE(agent) << agent.error().ToString();
  FakeSink sink;
  (*agent)->Tick(Clock::Real()->SteadyNs(), &sink);
  EXPECT_TRUE(sink.Find("mem"));
  EXPECT_TRUE(sink.Find("load.1"));
  EXPECT_FALSE(sink.Find("cpu"));  // Rates need a second reading.
  ASSERT_TRUE(sonde::testing::WaitFor([&] {
    sink.readings.clear();
    (*agent)->Tick(Clock::Real()->SteadyNs(), &sink);
    // Per-core ticks move later than the total: wait for both.
    return sink.Find("cpu").has_value() && sink.Count("cpu.core") > 0;
  }));
  std::set<std::string> names;
  for (const auto& r : sink.readings) names.insert(r.name);
  for (const char* name : {"cpu", "cpu.core", "mem", "mem.used_bytes", "mem.total_bytes", "load.1",
                           "load.5", "load.15", "disk.used_pct", "disk.free_bytes"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
  EXPECT_EQ((*agent)->counters().probe_errors, 0u);
  EXPECT_GE((*agent)->counters().ticks, 2u);
}

}  // namespace
}  // namespace sonde::agent

// The poller against real loopback servers (test_http_server.h): every
// outcome class, retries, admission control, discovery, cancellation. Each
// test counts its callbacks and ends with uv_loop_close() == 0.
#include "sonde/poller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "test_http_server.h"
#include "testutil/testutil.h"

namespace sonde::poller {
namespace {

using fleet::FailureClass;
using fleet::TargetRecord;
using sonde::testing::ClosedPort;
using sonde::testing::Reply;
using sonde::testing::TestHttpServer;
using std::chrono::milliseconds;

constexpr const char* kClusterStatsPage =
    R"({"Application": "Cache2", "Version": "1.0.1", "Request_Count": 100,
        "Success_Count": 97, "Error_Count": 3})";

std::string Local(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

class PollerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }

  void TearDown() override {
    if (poller_) {
      bool closed = false;
      poller_->Close([&] { closed = true; });
      uv_run(&loop_, UV_RUN_DEFAULT);
      EXPECT_TRUE(closed);
      const PollerCounters c = poller_->counters();
      EXPECT_EQ(c.sockets_watched, c.sockets_closed);
      EXPECT_EQ(c.watch_failures, 0u);
      poller_.reset();
    }
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  // Fast limits so that failure cases end in about a second.
  static PollerOptions FastOptions() {
    PollerOptions o;
    o.connect_timeout = milliseconds(500);
    o.total_timeout = milliseconds(3000);
    o.low_speed_bytes = 1024;
    o.low_speed_time = milliseconds(1000);
    o.retries = 0;
    o.retry_backoff = milliseconds(10);
    o.retry_backoff_max = milliseconds(50);
    o.max_body_bytes = 64 * 1024;
    return o;
  }

  void Create(const PollerOptions& o) {
    auto p = Poller::Create(&loop_, o);
    ASSERT_TRUE(p.has_value()) << p.error().ToString();
    poller_ = std::move(*p);
  }

  // Runs the loop until `done` is set or a 30 s watchdog fires. A prepare
  // handle stops the loop before it would block once `done` is set.
  void RunUntil(const bool& done) {
    struct Guard {
      const bool* done;
      bool fired = false;
    } guard{&done};
    uv_timer_t watchdog;
    uv_prepare_t prepare;
    uv_timer_init(&loop_, &watchdog);
    uv_prepare_init(&loop_, &prepare);
    watchdog.data = &guard;
    prepare.data = &guard;
    uv_timer_start(
        &watchdog,
        [](uv_timer_t* t) {
          static_cast<Guard*>(t->data)->fired = true;
          uv_stop(t->loop);
        },
        30000, 0);
    uv_prepare_start(&prepare, [](uv_prepare_t* p) {
      if (*static_cast<Guard*>(p->data)->done) uv_stop(p->loop);
    });
    while (!done && !guard.fired) uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_TRUE(done) << "watchdog fired";
    uv_close(reinterpret_cast<uv_handle_t*>(&watchdog), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&prepare), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);  // Runs the close callbacks: the handles live on our stack.
  }

  // Runs the loop for `ms` milliseconds of loop time.
  void RunFor(uint64_t ms) {
    bool elapsed = false;
    uv_timer_t timer;
    uv_timer_init(&loop_, &timer);
    timer.data = &elapsed;
    uv_timer_start(
        &timer, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, ms, 0);
    RunUntil(elapsed);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
  }

  // One round; records by target.
  std::map<std::string, TargetRecord> Round(std::vector<Target> targets) {
    std::map<std::string, TargetRecord> out;
    int records = 0;
    int done_calls = 0;
    bool done = false;
    const size_t n = targets.size();
    Status s = poller_->StartRound(
        std::move(targets),
        [&](const TargetRecord& r) {
          ++records;
          EXPECT_FALSE(done) << "record after done";
          out[r.target] = r;
        },
        [&] {
          ++done_calls;
          done = true;
        });
    EXPECT_TRUE(s.ok()) << s.ToString();
    RunUntil(done);
    EXPECT_EQ(records, static_cast<int>(n));
    EXPECT_EQ(done_calls, 1);
    EXPECT_EQ(out.size(), n) << "each target exactly once";
    return out;
  }

  // Polls `count` targets h0, h1, ... served by `reply` through at most
  // `max_connections` slots; returns how many answered.
  int RoundThroughSlots(Reply reply, int count, int max_connections) {
    const uint16_t port = server_.Listen(std::move(reply));
    server_.Start();
    PollerOptions o = FastOptions();
    o.url_pattern = "http://" + Local(port) + "/{host}";
    o.max_connections = max_connections;
    Create(o);
    std::vector<Target> targets;
    for (int i = 0; i < count; ++i) targets.push_back({"h" + std::to_string(i)});
    int up = 0;
    for (const auto& [t, r] : Round(targets)) up += r.up ? 1 : 0;
    EXPECT_EQ(server_.requests(port), count);
    EXPECT_LE(server_.max_open(port), max_connections);
    return up;
  }

  uv_loop_t loop_;
  std::unique_ptr<Poller> poller_;
  TestHttpServer server_;
};

TEST_F(PollerTest, HealthyPageBecomesAnUpRecordWithNormalizedFields) {
  const uint16_t port = server_.Listen(Reply().WithBody(kClusterStatsPage));
  server_.Start();
  Create(FastOptions());
  auto records = Round({{Local(port)}});
  const TargetRecord& r = records[Local(port)];
  EXPECT_TRUE(r.up);
  EXPECT_EQ(r.failure, FailureClass::kNone);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_GT(r.latency_ms, 0);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.numbers, (std::map<std::string, double>{
                           {"request_count", 100}, {"success_count", 97}, {"error_count", 3}}));
  EXPECT_EQ(r.strings,
            (std::map<std::string, std::string>{{"application", "Cache2"}, {"version", "1.0.1"}}));
  EXPECT_EQ(server_.paths(port), (std::vector<std::string>{"/status"}));
  const PollerCounters c = poller_->counters();
  EXPECT_EQ(c.rounds_started, 1u);
  EXPECT_EQ(c.rounds_completed, 1u);
  EXPECT_EQ(c.requests, 1u);
  EXPECT_EQ(c.records_up, 1u);
  EXPECT_GE(c.sockets_watched, 1u);
  EXPECT_GE(c.uv_poll_callbacks, 2u);  // Writable (request), readable (response).
  EXPECT_GE(c.uv_timer_callbacks, 1u);
  EXPECT_EQ(c.uv_poll_errors, 0u);
}

TEST_F(PollerTest, MixedCaseKeysAndPercentStrings) {
  const uint16_t port = server_.Listen(Reply().WithBody(
      R"({"IP": "10.58.1.100", "Service": "RoleService", "CPU": "78%", "Memory": "31%"})"));
  server_.Start();
  Create(FastOptions());
  const TargetRecord r = Round({{Local(port)}})[Local(port)];
  ASSERT_TRUE(r.up) << r.error;
  EXPECT_EQ(r.numbers, (std::map<std::string, double>{{"cpu", 78}, {"memory", 31}}));
  EXPECT_EQ(r.strings, (std::map<std::string, std::string>{{"ip", "10.58.1.100"},
                                                           {"service", "RoleService"}}));
}

TEST_F(PollerTest, EveryFailureIsClassedPerTarget) {
  const uint16_t healthy = server_.Listen(Reply().WithBody(R"({"ok": 1})"));
  const std::map<std::string, uint16_t> port = {
      {"slow", server_.Listen(Reply().WithBody(R"({"ok": 1})").WithDelayMs(300))},
      {"500", server_.Listen(Reply().WithStatus(500).WithBody("{}"))},
      {"404", server_.Listen(Reply().WithStatus(404).WithBody("{}"))},
      {"invalid", server_.Listen(Reply().WithBody("<html>not json</html>"))},
      {"huge", server_.Listen(Reply().WithFillerBytes(1 << 20))},
      {"huge_unsized", server_.Listen(Reply().WithFillerBytes(1 << 20).WithContentLength(false))},
      {"silent", server_.Listen(Reply().WithSilent(true))},
      {"trickle", server_.Listen(Reply().WithBody(std::string(200, ' ') + "{}").WithTrickleMs(50))},
      {"empty", server_.Listen(Reply().WithCloseAtOnce(true))},
      {"to_ftp", server_.Listen(Reply().WithStatus(302).WithLocation("ftp://127.0.0.1/x"))},
      {"to_http", server_.Listen(Reply().WithStatus(302).WithLocation("http://" + Local(healthy) +
                                                                      "/status"))},
      {"refused", ClosedPort()},
  };
  server_.Start();
  Create(FastOptions());
  std::vector<Target> targets;
  for (const auto& [name, p] : port) targets.push_back({Local(p)});
  auto records = Round(targets);
  auto of = [&](const std::string& name) { return records[Local(port.at(name))]; };

  EXPECT_TRUE(of("slow").up);
  EXPECT_GE(of("slow").latency_ms, 300);
  EXPECT_TRUE(of("to_http").up) << of("to_http").error;
  EXPECT_EQ(of("500").failure, FailureClass::kHttp5xx);
  EXPECT_EQ(of("500").http_status, 500);
  EXPECT_EQ(of("404").failure, FailureClass::kHttp4xx);
  EXPECT_EQ(of("invalid").failure, FailureClass::kInvalidJson);
  EXPECT_EQ(of("huge").failure, FailureClass::kBodyTooLarge);
  EXPECT_EQ(of("huge_unsized").failure, FailureClass::kBodyTooLarge);
  EXPECT_EQ(of("silent").failure, FailureClass::kTimeout);
  EXPECT_EQ(of("trickle").failure, FailureClass::kTimeout);
  EXPECT_EQ(of("empty").failure, FailureClass::kOther);
  EXPECT_EQ(of("to_ftp").failure, FailureClass::kOther);
  EXPECT_EQ(of("refused").failure, FailureClass::kRefused);
  EXPECT_EQ(of("refused").http_status, 0);
  EXPECT_LT(of("refused").latency_ms, 0);
  for (const auto& [target, r] : records) {
    if (!r.up) {
      EXPECT_FALSE(r.error.empty()) << target;
    }
    EXPECT_EQ(r.attempts, 1) << target;
  }
  EXPECT_EQ(server_.requests(port.at("to_ftp")), 1);  // The ftp:// redirect is never followed.
  const PollerCounters c = poller_->counters();
  EXPECT_EQ(c.records, targets.size());
  EXPECT_EQ(c.records_up, 2u);
  EXPECT_EQ(c.failures[static_cast<int>(FailureClass::kTimeout)], 2u);
}

TEST_F(PollerTest, RedirectLoopIsCutAtTheLimit) {
  uint16_t self = 0;
  self = server_.Listen([&self](const std::string&) {
    return Reply().WithStatus(302).WithLocation("http://" + Local(self) + "/status");
  });
  server_.Start();
  PollerOptions o = FastOptions();
  o.max_redirects = 2;
  Create(o);
  const TargetRecord r = Round({{Local(self)}})[Local(self)];
  EXPECT_EQ(r.failure, FailureClass::kOther);
  EXPECT_EQ(server_.requests(self), 3);  // The first request plus two redirects.
}

TEST_F(PollerTest, RetriesOnlyRetryableFailuresWithBackoff) {
  const uint16_t five = server_.Listen(Reply().WithStatus(500));
  const uint16_t four = server_.Listen(Reply().WithStatus(404));
  const uint16_t refused = ClosedPort();
  server_.Start();
  PollerOptions o = FastOptions();
  o.retries = 2;
  Create(o);
  auto records = Round({{Local(five)}, {Local(four)}, {Local(refused)}});
  EXPECT_EQ(records[Local(five)].attempts, 3);
  EXPECT_EQ(server_.requests(five), 3);
  EXPECT_EQ(records[Local(four)].attempts, 1);
  EXPECT_EQ(server_.requests(four), 1);
  EXPECT_EQ(records[Local(refused)].attempts, 3);
  EXPECT_EQ(records[Local(refused)].failure, FailureClass::kRefused);
  EXPECT_EQ(poller_->counters().retries, 4u);
  EXPECT_EQ(poller_->counters().requests, 7u);
}

TEST_F(PollerTest, RetryThatSucceedsGivesAnUpRecord) {
  std::atomic<int> calls{0};
  const uint16_t flaky = server_.Listen([&calls](const std::string&) {
    return ++calls == 1 ? Reply().WithStatus(503) : Reply().WithBody(R"({"x": 1})");
  });
  server_.Start();
  PollerOptions o = FastOptions();
  o.retries = 3;
  Create(o);
  const TargetRecord r = Round({{Local(flaky)}})[Local(flaky)];
  EXPECT_TRUE(r.up);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.http_status, 200);
}

TEST_F(PollerTest, AdmissionControlKeepsQueuedTargetsFromTimingOut) {
  // 40 targets of 150 ms each through 4 slots take ~1.5 s, far past the
  // 600 ms total timeout: only a request's own time may count against it.
  const uint16_t port = server_.Listen(Reply().WithBody(R"({"ok": 1})").WithDelayMs(150));
  server_.Start();
  PollerOptions o = FastOptions();
  o.url_pattern = "http://" + Local(port) + "/status/{host}";
  o.max_connections = 4;
  o.total_timeout = milliseconds(600);
  Create(o);
  std::vector<Target> targets;
  for (int i = 0; i < 40; ++i) targets.push_back({"srv" + std::to_string(i)});
  const uint64_t start = uv_now(&loop_);
  auto records = Round(targets);
  uv_update_time(&loop_);
  EXPECT_GE(uv_now(&loop_) - start, 1400u);
  for (const auto& [target, r] : records) EXPECT_TRUE(r.up) << target << ": " << r.error;
  EXPECT_LE(server_.max_open(port), 4);
  EXPECT_EQ(server_.requests(port), 40);
  EXPECT_EQ(server_.paths(port).front().rfind("/status/srv", 0), 0u);
}

TEST_F(PollerTest, SameIpOnTwoPortsIsTwoTargets) {
  const uint16_t a = server_.Listen(Reply().WithBody(R"({"Service": "Auth", "CPU": "10%"})"));
  const uint16_t b = server_.Listen(Reply().WithBody(R"({"Service": "Geo", "CPU": "20%"})"));
  server_.Start();
  Create(FastOptions());
  auto records = Round({{Local(a)}, {Local(b)}});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[Local(a)].strings.at("service"), "Auth");
  EXPECT_EQ(records[Local(a)].numbers.at("cpu"), 10);
  EXPECT_EQ(records[Local(b)].strings.at("service"), "Geo");
  EXPECT_EQ(records[Local(b)].numbers.at("cpu"), 20);
}

TEST_F(PollerTest, DiscoveryThenRound) {
  const uint16_t a = server_.Listen(Reply().WithBody(R"({"n": 1})"));
  const uint16_t b = server_.Listen(Reply().WithBody(R"({"n": 2})"));
  const std::string list = R"([")" + Local(a) + R"(", {"ip": "127.0.0.1", "port": )" +
                           std::to_string(b) + R"(}, "bad host"])";
  const uint16_t discovery = server_.Listen(Reply().WithBody(list));
  const uint16_t missing = server_.Listen(Reply().WithStatus(404));
  const uint16_t garbage = server_.Listen(Reply().WithBody("<html>"));
  server_.Start();
  Create(FastOptions());

  auto discover = [&](uint16_t port) {
    std::optional<Result<TargetList>> got;
    bool done = false;
    Status s = poller_->Discover("http://" + Local(port) + "/servers", [&](Result<TargetList> l) {
      got.emplace(std::move(l));
      done = true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    RunUntil(done);
    return std::move(*got);
  };
  Result<TargetList> list_result = discover(discovery);
  ASSERT_TRUE(list_result.has_value()) << list_result.error().ToString();
  EXPECT_EQ(list_result->targets, (std::vector<Target>{{Local(a)}, {Local(b)}}));
  ASSERT_EQ(list_result->errors.size(), 1u);
  EXPECT_EQ(list_result->errors[0].position, 3);
  EXPECT_EQ(server_.paths(discovery), (std::vector<std::string>{"/servers"}));

  auto records = Round(list_result->targets);
  EXPECT_EQ(records[Local(a)].numbers.at("n"), 1);
  EXPECT_EQ(records[Local(b)].numbers.at("n"), 2);

  EXPECT_TRUE(discover(missing).error().IsUnavailable());
  EXPECT_TRUE(discover(garbage).error().IsCorruption());
  EXPECT_TRUE(discover(ClosedPort()).error().IsUnavailable());
  EXPECT_EQ(poller_->counters().discovery_failures, 3u);
}

TEST_F(PollerTest, ManyTargetsThroughFewSlots) {
  EXPECT_EQ(RoundThroughSlots(Reply().WithBody(kClusterStatsPage), 2000, 64), 2000);
  // Every connection was closed by the server: each got a uv_poll, and each
  // was closed once curl let go of its socket (fd numbers were reused).
  const PollerCounters c = poller_->counters();
  EXPECT_GE(c.sockets_watched, 2000u);
  EXPECT_GE(c.polls_opened, 2000u);
  EXPECT_EQ(c.sockets_watched, c.sockets_closed);
}

TEST_F(PollerTest, KeptAliveConnectionsKeepTheirPollHandles) {
  EXPECT_EQ(RoundThroughSlots(Reply().WithBody(kClusterStatsPage).WithKeepAlive(true), 300, 4),
            300);
  // Curl hands a connection's socket back and forth between its cache and
  // the transfers (from a few dozen to hundreds of times in 300 requests,
  // depending on timing), but each of the 4 connections kept its uv_poll.
  const PollerCounters c = poller_->counters();
  EXPECT_LE(c.polls_opened, 8u) << "sockets_watched=" << c.sockets_watched;
  EXPECT_GE(c.polls_opened, 1u);
  EXPECT_GE(c.sockets_watched, c.polls_opened);
}

TEST_F(PollerTest, EmptyRoundFinishesOnTheLoop) {
  Create(FastOptions());
  bool done = false;
  ASSERT_TRUE(poller_
                  ->StartRound(
                      {}, [](const TargetRecord&) { FAIL(); }, [&] { done = true; })
                  .ok());
  EXPECT_FALSE(done);  // Not inside StartRound.
  RunUntil(done);
}

TEST_F(PollerTest, BusyPollerRefusesASecondRound) {
  const uint16_t port = server_.Listen(Reply().WithDelayMs(50));
  server_.Start();
  Create(FastOptions());
  bool done = false;
  ASSERT_TRUE(poller_->StartRound({{Local(port)}}, {}, [&] { done = true; }).ok());
  EXPECT_TRUE(poller_->busy());
  EXPECT_TRUE(poller_->StartRound({{Local(port)}}, {}, {}).IsInvalidArgument());
  EXPECT_TRUE(poller_->Discover("http://" + Local(port), {}).IsInvalidArgument());
  EXPECT_EQ(poller_->progress().targets, 1u);
  RunUntil(done);
  EXPECT_FALSE(poller_->busy());
  EXPECT_EQ(poller_->progress().targets, 0u);
}

TEST_F(PollerTest, CancelFromARecordCallbackStopsTheRound) {
  const uint16_t fast = server_.Listen(Reply().WithBody("{}"));
  const uint16_t silent = server_.Listen(Reply().WithSilent(true));
  server_.Start();
  Create(FastOptions());
  int records = 0;
  bool done = false;
  const std::vector<Target> targets = {{Local(fast)}, {Local(silent)}};
  ASSERT_TRUE(poller_
                  ->StartRound(
                      targets,
                      [&](const TargetRecord&) {
                        ++records;
                        poller_->Cancel();
                      },
                      [&] { done = true; })
                  .ok());
  // The fast target answers, its callback cancels; the silent one is aborted.
  RunFor(500);
  EXPECT_EQ(records, 1);
  EXPECT_FALSE(done);
  EXPECT_FALSE(poller_->busy());
  EXPECT_EQ(poller_->counters().rounds_completed, 0u);
}

TEST_F(PollerTest, DestroyMidRoundLeavesNothingOnTheLoop) {
  const uint16_t silent = server_.Listen(Reply().WithSilent(true));
  server_.Start();
  Create(FastOptions());
  ASSERT_TRUE(poller_
                  ->StartRound(
                      {{Local(silent)}}, [](const TargetRecord&) { FAIL(); }, [] { FAIL(); })
                  .ok());
  ASSERT_TRUE(::sonde::testing::WaitFor([&] {
    uv_run(&loop_, UV_RUN_NOWAIT);
    return server_.requests(silent) == 1;
  }));
  poller_.reset();  // No Close(): the loop's next run frees the handles.
}

TEST(PollerOptions, ValidateChecksEachField) {
  EXPECT_TRUE(PollerOptions().Validate().ok());
  auto bad = [](auto mutate) {
    PollerOptions o;
    mutate(o);
    return o.Validate().IsInvalidArgument();
  };
  EXPECT_TRUE(bad([](PollerOptions& o) { o.url_pattern = "ftp://{host}"; }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.max_connections = 0; }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.max_connections = 20001; }));
  {
    PollerOptions o;
    o.max_connections = 0;  // The message names the flag a user typed.
    EXPECT_EQ(o.Validate().message(), "-f/--max-connections 0 is outside 1-20000");
  }
  EXPECT_TRUE(bad([](PollerOptions& o) { o.connect_timeout = milliseconds(0); }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.total_timeout = milliseconds(0); }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.connect_timeout = milliseconds(6000); }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.retries = 11; }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.retry_backoff = milliseconds(-1); }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.retry_backoff_max = milliseconds(100); }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.max_body_bytes = 100; }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.max_discovery_bytes = 100; }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.low_speed_time = milliseconds(0); }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.max_redirects = 21; }));
  EXPECT_TRUE(bad([](PollerOptions& o) { o.page.max_fields = 0; }));
}

}  // namespace
}  // namespace sonde::poller

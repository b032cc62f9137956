// sonde-poller end to end: the real binary against a known fleet on loopback.
// Exact report files (latencies and kernel timings masked), exit statuses,
// the terminal table, and samples received on a real UDP socket.
#include "sonde/poller_service.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "sonde/wire.h"
#include "test_http_server.h"
#include "testutil/testutil.h"

namespace sonde::poller {
namespace {

using sonde::testing::ReadFile;
using sonde::testing::BinaryPath;
using sonde::testing::ClosedPort;
using sonde::testing::Reply;
using sonde::testing::TempDir;
using sonde::testing::TestHttpServer;
using sonde::testing::WaitFor;

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// A child process with stdout/stderr in files.
class Child {
 public:
  Child(const TempDir& dir, std::vector<std::string> args) : dir_(dir) {
    args.insert(args.begin(), BinaryPath("sonde-poller"));
    pid_ = fork();
    if (pid_ == 0) {
      int out = ::open(dir.File("stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = ::open(dir.File("stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (!exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void Signal(int sig) { ::kill(pid_, sig); }
  // The exit status, or -1 when it did not exit within 30 s.
  int Wait() {
    int status = 0;
    const bool ok = WaitFor([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; },
                            std::chrono::seconds(30));
    if (!ok) return -1;
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string out() const { return ReadFile(dir_.File("stdout")); }
  std::string err() const { return ReadFile(dir_.File("stderr")); }

 private:
  const TempDir& dir_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

class PollerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = server_.Listen(Reply().WithBody(
        R"({"Application": "Cache2", "Version": "1.0.1", "Request_Count": 100,
            "Success_Count": 97, "Error_Count": 3})"));
    b_ = server_.Listen(Reply().WithBody(
        R"({"Application": "Cache2", "Version": "1.0.1", "Request_Count": 200,
            "Success_Count": 193, "Error_Count": 7})"));
    c_ = server_.Listen(Reply().WithBody(
        R"({"Service": "RoleService", "CPU": "56%", "Memory": "31%", "Application": "Search",
            "Version": "2.0", "Request_Count": "50", "Success_Count": "45"})"));
    d_ = server_.Listen(Reply().WithStatus(500).WithBody("{}"));
    e_ = ClosedPort();
    server_.Start();
    std::ofstream inv(dir_.File("inventory"));
    inv << T(a_) << "\n"
        << T(b_) << "\n# the search service\nbad host\n"
        << T(c_) << "\n\n"
        << T(d_) << "\n"
        << T(e_) << "\n";
  }

  static std::string T(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

  std::vector<std::string> OnceArgs(const std::string& qos) {
    return {"--once",
            "-i",
            dir_.File("inventory"),
            "-o",
            dir_.File("out"),
            "-s",
            "-r",
            "0",
            "-q",
            qos,
            "-t",
            "500ms",
            "--total-timeout",
            "2s",
            "--no-progress"};
  }

  // Ports become A..E; curl's "after N ms" and latencies become fixed text.
  std::string Mask(std::string s) const {
    s = Replace(s, std::to_string(a_), "A");
    s = Replace(s, std::to_string(b_), "B");
    s = Replace(s, std::to_string(c_), "C");
    s = Replace(s, std::to_string(d_), "D");
    s = Replace(s, std::to_string(e_), "E");
    return std::regex_replace(s, std::regex("after [0-9]+ ms"), "after N ms");
  }

  TestHttpServer server_;
  TempDir dir_;
  uint16_t a_ = 0, b_ = 0, c_ = 0, d_ = 0, e_ = 0;
};

TEST_F(PollerServiceTest, OnceWritesTheExactReportAndMeetsQosAtTheEdge) {
  Child child(dir_, OnceArgs("60"));  // 3 of 5 answered: exactly 60 %.
  ASSERT_EQ(child.Wait(), 0) << child.err();
  const std::string out = dir_.File("out");

  std::string targets = Mask(ReadFile(out + "/targets.csv"));
  // The latency column of rows that got an HTTP response.
  targets = std::regex_replace(
      targets, std::regex("(127\\.0\\.0\\.1:[A-E],[01],[a-z_0-9]+,(200|500)),[0-9.]+,"), "$1,L,");
  EXPECT_EQ(targets,
            "target,up,failure,http_status,latency_ms,attempts,application,version,requests,"
            "successes,errors,error\n"
            "127.0.0.1:A,1,none,200,L,1,Cache2,1.0.1,100,97,3,\n"
            "127.0.0.1:B,1,none,200,L,1,Cache2,1.0.1,200,193,7,\n"
            "127.0.0.1:C,1,none,200,L,1,Search,2.0,50,45,,\n"
            "127.0.0.1:D,0,http_5xx,500,L,1,,,,,,HTTP 500\n"
            "127.0.0.1:E,0,refused,,,1,,,,,,Failed to connect to 127.0.0.1 port E after N ms: "
            "Couldn't connect to server\n");

  EXPECT_EQ(ReadFile(out + "/success_rate.csv"),
            "application,version,targets,requests,successes,errors,success_rate_percent\n"
            "Cache2,1.0.1,2,300,290,10,96.67\n"
            "Search,2.0,1,50,45,5,90.00\n");

  std::string summary = ReadFile(out + "/summary.csv");
  summary =
      std::regex_replace(summary, std::regex("(latency_ms\\.(min|p50|p90|p99|max)),.*"), "$1,L");
  EXPECT_EQ(summary,
            "key,value\ntargets,5\nanswered,3\nfailed,2\nanswered_percent,60\n"
            "qos_required_percent,60\nqos_met,1\nfailures.refused,1\nfailures.dns,0\n"
            "failures.timeout,0\nfailures.http_4xx,0\nfailures.http_5xx,1\n"
            "failures.invalid_json,0\nfailures.body_too_large,0\nfailures.tls,0\n"
            "failures.other,0\nlatency_ms.count,4\nlatency_ms.min,L\nlatency_ms.p50,L\n"
            "latency_ms.p90,L\nlatency_ms.p99,L\nlatency_ms.max,L\nsuccess_rate_percent,95.71\n");

  nlohmann::json report = nlohmann::json::parse(Mask(ReadFile(out + "/report.json")));
  EXPECT_GT(report["generated_ms"].get<int64_t>(), 1700000000000);
  report.erase("generated_ms");
  for (auto& [key, value] : report["latency_ms"].items()) {
    if (key != "count") value = "L";
  }
  for (auto& t : report["targets"]) {
    if (!t["latency_ms"].is_null()) t["latency_ms"] = "L";
  }
  EXPECT_EQ(report, nlohmann::json::parse(R"({
    "totals": {"targets": 5, "answered": 3, "failed": 2, "answered_percent": 60},
    "qos": {"required_percent": 60, "answered_percent": 60, "met": true,
            "message": "QoS met: 3 of 5 targets answered (60.00%), required 60%"},
    "failures": {"refused": 1, "dns": 0, "timeout": 0, "http_4xx": 0, "http_5xx": 1,
                 "invalid_json": 0, "body_too_large": 0, "tls": 0, "other": 0},
    "latency_ms": {"count": 4, "min": "L", "p50": "L", "p90": "L", "p99": "L", "max": "L"},
    "success_rate": {"overall_percent": 95.71, "groups": [
      {"application": "Cache2", "version": "1.0.1", "targets": 2, "requests": 300,
       "successes": 290, "errors": 10, "success_rate_percent": 96.67},
      {"application": "Search", "version": "2.0", "targets": 1, "requests": 50,
       "successes": 45, "errors": 5, "success_rate_percent": 90}]},
    "targets": [
      {"target": "127.0.0.1:A", "up": true, "failure": "none", "http_status": 200,
       "latency_ms": "L", "attempts": 1, "error": "",
       "fields": {"error_count": 3, "request_count": 100, "success_count": 97},
       "tags": {"application": "Cache2", "version": "1.0.1"}},
      {"target": "127.0.0.1:B", "up": true, "failure": "none", "http_status": 200,
       "latency_ms": "L", "attempts": 1, "error": "",
       "fields": {"error_count": 7, "request_count": 200, "success_count": 193},
       "tags": {"application": "Cache2", "version": "1.0.1"}},
      {"target": "127.0.0.1:C", "up": true, "failure": "none", "http_status": 200,
       "latency_ms": "L", "attempts": 1, "error": "",
       "fields": {"cpu": 56, "memory": 31, "request_count": 50, "success_count": 45},
       "tags": {"application": "Search", "service": "RoleService", "version": "2.0"}},
      {"target": "127.0.0.1:D", "up": false, "failure": "http_5xx", "http_status": 500,
       "latency_ms": "L", "attempts": 1, "error": "HTTP 500", "fields": {}, "tags": {}},
      {"target": "127.0.0.1:E", "up": false, "failure": "refused", "http_status": 0,
       "latency_ms": null, "attempts": 1,
       "error": "Failed to connect to 127.0.0.1 port E after N ms: Couldn't connect to server",
       "fields": {}, "tags": {}}]
  })"));

  // The table on stdout (a file here: no colour, no progress line).
  const std::string table = child.out();
  EXPECT_EQ(table.find('\033'), std::string::npos);
  EXPECT_EQ(table.find("Targets     5\n"
                       "Answered    3 (60.00%)\n"
                       "Failed      2 (refused 1, http_5xx 1)\n"),
            0u)
      << table;
  EXPECT_NE(table.find("\nQoS met: 3 of 5 targets answered (60.00%), required 60%\n"
                       "\n"
                       "Application  Version  Targets  Requests  Successes  Errors  Success rate\n"
                       "Cache2       1.0.1          2       300        290      10        96.66%\n"
                       "Search       2.0            1        50         45       5        90.00%\n"
                       "Overall success rate: 95.71%\n"),
            std::string::npos)
      << table;
  // The bad inventory line is reported with its number; the good ones are kept.
  EXPECT_NE(child.err().find("event=inventory_line_skipped"), std::string::npos);
  EXPECT_NE(child.err().find("line=4 text=\"bad host\""), std::string::npos) << child.err();
  EXPECT_EQ(child.err().find("polling "), std::string::npos);  // No progress line off a TTY.
}

TEST_F(PollerServiceTest, QosNotMetExitsThreeWithAClearMessage) {
  Child child(dir_, OnceArgs("99"));
  EXPECT_EQ(child.Wait(), 3);
  EXPECT_NE(
      child.err().find("sonde-poller: QoS not met: 3 of 5 targets answered (60.00%), below the "
                       "required 99%\n"),
      std::string::npos)
      << child.err();
  EXPECT_NE(child.out().find("QoS not met"), std::string::npos);
  const std::string summary = ReadFile(dir_.File("out/summary.csv"));
  EXPECT_NE(summary.find("qos_met,0\n"), std::string::npos);
}

TEST_F(PollerServiceTest, QosJustAboveTheShareAnsweredFails) {
  Child child(dir_, OnceArgs("60.01"));
  EXPECT_EQ(child.Wait(), 3);
}

TEST_F(PollerServiceTest, VerboseListsFailedTargets) {
  std::vector<std::string> args = OnceArgs("0");
  args.push_back("-v");
  Child child(dir_, args);
  ASSERT_EQ(child.Wait(), 0);
  const std::string table = Mask(child.out());
  // Column widths follow the real port numbers, so match the rows loosely.
  EXPECT_TRUE(
      std::regex_search(table, std::regex("\nFailed targets:\n"
                                          "Target +Failure +HTTP +Error\n"
                                          "127\\.0\\.0\\.1:D +http_5xx +500 +HTTP 500\n"
                                          "127\\.0\\.0\\.1:E +refused +- +Failed to connect")))
      << table;
}

TEST_F(PollerServiceTest, UsageAndRuntimeErrorsHaveTheirExitStatus) {
  struct Case {
    std::vector<std::string> args;
    int status;
    const char* message;
  };
  const Case cases[] = {
      {{"--once", "-i", dir_.File("inventory"), "-q", "150"}, 2, "qos_percent 150"},
      {{"--once", "--bogus"}, 2, "--bogus"},
      {{"--once"}, 2, "give an inventory"},
      {{"-i", dir_.File("inventory"), "-o", dir_.File("x")}, 2, "needs --once"},
      {{"--once", "-i", dir_.File("inventory"), "--to", "smtp://x"}, 2, "--to"},
      {{"--once", "-i", dir_.File("inventory"), "-t", "2x"}, 2, "-t"},
      {{"--once", "-i", dir_.File("missing")}, 1, "NotFound: inventory"},
  };
  for (const Case& c : cases) {
    Child child(dir_, c.args);
    EXPECT_EQ(child.Wait(), c.status) << c.args.back();
    EXPECT_NE(child.err().find(c.message), std::string::npos) << child.err();
    EXPECT_EQ(child.err().find("sonde-poller: error:"), 0u) << child.err();
  }
}

TEST_F(PollerServiceTest, ClusterStatsSecondsStillWorkForTimeout) {
  std::vector<std::string> args = OnceArgs("0");
  args[args.size() - 4] = "1";  // -t 1 (seconds, as ClusterStats took it).
  Child child(dir_, args);
  EXPECT_EQ(child.Wait(), 0) << child.err();
}

// A UDP socket that decodes what the poller sends.
class UdpSink {
 public:
  UdpSink() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~UdpSink() { ::close(fd_); }
  std::string uri() const { return "udp://127.0.0.1:" + std::to_string(port_); }

  // Waits up to 10 s for a message whose source is `source` and returns its
  // samples by name (batch tags merged).
  std::map<std::string, Sample> Next(const std::string& source) {
    char buf[65536];
    pollfd p{fd_, POLLIN, 0};
    while (::poll(&p, 1, 10000) == 1) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      BatchView view;
      if (n <= 0 || DecodeBatch(std::string_view(buf, n), &view) != WireError::kOk) continue;
      if (view.source != source) continue;
      std::map<std::string, Sample> out;
      for (Sample& s : ToSamples(view)) out[s.name] = s;
      return out;
    }
    return {};
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST_F(PollerServiceTest, DaemonSendsSamplesEveryIntervalAndStopsOnSigterm) {
  UdpSink sink;
  std::ofstream(dir_.File("one")) << T(a_) << "\n" << T(e_) << "\n";
  Child child(dir_, {"-i", dir_.File("one"), "--interval", "1s", "--to", sink.uri(), "-r", "0"});
  for (int round = 0; round < 2; ++round) {
    std::map<std::string, Sample> own = sink.Next(T(a_));
    ASSERT_EQ(own.count("up"), 1u) << "round " << round << ": " << child.err();
    EXPECT_EQ(own["up"].value, 1);
    EXPECT_EQ(own["http.status"].value, 200);
    EXPECT_EQ(own["http.latency_ms"].kind, MetricKind::kTiming);
    std::map<std::string, Sample> fields = sink.Next(T(a_));
    EXPECT_EQ(fields["request_count"].value, 100);
    EXPECT_EQ(fields["request_count"].tags,
              (Tags{{"application", "Cache2"}, {"version", "1.0.1"}}));
  }
  std::map<std::string, Sample> down = sink.Next(T(e_));
  EXPECT_EQ(down["up"].value, 0);
  EXPECT_EQ(down["poll.failure"].value, 1);  // refused
  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(), 0) << child.err();
  EXPECT_NE(child.err().find("event=round_done targets=2 answered=1 failed=1"), std::string::npos);
  EXPECT_NE(child.err().find("event=stop signal=15"), std::string::npos);
}

TEST_F(PollerServiceTest, OnceWithToSendsSamplesToo) {
  UdpSink sink;
  std::vector<std::string> args = OnceArgs("0");
  args.push_back("--to");
  args.push_back(sink.uri());
  Child child(dir_, args);
  EXPECT_EQ(child.Wait(), 0);
  EXPECT_EQ(sink.Next(T(c_))["up"].value, 1);
}

TEST_F(PollerServiceTest, DiscoveryEndpointListsTheTargets) {
  TestHttpServer discovery;
  const uint16_t port = discovery.Listen(Reply().WithBody(
      "[\"" + T(a_) + "\", {\"ip\": \"127.0.0.1\", \"port\": " + std::to_string(b_) + "}]"));
  discovery.Start();
  Child child(dir_, {"--once", "--discover", "http://" + T(port) + "/servers", "-o",
                     dir_.File("out"), "-q", "100", "--no-progress"});
  EXPECT_EQ(child.Wait(), 0) << child.err();
  EXPECT_NE(child.out().find("Targets     2\nAnswered    2 (100.00%)"), std::string::npos)
      << child.out();
  EXPECT_EQ(discovery.paths(port), (std::vector<std::string>{"/servers"}));
}

}  // namespace
}  // namespace sonde::poller

namespace sonde::poller {
namespace {

TEST_F(PollerServiceTest, ConfigFileTakesTheLongFlagNames) {
  std::ofstream(dir_.File("poller.toml")) << "inventory = \"" << dir_.File("inventory") << "\"\n"
                                          << "once = true\n"
                                          << "qos = 60\n"
                                          << "success-rate = true\n"
                                          << "retries = 0\n"
                                          << "connect-timeout = \"500ms\"\n"
                                          << "max-connections = 8\n"
                                          << "output-dir = \"" << dir_.File("cfg-out") << "\"\n"
                                          << "no-progress = true\n";
  Child child(dir_, {"--config", dir_.File("poller.toml")});
  EXPECT_EQ(child.Wait(), 0) << child.err();
  EXPECT_NE(ReadFile(dir_.File("cfg-out/success_rate.csv")).find("Cache2,1.0.1,2,300,290"),
            std::string::npos);
  // A flag on the command line wins over the file.
  Child strict(dir_, {"--config", dir_.File("poller.toml"), "-q", "99"});
  EXPECT_EQ(strict.Wait(), 3);
}

TEST(PollerServiceOptions, ValidateChecksEachField) {
  PollerServiceOptions ok;
  ok.inventory = "x";
  EXPECT_TRUE(ok.Validate().ok());
  auto bad = [&](auto mutate) {
    PollerServiceOptions o = ok;
    mutate(o);
    return o.Validate().IsInvalidArgument();
  };
  EXPECT_TRUE(bad([](PollerServiceOptions& o) { o.inventory.clear(); }));
  EXPECT_TRUE(bad([](PollerServiceOptions& o) { o.output_dir = "/tmp/x"; }));  // Needs once.
  EXPECT_TRUE(bad([](PollerServiceOptions& o) { o.interval = std::chrono::milliseconds(999); }));
  EXPECT_TRUE(bad([](PollerServiceOptions& o) { o.interval = std::chrono::hours(25); }));
  EXPECT_TRUE(bad([](PollerServiceOptions& o) { o.list_failed = -1; }));
  EXPECT_TRUE(bad([](PollerServiceOptions& o) { o.to = "smtp://x"; }));
  EXPECT_TRUE(bad([](PollerServiceOptions& o) { o.poller.retries = -1; }));
  EXPECT_TRUE(bad([](PollerServiceOptions& o) { o.report.qos_percent = 101; }));
  PollerServiceOptions discover_only;
  discover_only.discover_url = "http://127.0.0.1:1/servers";
  EXPECT_TRUE(discover_only.Validate().ok());
}

TEST(PollerLogOptions, VerboseAndOnceDefaults) {
  ::unsetenv("SPDLOG_LEVEL");
  PollerServiceOptions o;
  EXPECT_EQ(PollerLogOptions({}, o).level, "");
  o.once = true;
  EXPECT_EQ(PollerLogOptions({}, o).level, "warn");
  o.verbose = true;
  EXPECT_EQ(PollerLogOptions({}, o).level, "info,sonde.poller=debug");
  LogOptions given;
  given.level = "error";
  EXPECT_EQ(PollerLogOptions(given, o).level, "error");
}

}  // namespace
}  // namespace sonde::poller

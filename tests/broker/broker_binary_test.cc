// The real binaries: sonde-broker on free loopback ports (read back from its
// "event=started" log line), `sonde tail --count` against it, exit codes for
// start-up errors, and a clean stop on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "broker_test_util.h"
#include "testutil/testutil.h"

namespace sonde::broker {
namespace {

using namespace std::chrono_literals;
using sonde::testing::ReadFile;
using sonde::testing::BinaryPath;
using sonde::testing::TempDir;
using sonde::testing::WaitFor;
using testing::MakeBatch;
using testing::UdpSender;

// The value of `key=` in the "event=started" line of `log`, or "".
std::string StartedField(const std::string& log, const std::string& key) {
  size_t line = log.find("event=started ");
  if (line == std::string::npos) return "";
  size_t at = log.find(" " + key + "=", line);
  if (at == std::string::npos || at > log.find('\n', line)) return "";
  at += key.size() + 2;
  return log.substr(at, log.find_first_of(" \n", at) - at);
}

// A child process running build/bin/<binary> with stdout and stderr in
// files (testutil's Child: killed if still running on destruction).
class Child : public sonde::testing::Child {
 public:
  Child(const std::string& binary, const std::vector<std::string>& args, const std::string& out,
        const std::string& err)
      : sonde::testing::Child(Argv(binary, args), out, err) {}

 private:
  static std::vector<std::string> Argv(const std::string& binary,
                                       const std::vector<std::string>& args) {
    std::vector<std::string> all = {BinaryPath(binary)};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }
};

// Runs a binary to completion (bounded) and returns its exit code.
int RunToExit(const std::string& binary, const std::vector<std::string>& args, const TempDir& dir,
              std::string* err) {
  // testutil's Child appends: start each run from empty files.
  std::remove(dir.File("run.out").c_str());
  std::remove(dir.File("run.err").c_str());
  Child child(binary, args, dir.File("run.out"), dir.File("run.err"));
  if (!WaitFor([&] { return child.Exited(); }, 20s)) return -1;
  *err = ReadFile(dir.File("run.err"));
  return child.exit_code();
}

TEST(BrokerBinary, TailPrintsSamplesRelayedByTheRealBroker) {
  TempDir dir;
  Child broker(
      "sonde-broker",
      {"--udp", "udp://127.0.0.1:0", "--pull", "tcp://127.0.0.1:0", "--pub", "tcp://127.0.0.1:0",
       "--broker-id", "it-broker", "--stats-interval", "1s", "--linger", "0s"},
      dir.File("broker.out"), dir.File("broker.err"));
  std::string log;
  ASSERT_TRUE(WaitFor([&] {
    log = ReadFile(dir.File("broker.err"));
    return !StartedField(log, "pub").empty() || broker.Exited();
  })) << log;
  ASSERT_FALSE(broker.Exited()) << log;
  const int udp_port = std::stoi(StartedField(log, "udp_port"));
  const std::string pub = StartedField(log, "pub");

  Child tail("sonde",
             {"tail", "--from", pub, "--source", "web-01", "--count", "3", "--timeout", "20s",
              "--format", "json"},
             dir.File("tail.out"), dir.File("tail.err"));
  // Send until tail has its three samples: its subscription takes effect
  // at some point we cannot observe from here.
  UdpSender udp(udp_port);
  int sent = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        udp.Send(MakeBatch("web-01", 1, sent++));
        udp.Send(MakeBatch("web-02", 1));
        return tail.Exited();
      },
      30s));
  EXPECT_EQ(tail.exit_code(), 0) << ReadFile(dir.File("tail.err"));
  std::istringstream lines(ReadFile(dir.File("tail.out")));
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_NE(line.find("\"source\":\"web-01\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"name\":\"m0\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"kind\":\"gauge\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"broker\":\"it-broker\""), std::string::npos) << line;
  }
  EXPECT_EQ(count, 3);

  // A second broker on the same UDP port: one error line, exit code 1.
  std::string err;
  EXPECT_EQ(RunToExit("sonde-broker",
                      {"--udp", "udp://127.0.0.1:" + std::to_string(udp_port), "--pull",
                       "tcp://127.0.0.1:0", "--pub", "tcp://127.0.0.1:0"},
                      dir, &err),
            1);
  EXPECT_EQ(err.rfind("sonde-broker: error: cannot bind UDP 127.0.0.1:", 0), 0u) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;

  broker.Signal(SIGTERM);
  ASSERT_TRUE(WaitFor([&] { return broker.Exited(); }, 20s));
  EXPECT_EQ(broker.exit_code(), 0);
  log = ReadFile(dir.File("broker.err"));
  EXPECT_NE(log.find("event=stopped udp_messages="), std::string::npos) << log;
}

TEST(BrokerBinary, UsageErrorsExitWithTwo) {
  TempDir dir;
  std::string err;
  EXPECT_EQ(RunToExit("sonde-broker", {"--no-such-flag"}, dir, &err), 2);
  EXPECT_EQ(RunToExit("sonde-broker", {"--udp", "tcp://127.0.0.1:0"}, dir, &err), 2);
  EXPECT_NE(err.find("udp"), std::string::npos) << err;
  EXPECT_EQ(RunToExit("sonde-broker", {"--pub-hwm", "0"}, dir, &err), 2);
  EXPECT_EQ(RunToExit("sonde", {"tail", "--format", "xml"}, dir, &err), 2);
  EXPECT_EQ(RunToExit("sonde", {"tail", "--from", "udp://127.0.0.1:1"}, dir, &err), 2);
}

TEST(BrokerBinary, TailTimesOutWithExitOneWhenCountIsNotReached) {
  TempDir dir;
  std::string err;
  // Nothing listens there: ZeroMQ keeps trying to connect until the timeout.
  EXPECT_EQ(RunToExit("sonde",
                      {"tail", "--from", "tcp://127.0.0.1:1", "--count", "1", "--timeout", "200ms"},
                      dir, &err),
            1);
  EXPECT_NE(err.find("timeout"), std::string::npos) << err;
}

TEST(BrokerBinary, ConfigFileSetsBrokerKeys) {
  TempDir dir;
  {
    std::ofstream config(dir.File("broker.toml"));
    config << "udp = \"udp://127.0.0.1:0\"\npull = \"\"\npub = \"tcp://127.0.0.1:0\"\n"
              "broker-id = \"from-config\"\nstats-interval = \"0s\"\n";
  }
  Child broker("sonde-broker", {"--config", dir.File("broker.toml")}, dir.File("b.out"),
               dir.File("b.err"));
  std::string log;
  ASSERT_TRUE(WaitFor([&] {
    log = ReadFile(dir.File("b.err"));
    return log.find("event=started") != std::string::npos || broker.Exited();
  })) << log;
  EXPECT_NE(log.find("broker_id=from-config"), std::string::npos) << log;
  broker.Signal(SIGINT);
  ASSERT_TRUE(WaitFor([&] { return broker.Exited(); }, 20s));
  EXPECT_EQ(broker.exit_code(), 0);
}

}  // namespace
}  // namespace sonde::broker

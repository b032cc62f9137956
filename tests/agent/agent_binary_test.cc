// The real sonde-agent: samples arrive on a UDP socket bound to 127.0.0.1
// port 0 and decode with the one codec (DecodeBatch), carrying --this-host
// and --tag; SIGTERM and SIGINT stop it cleanly (exit 0); bad flags exit 2.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "emitter/receivers.h"
#include "testutil/testutil.h"

extern char** environ;

namespace sonde::agent {
namespace {

using namespace std::chrono_literals;
using sonde::testing::BinaryPath;
using sonde::testing::TempDir;
using sonde::testing::UdpReceiver;
using sonde::testing::WaitFor;

// sonde-agent as a child process, output to files; killed if still running.
class AgentProcess {
 public:
  AgentProcess(std::vector<std::string> args, const TempDir& dir) {
    args.insert(args.begin(), BinaryPath("sonde-agent"));
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = dir.File("stdout"), err = dir.File("stderr");
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~AgentProcess() {
    if (!exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool Exited() {
    int status = 0;
    if (!exited_ && waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return exited_;
  }
  void Signal(int signum) { kill(pid_, signum); }
  int code() const { return code_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int code_ = -1;
};

void ExpectSamplesThenCleanStop(int signum) {
  TempDir dir;
  UdpReceiver receiver;
  AgentProcess agent({"--to", receiver.endpoint(), "--this-host", "web-7", "--tag",
                      "service=auth", "--tag", "dc=eu1", "--interval", "100ms"},
                     dir);
  std::set<std::string> names;
  bool tags_ok = true;
  bool source_ok = true;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::optional<std::string> m = receiver.Receive(100ms);
        if (!m) return false;
        sonde::testing::Received r = sonde::testing::Decode(std::move(*m));
        source_ok = source_ok && r.source == "web-7";
        tags_ok = tags_ok && r.batch_tags == Tags{{"service", "auth"}, {"dc", "eu1"}};
        for (const Sample& s : r.samples) names.insert(s.name);
        return names.count("cpu") && names.count("mem");
      },
      10s));
  EXPECT_TRUE(source_ok);
  EXPECT_TRUE(tags_ok);
  EXPECT_TRUE(names.count("load.1"));
  agent.Signal(signum);
  ASSERT_TRUE(WaitFor([&] { return agent.Exited(); }, 10s));
  EXPECT_EQ(agent.code(), 0);
}

TEST(AgentBinary, SendsHostSamplesAndStopsOnSigterm) { ExpectSamplesThenCleanStop(SIGTERM); }

TEST(AgentBinary, StopsOnSigint) { ExpectSamplesThenCleanStop(SIGINT); }

TEST(AgentBinary, UsageErrorsExitTwo) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--tag", "nokey"},
                                        std::vector<std::string>{"--interval", "10ms"},
                                        std::vector<std::string>{"--bogus"}}) {
    TempDir dir;
    AgentProcess agent(args, dir);
    ASSERT_TRUE(WaitFor([&] { return agent.Exited(); }, 10s));
    EXPECT_EQ(agent.code(), 2) << args[0];
  }
}

TEST(AgentBinary, MissingProcExitsOne) {
  TempDir dir;
  TempDir empty_root;
  AgentProcess agent({"--root", empty_root.path(), "--to", "udp://127.0.0.1:9"}, dir);
  ASSERT_TRUE(WaitFor([&] { return agent.Exited(); }, 10s));
  EXPECT_EQ(agent.code(), 1);
}

}  // namespace
}  // namespace sonde::agent

// Helpers shared by the tests: temp dirs, waiting on conditions with a
// deadline (never sleeps as synchronization), binary paths, free loopback
// ports, and running binaries of this tree (to completion, or alongside the
// test as a child process).
#ifndef SONDE_TESTS_TESTUTIL_H_
#define SONDE_TESTS_TESTUTIL_H_

#include <sys/socket.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sonde::testing {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Polls `condition` every millisecond until it is true or `timeout` passes.
// Returns whether it became true.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Absolute path of a binary built by this tree, e.g. BinaryPath("sonde-broker").
std::string BinaryPath(const std::string& name);

// Milliseconds since the Unix epoch, now.
int64_t NowMs();

// The whole content of a file; "" when it cannot be read.
std::string ReadFile(const std::string& path);

// A port on 127.0.0.1 that nothing listens on: bound (SOCK_STREAM or
// SOCK_DGRAM), read back and released. Another process may take it before
// the caller binds it; prefer binding port 0 where the code under test
// allows it.
uint16_t FreePort(int type = SOCK_STREAM);

struct RunResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal.
  std::string out;
  std::string err;
};

// Runs `path` with `args` (argv[1..]) and exactly the environment `env`
// (nothing is inherited), stdin from /dev/null, to completion, capturing
// stdout and stderr. Kills it after `timeout`. Throws std::runtime_error
// when the program cannot be started.
RunResult RunBinary(const std::string& path, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A program running beside the test (a service), with this process's
// environment, stdin from /dev/null and stdout/stderr appended to files.
// SIGKILLed and reaped on destruction if still running. Records a gtest
// failure (and pid() is -1) when it cannot be started.
class Child {
 public:
  // argv[0] is the path (BinaryPath("sonde-broker")). stdout goes to
  // `out_path` and stderr to `err_path` (both to one file when equal).
  Child(const std::vector<std::string>& argv, const std::string& out_path,
        const std::string& err_path);
  // stdout and stderr both to `log_path`.
  Child(const std::vector<std::string>& argv, const std::string& log_path)
      : Child(argv, log_path, log_path) {}
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signum);
  // Reaps the process if it has exited, without blocking; true once it has.
  bool Exited();
  // Waits up to `timeout` for the exit. Returns the exit code (128 + signal
  // number when killed by a signal), or -1 after SIGKILLing a process that
  // outlived the timeout (or was never started).
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The exit code once Exited() or Wait() saw the exit; -1 before.
  int exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

}  // namespace sonde::testing

#endif  // SONDE_TESTS_TESTUTIL_H_

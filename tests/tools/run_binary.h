// RunBinary: runs a program built by this tree to completion and captures
// what it printed, for tests of command-line tools.
#ifndef SONDE_TESTS_TOOLS_RUN_BINARY_H_
#define SONDE_TESTS_TOOLS_RUN_BINARY_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace sonde::testing {

struct RunResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal.
  std::string out;
  std::string err;
};

// Runs `path` with `args` (argv[1..]) and exactly the environment `env`
// (nothing is inherited), stdin from /dev/null. Kills it after `timeout`.
RunResult RunBinary(const std::string& path, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace sonde::testing

#endif  // SONDE_TESTS_TOOLS_RUN_BINARY_H_

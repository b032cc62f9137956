// `sonde tail`'s flags through the real binary. No broker is needed: a SUB
// socket connecting to a closed port just waits, so --timeout ends the run.
#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace sonde::testing {
namespace {

RunResult Tail(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"tail", "--from", "tcp://127.0.0.1:9"};
  all.insert(all.end(), args.begin(), args.end());
  return RunBinary(BinaryPath("sonde"), all, {{"PATH", "/usr/bin:/bin"}});
}

TEST(TailCli, HelpSaysTimeoutTakesADuration) {
  RunResult r = RunBinary(BinaryPath("sonde"), {"tail", "--help"}, {{"PATH", "/usr/bin:/bin"}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--timeout DURATION"), std::string::npos) << r.out;
}

TEST(TailCli, TimeoutTakesADurationOrSeconds) {
  // A bare number is seconds, as sonde-poller's -t takes it.
  for (const char* timeout : {"200ms", "0.2"}) {
    SCOPED_TRACE(timeout);
    RunResult r = Tail({"--timeout", timeout, "--count", "1"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "sonde tail: timeout after 200ms with 0 of 1 samples\n");
  }
  RunResult r = Tail({"--timeout", "2x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--timeout: '2x': unknown unit 'x'"), std::string::npos) << r.err;
}

TEST(TailCli, FormatIsTextOrJson) {
  RunResult r = Tail({"--format", "csv", "--timeout", "1ms"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sonde::testing

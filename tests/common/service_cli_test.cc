#include "sonde/service_cli.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "testutil/testutil.h"

namespace sonde {
namespace {

using ::testing::internal::CaptureStderr;
using ::testing::internal::CaptureStdout;
using ::testing::internal::GetCapturedStderr;
using ::testing::internal::GetCapturedStdout;

// A service's flags, as a main() would declare them.
struct FakeServiceOptions {
  std::string udp = "udp://127.0.0.1:7700";
  std::chrono::milliseconds flush = std::chrono::seconds(1);
  uint64_t max_bytes = 64 << 20;
  int64_t window_ms = 60000;
  int hwm = 1000;
  bool verbose = false;
};

class ServiceCliTest : public ::testing::Test {
 protected:
  ServiceCliTest() : cli_("sonde-test", "A test service.") {
    cli_.app().add_option("--udp", opts_.udp, "UDP endpoint")->capture_default_str();
    cli_.AddDuration("--flush", &opts_.flush, "Flush interval");
    cli_.AddByteSize("--max-bytes", &opts_.max_bytes, "Size cap");
    cli_.app()
        .add_option("--window", opts_.window_ms, "Window")
        ->transform(DurationMsTransformer());
    cli_.app().add_flag("--verbose", opts_.verbose, "Chatty");
    cli_.app().add_option("--hwm", opts_.hwm, "Queue bound")->capture_default_str();
  }

  std::optional<int> Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "sonde-test");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    CaptureStderr();
    auto code = cli_.Parse(static_cast<int>(argv.size()), argv.data());
    stderr_ = GetCapturedStderr();
    return code;
  }

  std::string WriteConfig(const std::string& text) {
    const std::string path = dir_.File("sonde.toml");
    std::ofstream(path) << text;
    return path;
  }

  testing::TempDir dir_;
  FakeServiceOptions opts_;
  ServiceCli cli_;
  std::string stderr_;
};

TEST_F(ServiceCliTest, DefaultsWithoutFlags) {
  EXPECT_EQ(Parse({}), std::nullopt);
  EXPECT_EQ(opts_.udp, "udp://127.0.0.1:7700");
  EXPECT_EQ(opts_.flush, std::chrono::seconds(1));
  EXPECT_EQ(cli_.config_file(), "");
  EXPECT_EQ(cli_.log_options().level, "");
}

TEST_F(ServiceCliTest, FlagsParseUnits) {
  EXPECT_EQ(Parse({"--flush", "500ms", "--max-bytes=1GB", "--window", "5m", "--log-level",
                   "warn,sonde.broker=debug", "--log-file", "/tmp/x.log"}),
            std::nullopt)
      << stderr_;
  EXPECT_EQ(opts_.flush, std::chrono::milliseconds(500));
  EXPECT_EQ(opts_.max_bytes, 1000000000u);
  EXPECT_EQ(opts_.window_ms, 300000);
  EXPECT_EQ(cli_.log_options().level, "warn,sonde.broker=debug");
  EXPECT_EQ(cli_.log_options().file, "/tmp/x.log");
}

TEST_F(ServiceCliTest, ConfigFileThenFlagsOverride) {
  const std::string path = WriteConfig(
      "# Sonde test config\n"
      "udp = \"udp://0.0.0.0:9000\"\n"
      "flush = \"5s\"\n"
      "max-bytes = \"16MiB\"\n"
      "log-level = \"debug\"\n"
      "verbose = true\n");
  EXPECT_EQ(Parse({"--config", path, "--udp", "udp://10.0.0.1:7700"}), std::nullopt) << stderr_;
  EXPECT_EQ(opts_.udp, "udp://10.0.0.1:7700");  // The flag wins.
  EXPECT_EQ(opts_.flush, std::chrono::seconds(5));
  EXPECT_EQ(opts_.max_bytes, 16u << 20);
  EXPECT_TRUE(opts_.verbose);
  EXPECT_EQ(cli_.log_options().level, "debug");
  EXPECT_EQ(cli_.config_file(), path);
  const std::string effective = cli_.EffectiveConfig();
  EXPECT_NE(effective.find("udp=udp://10.0.0.1:7700"), std::string::npos) << effective;
  EXPECT_NE(effective.find("flush=5s"), std::string::npos) << effective;
}

TEST_F(ServiceCliTest, UnknownConfigKeyIsOneClearError) {
  const std::string path = WriteConfig("udp = \"udp://0.0.0.0:9000\"\nbogus-key = 3\n");
  EXPECT_EQ(Parse({"--config", path}), 2);
  EXPECT_EQ(stderr_, "sonde-test: error: " + path +
                         ": unknown key 'bogus-key' (keys are the long flag names) (see --help)\n");
}

// TOML forbids a key twice; CLI11 alone would keep one value silently.
// (toml++ words it: "3:7: Error while parsing key-value pair: cannot
// redefine existing string 'udp'".)
TEST_F(ServiceCliTest, RepeatedConfigKeyIsAnErrorWithItsPlace) {
  const std::string path = WriteConfig(
      "udp = \"udp://127.0.0.1:27700\"\nflush = \"2s\"\nudp = \"udp://127.0.0.1:27710\"\n");
  EXPECT_EQ(Parse({"--config", path}), 2);
  EXPECT_EQ(stderr_.rfind("sonde-test: error: " + path + ":3:", 0), 0u) << stderr_;
  EXPECT_NE(stderr_.find("cannot redefine existing string 'udp'"), std::string::npos) << stderr_;
}

TEST_F(ServiceCliTest, ConfigSyntaxErrorNamesFileLineAndColumn) {
  const std::string path = WriteConfig("flush = \"2s\"\nudp = = 3\n");
  EXPECT_EQ(Parse({"--config", path}), 2);
  EXPECT_EQ(stderr_.rfind("sonde-test: error: " + path + ":2:", 0), 0u) << stderr_;
}

TEST_F(ServiceCliTest, MissingConfigFileIsAnError) {
  EXPECT_EQ(Parse({"--config", dir_.File("nope.toml")}), 2);
  EXPECT_NE(stderr_.find("sonde-test: error: --config"), std::string::npos) << stderr_;
  EXPECT_NE(stderr_.find("nope.toml"), std::string::npos) << stderr_;
}

TEST_F(ServiceCliTest, BadDurationNamesTheFlag) {
  EXPECT_EQ(Parse({"--flush", "10x"}), 2);
  EXPECT_EQ(stderr_,
            "sonde-test: error: --flush: '10x': unknown unit 'x' (expected ms, s, m, h or d) "
            "(see --help)\n");
  EXPECT_EQ(opts_.flush, std::chrono::seconds(1));  // Untouched.
}

TEST_F(ServiceCliTest, BadSizeInConfigFileNamesFileAndFlag) {
  const std::string path = WriteConfig("max-bytes = \"12 parsecs\"\n");
  EXPECT_EQ(Parse({"--config", path}), 2);
  EXPECT_NE(stderr_.find("sonde-test: error: " + path + ":1:13: --max-bytes: '12 parsecs'"),
            std::string::npos)
      << stderr_;
}

// The value's line and column, then the flag's own message, unchanged.
TEST_F(ServiceCliTest, UnconvertibleConfigValueNamesFileLineAndColumn) {
  const std::string path = WriteConfig("udp = \"udp://127.0.0.1:7700\"\n\nhwm = \"lots\"\n");
  EXPECT_EQ(Parse({"--config", path}), 2);
  EXPECT_EQ(stderr_,
            "sonde-test: error: " + path + ":3:7: Could not convert: --hwm = lots (see --help)\n");
}

TEST_F(ServiceCliTest, BadFlagValueInConfigFileNamesFileLineAndColumn) {
  const std::string path = WriteConfig("hwm = 5\n  verbose = \"maybe\"\n");
  EXPECT_EQ(Parse({"--config", path}), 2);
  EXPECT_EQ(stderr_.rfind("sonde-test: error: " + path + ":2:13: ", 0), 0u) << stderr_;
  EXPECT_NE(stderr_.find("--verbose"), std::string::npos) << stderr_;
}

TEST_F(ServiceCliTest, BadCommandLineValueKeepsItsMessageWithAConfigFile) {
  const std::string path = WriteConfig("hwm = 5\nflush = \"2s\"\n");
  EXPECT_EQ(Parse({"--config", path, "--hwm", "lots"}), 2);
  EXPECT_EQ(stderr_, "sonde-test: error: Could not convert: --hwm = lots (see --help)\n");
  EXPECT_EQ(Parse({"--config", path, "--flush", "10x"}), 2);
  EXPECT_EQ(stderr_,
            "sonde-test: error: --flush: '10x': unknown unit 'x' (expected ms, s, m, h or d) "
            "(see --help)\n");
}

// The command line wins, so the file's bad value is never read.
TEST_F(ServiceCliTest, CommandLineOverridesABadConfigValue) {
  const std::string path = WriteConfig("hwm = \"lots\"\n");
  EXPECT_EQ(Parse({"--config", path, "--hwm", "7"}), std::nullopt) << stderr_;
  EXPECT_EQ(opts_.hwm, 7);
}

// main()'s own checks (Options::Validate()) come after Parse(), through Fail().
TEST_F(ServiceCliTest, FailNamesTheConfigValueItsFlagCameFrom) {
  const std::string path = WriteConfig("udp = \"udp://127.0.0.1:7700\"\nhwm = 0\n");
  EXPECT_EQ(Parse({"--config", path}), std::nullopt) << stderr_;
  CaptureStderr();
  EXPECT_EQ(cli_.Fail("--hwm: 0 is out of range [1, 100]"), 2);
  EXPECT_EQ(GetCapturedStderr(),
            "sonde-test: error: " + path + ":2:7: --hwm: 0 is out of range [1, 100]\n");
  // A flag the file did not set, and one whose name only starts like --udp.
  CaptureStderr();
  cli_.Fail("--flush: too short");
  cli_.Fail("--udp-rcvbuf: too big");
  EXPECT_EQ(GetCapturedStderr(),
            "sonde-test: error: --flush: too short\nsonde-test: error: --udp-rcvbuf: too big\n");
}

TEST_F(ServiceCliTest, FailKeepsItsMessageForACommandLineValue) {
  const std::string path = WriteConfig("hwm = 5\n");
  EXPECT_EQ(Parse({"--config", path, "--hwm", "0"}), std::nullopt) << stderr_;
  CaptureStderr();
  EXPECT_EQ(cli_.Fail("--hwm: 0 is out of range [1, 100]"), 2);
  EXPECT_EQ(GetCapturedStderr(), "sonde-test: error: --hwm: 0 is out of range [1, 100]\n");
}

TEST_F(ServiceCliTest, BadTransformedDuration) {
  EXPECT_EQ(Parse({"--window", "60"}), 2);
  EXPECT_NE(stderr_.find("--window: '60': missing unit"), std::string::npos) << stderr_;
}

TEST_F(ServiceCliTest, BadLogLevel) {
  EXPECT_EQ(Parse({"--log-level", "loud"}), 2);
  EXPECT_NE(stderr_.find("--log-level: unknown level 'loud'"), std::string::npos) << stderr_;
}

TEST_F(ServiceCliTest, UnknownFlag) {
  EXPECT_EQ(Parse({"--nope"}), 2);
  EXPECT_NE(stderr_.find("sonde-test: error: "), std::string::npos);
  EXPECT_NE(stderr_.find("--nope"), std::string::npos);
  EXPECT_EQ(std::count(stderr_.begin(), stderr_.end(), '\n'), 1) << stderr_;
}

TEST_F(ServiceCliTest, HelpAndVersionExitZero) {
  CaptureStdout();
  EXPECT_EQ(Parse({"--help"}), 0);
  std::string out = GetCapturedStdout();
  EXPECT_NE(out.find("--config"), std::string::npos) << out;
  EXPECT_NE(out.find("--flush"), std::string::npos) << out;
  EXPECT_NE(out.find("1s"), std::string::npos) << out;  // The default, in units.

  ServiceCli other("sonde-test", "x");
  CaptureStdout();
  const char* argv[] = {"sonde-test", "--version"};
  EXPECT_EQ(other.Parse(2, argv), 0);
  out = GetCapturedStdout();
  EXPECT_EQ(out, "sonde-test " + std::string(SondeVersion()) + "\n");
}

TEST_F(ServiceCliTest, FailPrintsOneLine) {
  CaptureStderr();
  EXPECT_EQ(cli_.Fail("--udp: expected udp://host:port"), 2);
  EXPECT_EQ(GetCapturedStderr(), "sonde-test: error: --udp: expected udp://host:port\n");
}

}  // namespace
}  // namespace sonde

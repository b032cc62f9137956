// A real service (sonde-broker) with a bad value in its --config file: the
// one error line names the file and the value's line:column, both for values
// CLI11 rejects and for those BrokerOptions::Validate() rejects, and keeps
// today's message for values given on the command line.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "testutil/testutil.h"

namespace sonde {
namespace {

using sonde::testing::BinaryPath;
using sonde::testing::RunBinary;
using sonde::testing::TempDir;

class ConfigValueErrorBinaryTest : public ::testing::Test {
 protected:
  std::string WriteConfig(const std::string& text) {
    const std::string path = dir_.File("broker.toml");
    std::ofstream(path) << text;
    return path;
  }

  // Runs sonde-broker, which must stop at start-up with exit code 2, and
  // returns its stderr.
  std::string RunBroker(const std::vector<std::string>& args) {
    auto result = RunBinary(BinaryPath("sonde-broker"), args, {});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    return result.err;
  }

  TempDir dir_;
};

TEST_F(ConfigValueErrorBinaryTest, UnconvertibleValueNamesFileLineAndColumn) {
  const std::string path =
      WriteConfig("udp = \"udp://127.0.0.1:0\"\npub = \"tcp://127.0.0.1:0\"\npub-hwm = \"lots\"\n");
  EXPECT_EQ(
      RunBroker({"--config", path}),
      "sonde-broker: error: " + path + ":3:11: Could not convert: --pub-hwm = lots (see --help)\n");
}

TEST_F(ConfigValueErrorBinaryTest, OutOfRangeValueNamesFileLineAndColumn) {
  const std::string path = WriteConfig("pub = \"tcp://127.0.0.1:0\"\npub-hwm = 0\n");
  EXPECT_EQ(RunBroker({"--config", path}),
            "sonde-broker: error: " + path + ":2:11: --pub-hwm: 0 is out of range [1, 10000000]\n");
}

TEST_F(ConfigValueErrorBinaryTest, CommandLineValueKeepsTodaysMessage) {
  const std::string path = WriteConfig("pub = \"tcp://127.0.0.1:0\"\npub-hwm = 5\n");
  EXPECT_EQ(RunBroker({"--config", path, "--pub-hwm", "0"}),
            "sonde-broker: error: --pub-hwm: 0 is out of range [1, 10000000]\n");
  EXPECT_EQ(RunBroker({"--config", path, "--pub-hwm", "lots"}),
            "sonde-broker: error: Could not convert: --pub-hwm = lots (see --help)\n");
}

}  // namespace
}  // namespace sonde

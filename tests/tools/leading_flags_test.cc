// MoveLeadingFlags: a subcommand's flags given before the subcommand.
#include "leading_flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonde::tools {
namespace {

using Args = std::vector<std::string>;

class LeadingFlags : public ::testing::Test {
 protected:
  LeadingFlags() {
    app_.add_flag("-v,--verbose", verbose_);
    app_.add_option("--log-level", text_);
    CLI::App* hosts = app_.add_subcommand("hosts");
    hosts->add_option("--db", text_);
    hosts->add_option("--format", text_);
    CLI::App* report = app_.add_subcommand("report");
    CLI::App* rate = report->add_subcommand("success-rate");
    rate->add_option("--db", text_);
    rate->add_flag("--strict", verbose_);
  }

  Args Move(const Args& args) { return MoveLeadingFlags(app_, args); }

  CLI::App app_;
  bool verbose_ = false;
  std::string text_;
};

TEST_F(LeadingFlags, MovesSubcommandFlagsAfterTheSubcommand) {
  EXPECT_EQ(Move({"sonde", "--db", "/d", "hosts"}), (Args{"sonde", "hosts", "--db", "/d"}));
  EXPECT_EQ(Move({"sonde", "--db=/d", "--format", "json", "hosts", "--format", "csv"}),
            (Args{"sonde", "hosts", "--db=/d", "--format", "json", "--format", "csv"}));
  // A value that names a subcommand is still a value.
  EXPECT_EQ(Move({"sonde", "--db", "hosts", "hosts"}), (Args{"sonde", "hosts", "--db", "hosts"}));
}

TEST_F(LeadingFlags, GoesAfterNestedSubcommands) {
  EXPECT_EQ(Move({"sonde", "--db", "/d", "--strict", "report", "success-rate", "--x"}),
            (Args{"sonde", "report", "success-rate", "--db", "/d", "--strict", "--x"}));
}

TEST_F(LeadingFlags, TheAppsOwnFlagsStay) {
  EXPECT_EQ(Move({"sonde", "-v", "--log-level", "debug", "--db", "/d", "hosts"}),
            (Args{"sonde", "-v", "--log-level", "debug", "hosts", "--db", "/d"}));
  const Args own = {"sonde", "-v", "hosts", "--db", "/d"};
  EXPECT_EQ(Move(own), own);
}

TEST_F(LeadingFlags, LeavesEverythingElseAlone) {
  for (const Args& args :
       {Args{"sonde"}, Args{"sonde", "--db", "/d"}, Args{"sonde", "--db", "/d", "nope"},
        Args{"sonde", "--", "hosts"}, Args{"sonde", "hosts", "--db", "/d"}, Args{}}) {
    EXPECT_EQ(Move(args), args);
  }
}

TEST_F(LeadingFlags, TheRealCommandLineParses) {
  const Args moved = Move({"sonde", "--db", "/d", "hosts"});
  std::vector<const char*> argv;
  for (const std::string& a : moved) argv.push_back(a.c_str());
  EXPECT_NO_THROW(app_.parse(static_cast<int>(argv.size()), argv.data()));
  EXPECT_EQ(text_, "/d");
}

}  // namespace
}  // namespace sonde::tools

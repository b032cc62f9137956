// `sonde report success-rate` through the real binary: its exit status is
// the poller's (docs/poller.md): 3 with one stderr line when QoS is not met.
#include <gtest/gtest.h>

#include "query_fixture.h"

namespace sonde::testing {
namespace {

class ReportCli : public QueryFixture {
 protected:
  void SetUp() override {
    QueryFixture::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    // Two poller targets (hosts with an `up` series): one answered.
    const Tags tags = {{"application", "Cache2"}, {"version", "1.0.1"}};
    WriteLatest("10.0.0.1", "up", {}, 1, kT0);
    WriteLatest("10.0.0.1", "request_count", tags, 100, kT0);
    WriteLatest("10.0.0.1", "success_count", tags, 97, kT0);
    WriteLatest("10.0.0.2", "up", {}, 0, kT0);
  }
};

TEST_F(ReportCli, QosNotMetExitsThreeWithThePollersLine) {
  for (const char* format : {"table", "json", "csv"}) {
    SCOPED_TRACE(format);
    RunResult r = Sonde({"report", "success-rate", "--format", format});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_FALSE(r.out.empty());  // The report is still printed.
    EXPECT_EQ(r.err,
              "sonde: QoS not met: 1 of 2 targets answered (50.00%), below the required 99%\n");
  }
}

TEST_F(ReportCli, QosMetExitsZero) {
  RunResult r = Sonde({"report", "success-rate", "--qos", "50", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            "application,version,targets,requests,successes,errors,success_rate_percent\n"
            "Cache2,1.0.1,1,100,97,3,97.00\n");
}

// A target not polled within --max-age (10m) is no longer in the fleet:
// its last counts and its answer do not count.
TEST_F(ReportCli, TargetsNotPolledWithinMaxAgeAreLeftOut) {
  const int64_t old = kT0 - 15 * 60000;  // 20 minutes before --now.
  const Tags tags = {{"application", "Cache2"}, {"version", "1.0.1"}};
  WriteLatest("10.0.0.3", "up", {}, 1, old);
  WriteLatest("10.0.0.3", "request_count", tags, 100, old);
  WriteLatest("10.0.0.3", "success_count", tags, 50, old);
  RunResult r = Sonde({"report", "success-rate", "--qos", "50", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "application,version,targets,requests,successes,errors,success_rate_percent\n"
            "Cache2,1.0.1,1,100,97,3,97.00\n");
  RunResult all =
      Sonde({"report", "success-rate", "--qos", "50", "--format", "csv", "--max-age", "30m"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out,
            "application,version,targets,requests,successes,errors,success_rate_percent\n"
            "Cache2,1.0.1,2,200,147,53,73.50\n");
  RunResult table = Sonde({"report", "success-rate", "--qos", "50"});
  EXPECT_NE(table.err.find("1 target(s) left out: not polled within --max-age"),
            std::string::npos)
      << table.err;
}

TEST_F(ReportCli, BadQosAndListFailedSayWhatIsExpected) {
  RunResult qos = Sonde({"report", "success-rate", "--qos", "101"});
  EXPECT_EQ(qos.exit_code, 2);
  EXPECT_NE(qos.err.find("'101' is not a percentage from 0 to 100"), std::string::npos) << qos.err;
  RunResult list = Sonde({"report", "success-rate", "--list-failed", "-1"});
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_NE(list.err.find("must be a whole number of targets from 0 to 1000000, not '-1'"),
            std::string::npos)
      << list.err;
}

}  // namespace
}  // namespace sonde::testing

// The real `sonde health` and `sonde report success-rate` over a real LMDB
// store written through the store API: exact tables, JSON and CSV, rules
// files, filters, sorting and exit statuses (docs/health.md).
//
// The fleet ("now" is 2024-05-01T12:05:00Z; samples at 12:04:00 unless said):
//   10.58.1.1    StorageService  cpu 33  memory 56   (poller: up 1)  Healthy
//   10.58.1.2    StorageService  cpu 40  memory 50   (poller)        Healthy
//   10.58.1.100  RoleService     cpu 78  memory 31   (poller)        Degraded
//   10.58.1.101  RoleService     cpu 63  memory 19   (poller)        Healthy
//   10.58.1.105  RoleService     cpu 99  memory 49   (poller)        Unhealthy
//   10.58.1.120                  up 0                (poller)        Down
//   web-7        auth            cpu 20  mem 40      (agent)         Healthy
//   web-8        auth            cpu 10  mem 10 at 11:55             Stale
// Poller status pages also carry application/version fields and counts for
// the success-rate report.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sonde/store.h"
#include "testutil/testutil.h"

namespace sonde::health {
namespace {

using sonde::testing::BinaryPath;
using sonde::testing::RunBinary;
using sonde::testing::RunResult;
using sonde::testing::TempDir;

constexpr int64_t kNowMs = 1714565100000;  // 2024-05-01T12:05:00Z
constexpr const char* kNow = "2024-05-01T12:05:00Z";
constexpr int64_t kMinute = 60000;

struct Spec {
  std::string host;
  std::string name;
  double value;
  Tags tags;
  int64_t ts = kNowMs - kMinute;
};

std::vector<Spec> Fleet() {
  std::vector<Spec> specs;
  auto polled = [&](const std::string& host, const std::string& service, double cpu, double memory,
                    const std::string& app, const std::string& version, double requests,
                    double successes) {
    Tags tags = {{"application", app}, {"service", service}, {"version", version}};
    specs.push_back({host, "up", 1, {}});
    specs.push_back({host, "cpu", cpu, tags});
    specs.push_back({host, "memory", memory, tags});
    specs.push_back({host, "request_count", requests, tags});
    specs.push_back({host, "success_count", successes, tags});
  };
  polled("10.58.1.1", "StorageService", 33, 56, "Cache2", "1.0.1", 100, 97);
  polled("10.58.1.2", "StorageService", 40, 50, "Cache2", "1.0.1", 100, 99);
  polled("10.58.1.100", "RoleService", 78, 31, "Roles", "2.0", 200, 200);
  polled("10.58.1.101", "RoleService", 63, 19, "Roles", "2.0", 0, 0);
  polled("10.58.1.105", "RoleService", 99, 49, "Roles", "2.1", 50, 25);
  specs.push_back({"10.58.1.120", "up", 0, {}});
  specs.push_back({"web-7", "cpu", 20, {{"service", "auth"}}});
  specs.push_back({"web-7", "mem", 40, {{"service", "auth"}}});
  specs.push_back({"web-8", "cpu", 10, {{"service", "auth"}}, kNowMs - 10 * kMinute});
  specs.push_back({"web-8", "mem", 10, {{"service", "auth"}}, kNowMs - 10 * kMinute});
  return specs;
}

class HealthCli : public ::testing::Test {
 protected:
  void SetUp() override { Write(Fleet()); }

  void Write(const std::vector<Spec>& specs) {
    StoreOptions options;
    options.dir = db_.path();
    auto store = Store::Open(options);
    ASSERT_TRUE(store) << store.error().ToString();
    FlushBatch batch;
    for (const Spec& s : specs) {
      auto key = SeriesKey::Make(s.host, s.name, s.tags);
      ASSERT_TRUE(key) << key.error().ToString();
      batch.series.push_back({std::make_shared<const SeriesKey>(*key), kNoSeriesId,
                              MetricKind::kGauge, s.value, s.ts});
    }
    WriteResult result;
    ASSERT_TRUE((*store)->Write(batch, &result).ok());
  }

  RunResult Sonde(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db_.path(), "--now", kNow});
    return RunBinary(BinaryPath("sonde"), args,
                     {{"HOME", home_.path()}, {"PATH", "/usr/bin:/bin"}, {"COLUMNS", "120"}});
  }

  std::string WriteRules(const std::string& text) {
    std::ofstream(home_.File("rules.toml")) << text;
    return home_.File("rules.toml");
  }

  TempDir db_;
  TempDir home_;
};

TEST_F(HealthCli, DefaultTable) {
  RunResult r = Sonde({"health"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "HOST         SERVICE           CPU  MEMORY  REASON           STATUS\n"
            "10.58.1.1    StorageService  33.0%   56.0%  -                Healthy\n"
            "10.58.1.2    StorageService  40.0%   50.0%  -                Healthy\n"
            "10.58.1.100  RoleService     78.0%   31.0%  cpu 78 >= 75     Degraded\n"
            "10.58.1.101  RoleService     63.0%   19.0%  -                Healthy\n"
            "10.58.1.105  RoleService     99.0%   49.0%  cpu 99 >= 85     Unhealthy\n"
            "10.58.1.120  -                   -       -  up = 0           Down\n"
            "web-7        auth            20.0%   40.0%  -                Healthy\n"
            "web-8        auth            10.0%   10.0%  no data for 10m  Stale\n"
            "Unhealthy service RoleService: 1 of 3 servers healthy, minimum 2\n"
            "Unhealthy service auth: 1 of 2 servers healthy, minimum 2\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(HealthCli, ServiceFilterHealthyExitsZero) {
  RunResult r = Sonde({"health", "--service", "storageservice"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "HOST       SERVICE           CPU  MEMORY  REASON  STATUS\n"
            "10.58.1.1  StorageService  33.0%   56.0%  -       Healthy\n"
            "10.58.1.2  StorageService  40.0%   50.0%  -       Healthy\n");
}

TEST_F(HealthCli, UnknownServiceIsUnhealthy) {
  RunResult r = Sonde({"health", "--service", "Nope", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "host,service,cpu,memory,reason,status\n");
  // Not "no servers have reported": many have, just none of that service.
  EXPECT_EQ(r.err,
            "sonde: no server of service \"Nope\" has reported "
            "(known: RoleService, StorageService, auth)\n");
  RunResult table = Sonde({"health", "--service", "Nope"});
  EXPECT_EQ(table.exit_code, 1);
  EXPECT_EQ(table.out,
            "HOST  SERVICE  CPU  MEMORY  REASON  STATUS\n"
            "Unhealthy service Nope: 0 of 0 servers healthy, minimum 2\n");
  EXPECT_EQ(table.err, r.err);
}

TEST(HealthCliEmpty, NoServersAtAll) {
  TempDir db;
  TempDir home;
  {
    StoreOptions options;
    options.dir = db.path();
    ASSERT_TRUE(Store::Open(options));
  }
  const std::map<std::string, std::string> env = {{"HOME", home.path()}, {"PATH", "/usr/bin:/bin"}};
  RunResult all = RunBinary(BinaryPath("sonde"), {"health", "--db", db.path()}, env);
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.err, "sonde: no servers have reported\n");
  RunResult one =
      RunBinary(BinaryPath("sonde"), {"health", "--db", db.path(), "--service", "x"}, env);
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_EQ(one.err,
            "sonde: no server of service \"x\" has reported (no server has a service tag)\n");
}

// Regression: after a tag change (a new version, an added dc tag) the old
// series stays in the catalog for its retention; health judged the host on
// its last value (cpu 99) long after the host reported cpu 10.
TEST_F(HealthCli, TagChangeJudgedOnCurrentSeries) {
  Write({{"tagswitch", "cpu", 99, {{"service", "pay"}}, kNowMs - 7 * kMinute},
         {"tagswitch", "mem", 10, {{"service", "pay"}}, kNowMs - 7 * kMinute},
         {"tagswitch", "cpu", 10, {{"dc", "eu1"}, {"service", "pay"}}, kNowMs - kMinute},
         {"tagswitch", "mem", 10, {{"dc", "eu1"}, {"service", "pay"}}, kNowMs - kMinute},
         // Moved from service "pay" to "billing"; its pay series is out of date.
         {"mover", "cpu", 20, {{"service", "pay"}}, kNowMs - 20 * kMinute},
         {"mover", "cpu", 30, {{"service", "billing"}}, kNowMs - kMinute}});
  RunResult r = Sonde({"health", "--service", "pay", "--format", "csv", "--min-healthy", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "host,service,cpu,memory,reason,status\n"
            "tagswitch,pay,10,10,,Healthy\n");
  RunResult moved = Sonde({"health", "--service", "billing", "--format", "csv"});
  EXPECT_EQ(moved.out,
            "host,service,cpu,memory,reason,status\n"
            "mover,billing,30,,,Healthy\n");
}

TEST_F(HealthCli, PercentJustUnderALevelIsNotShownAsTheLevel) {
  Write({{"edge", "cpu", 74.99, {{"service", "edge"}}},
         {"edge", "mem", 49.99, {{"service", "edge"}}}});
  RunResult r = Sonde({"health", "--service", "edge", "--min-healthy", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // "%.1f" would show 75.0%: the Degraded level, which the host did not reach.
  EXPECT_EQ(r.out,
            "HOST  SERVICE    CPU  MEMORY  REASON  STATUS\n"
            "edge  edge     74.9%   49.9%  -       Healthy\n");
}

TEST_F(HealthCli, RulesFileChangesVerdicts) {
  const std::string rules = WriteRules(
      "max_age = \"15m\"\n"
      "[services.RoleService]\nmin_healthy = 1\n"
      "[services.RoleService.thresholds.cpu]\nwarning = 80\ncritical = 100\n"
      "[services.auth]\nmin_healthy = 1\n");
  RunResult r = Sonde({"health", "--rules", rules, "--status", "Degraded,Unhealthy,Down,Stale"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // 10.58.1.120 is still Down.
  EXPECT_EQ(r.out,
            "HOST         SERVICE        CPU  MEMORY  REASON        STATUS\n"
            "10.58.1.105  RoleService  99.0%   49.0%  cpu 99 >= 80  Degraded\n"
            "10.58.1.120  -                -       -  up = 0        Down\n");
}

TEST_F(HealthCli, AveragesByService) {
  RunResult r = Sonde({"health", "--avg"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "SERVICE         SERVERS  HEALTHY  MIN  AVG CPU  AVG MEMORY  STATUS\n"
            "RoleService           3        1    2    80.0%       33.0%  Unhealthy\n"
            "StorageService        2        2    2    36.5%       53.0%  Healthy\n"
            "auth                  2        1    2    20.0%       40.0%  Unhealthy\n");
  RunResult csv = Sonde({"health", "--avg", "--format", "csv", "--min-healthy", "1"});
  EXPECT_EQ(csv.exit_code, 1);  // Unhealthy, Down and Stale servers remain.
  EXPECT_EQ(csv.out,
            "service,servers,healthy,min_healthy,avg_cpu,avg_memory,status\n"
            "RoleService,3,1,1,80,33,Healthy\n"
            "StorageService,2,2,1,36.5,53,Healthy\n"
            "auth,2,1,1,20,40,Healthy\n");
}

TEST_F(HealthCli, SortByCpuAsCsv) {
  RunResult r = Sonde({"health", "--sort", "cpu", "--format", "csv", "--service", "RoleService"});
  EXPECT_EQ(r.out,
            "host,service,cpu,memory,reason,status\n"
            "10.58.1.105,RoleService,99,49,cpu 99 >= 85,Unhealthy\n"
            "10.58.1.100,RoleService,78,31,cpu 78 >= 75,Degraded\n"
            "10.58.1.101,RoleService,63,19,,Healthy\n");
}

// CSV as every other command writes it (docs/query.md): exact numbers, and
// an empty field, not "-", where there is no value.
TEST_F(HealthCli, CsvHasExactNumbersAndEmptyFields) {
  Write({{"web-9", "cpu", 12.345678, {{"service", "exact"}}},
         {"web-9", "mem", 0.1, {{"service", "exact"}}}});
  RunResult r = Sonde({"health", "--format", "csv", "--status", "Down,Healthy", "--sort", "cpu"});
  EXPECT_EQ(r.out,
            "host,service,cpu,memory,reason,status\n"
            "10.58.1.101,RoleService,63,19,,Healthy\n"
            "10.58.1.2,StorageService,40,50,,Healthy\n"
            "10.58.1.1,StorageService,33,56,,Healthy\n"
            "web-7,auth,20,40,,Healthy\n"
            "web-9,exact,12.345678,0.1,,Healthy\n"
            "10.58.1.120,,,,up = 0,Down\n");
  RunResult avg = Sonde({"health", "--avg", "--format", "csv", "--service", "exact"});
  EXPECT_EQ(avg.out,
            "service,servers,healthy,min_healthy,avg_cpu,avg_memory,status\n"
            "exact,1,1,2,12.345678,0.1,Unhealthy\n");
}

TEST_F(HealthCli, Json) {
  RunResult r = Sonde({"health", "--format", "json", "--service", "auth"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "{\"servers\":[{\"cpu\":20.0,\"host\":\"web-7\",\"last_seen_ms\":1714565040000,"
            "\"memory\":40.0,\"reasons\":[],\"service\":\"auth\",\"status\":\"Healthy\"},"
            "{\"cpu\":10.0,\"host\":\"web-8\",\"last_seen_ms\":1714564500000,\"memory\":10.0,"
            "\"reasons\":[\"no data for 10m\"],\"service\":\"auth\",\"status\":\"Stale\"}],"
            "\"services\":[{\"avg_cpu\":20.0,\"avg_memory\":40.0,\"below_minimum\":true,"
            "\"healthy\":1,\"min_healthy\":2,\"servers\":2,\"service\":\"auth\"}],"
            "\"unhealthy\":true}\n");
}

TEST_F(HealthCli, UsageAndDataErrors) {
  EXPECT_EQ(Sonde({"health", "--sort", "colour"}).exit_code, 2);
  EXPECT_EQ(Sonde({"health", "--status", "Sick"}).exit_code, 2);
  EXPECT_EQ(Sonde({"health", "--max-age", "soon"}).exit_code, 2);
  EXPECT_EQ(Sonde({"health", "--rules", WriteRules("min_healthy = -3\n")}).exit_code, 2);
  EXPECT_EQ(Sonde({"health", "--rules", home_.File("missing.toml")}).exit_code, 3);
  RunResult negative = Sonde({"health", "--min-healthy", "-1"});
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_EQ(negative.err,
            "sonde: error: --min-healthy: must be a whole number of servers from 0 to 1000000, "
            "not '-1' (see --help)\n");
  EXPECT_EQ(Sonde({"health", "--min-healthy", "1.5"}).exit_code, 2);
  EXPECT_EQ(Sonde({"health", "--min-healthy", "99999999999"}).exit_code, 2);
  RunResult zero_age = Sonde({"health", "--max-age", "0s"});
  EXPECT_EQ(zero_age.exit_code, 2);
  EXPECT_EQ(zero_age.err, "sonde: error: --max-age must be above zero\n");
  const std::string inverted = WriteRules("[thresholds.cpu]\nwarning = 90\ncritical = 80\n");
  RunResult rules = Sonde({"health", "--rules", inverted});
  EXPECT_EQ(rules.exit_code, 2);
  EXPECT_EQ(rules.err, "sonde: error: " + inverted +
                           ":2:11: thresholds.cpu.warning: 90 is above critical 80\n");
  TempDir empty;
  RunResult r = RunBinary(BinaryPath("sonde"), {"health", "--db", empty.File("none")},
                          {{"HOME", home_.path()}, {"PATH", "/usr/bin:/bin"}});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("sonde: error:"), std::string::npos);
}

TEST_F(HealthCli, NoColourWhenNotATerminal) {
  RunResult r = Sonde({"health", "--color", "auto"});
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
  RunResult forced = Sonde({"health", "--color", "always", "--service", "StorageService"});
  EXPECT_NE(forced.out.find("\033[32mHealthy\033[0m"), std::string::npos) << forced.out;
}

TEST_F(HealthCli, SuccessRateReport) {
  // One target of six is down: 83 % answered, under the default QoS of 99 %,
  // so the report is printed and the exit status is 3, as sonde-poller's.
  RunResult r = Sonde({"report", "success-rate", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("sonde: QoS not met"), std::string::npos) << r.err;
  EXPECT_EQ(r.out,
            "application,version,targets,requests,successes,errors,success_rate_percent\n"
            "Cache2,1.0.1,2,200,196,4,98.00\n"
            "Roles,2.0,2,200,200,0,100.00\n"
            "Roles,2.1,1,50,25,25,50.00\n");
  RunResult json = Sonde({"report", "success-rate", "--format", "json", "--qos", "80"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"success_rate\""), std::string::npos);
  RunResult by_app =
      Sonde({"report", "success-rate", "--by", "application", "--format", "csv", "--qos", "80"});
  EXPECT_EQ(by_app.exit_code, 0) << by_app.err;
  EXPECT_EQ(by_app.out,
            "application,targets,requests,successes,errors,success_rate_percent\n"
            "Cache2,2,200,196,4,98.00\n"
            "Roles,3,250,225,25,90.00\n");
  EXPECT_EQ(Sonde({"report", "success-rate", "--by", "application,application"}).exit_code, 2);
  EXPECT_EQ(Sonde({"report", "success-rate", "--by", "targets"}).exit_code, 2);
}

}  // namespace
}  // namespace sonde::health

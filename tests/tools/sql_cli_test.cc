// `sonde sql` through the real binary against the QueryFixture store
// (query_fixture.h has the data; "now" is 12:05:00).
#include <gtest/gtest.h>

#include "query_fixture.h"

namespace sonde::testing {
namespace {

using SqlCli = QueryFixture;

TEST_F(SqlCli, SelectPrintsATable) {
  RunResult r = Sonde(
      {"sql", "SELECT host, value, age_s FROM latest WHERE metric = 'cpu' ORDER BY value DESC"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "host    value  age_s\n"
            "web-01     90     30\n"
            "web-02     75    105\n"
            "web-01      5     60\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(SqlCli, TagColumnsGroupAndCompare) {
  RunResult r = Sonde({"sql",
                       "SELECT dc, count(*) AS n, sum(value) AS total FROM latest "
                       "WHERE metric = 'cpu' GROUP BY dc ORDER BY dc",
                       "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "dc,n,total\neast,2,95\nwest,1,75\n");
  r = Sonde(
      {"sql", "SELECT host, core FROM latest WHERE CAST(core AS INTEGER) > 0", "--format", "csv"});
  EXPECT_EQ(r.out, "host,core\nweb-01,1\n");
}

// Tags are text, as sent: the poller keeps version "2.0" as text on purpose.
TEST_F(SqlCli, TagValuesStayText) {
  WriteLatest("app-1", "up", {{"version", "2.0"}, {"n", "007"}}, 1, kT0);
  WriteLatest("app-2", "up", {{"version", "2.0.1"}, {"n", "7"}}, 1, kT0);
  RunResult r =
      Sonde({"sql", "SELECT count(*) AS c FROM latest WHERE version = '2.0'", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "c\n1\n");
  r = Sonde({"sql",
             "SELECT host, n, typeof(version) AS t FROM latest WHERE n IS NOT NULL "
             "ORDER BY host",
             "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"columns":["host","n","t"],"rows":[)"
                   R"({"host":"app-1","n":"007","t":"text"},{"host":"app-2","n":"7","t":"text"}]})"
                   "\n");
}

// One emitter tagging Service=X must not take the fleet's service column.
TEST_F(SqlCli, MixedCaseTagKeysShareOneColumn) {
  WriteLatest("app-1", "cpu", {{"service", "auth"}}, 10, kT0);
  WriteLatest("app-2", "cpu", {{"service", "auth"}}, 20, kT0);
  WriteLatest("app-3", "cpu", {{"Service", "X"}}, 30, kT0);
  RunResult r = Sonde({"sql", "--tables", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("latest,service,tag\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Service"), std::string::npos) << r.out;
  r = Sonde({"sql",
             "SELECT service, count(*) AS n FROM latest WHERE metric = 'cpu' AND service "
             "IS NOT NULL GROUP BY service ORDER BY n DESC",
             "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "service,n\nauth,2\nX,1\n");
}

TEST_F(SqlCli, HostsLookingBackLeaveOutHostsNotSeenYet) {
  RunResult r = SondeRaw({"sql", "SELECT host, age_s FROM hosts ORDER BY host", "--db", db(),
                          "--now", "2024-05-01T12:04:00Z", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // web-01 (first seen 12:04:00) is in, last seen after: age 0; web-02 is in.
  EXPECT_EQ(r.out, "host,age_s\ndb-01,190\nweb-01,0\nweb-02,45\n");
  r = SondeRaw({"sql", "SELECT host FROM hosts ORDER BY host", "--db", db(), "--now",
                "2024-05-01T12:03:00Z", "--format", "csv"});
  EXPECT_EQ(r.out, "host\ndb-01\n");
}

TEST_F(SqlCli, JoinsHostsAndJson) {
  RunResult r = Sonde({"sql",
                       "SELECT h.host, h.series, l.value FROM hosts h LEFT JOIN latest l "
                       "ON l.host = h.host AND l.metric = 'disk.free' ORDER BY h.host",
                       "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"columns":["host","series","value"],"rows":[)"
                   R"({"host":"db-01","series":1,"value":0.25},)"
                   R"({"host":"web-01","series":4,"value":null},)"
                   R"({"host":"web-02","series":1,"value":null}]})"
                   "\n");
}

TEST_F(SqlCli, TablesListsEveryColumn) {
  RunResult r = Sonde({"sql", "--tables", "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "table,column,type\n"
            "latest,host,TEXT\nlatest,metric,TEXT\nlatest,kind,TEXT\nlatest,value,REAL\n"
            "latest,time_ms,INTEGER\nlatest,age_s,REAL\nlatest,tags,TEXT\n"
            "latest,core,tag\nlatest,dc,tag\nlatest,role,tag\n"
            "hosts,host,TEXT\nhosts,first_seen_ms,INTEGER\nhosts,last_seen_ms,INTEGER\n"
            "hosts,age_s,REAL\nhosts,series,INTEGER\n");
}

TEST_F(SqlCli, ErrorsAreUsageErrors) {
  RunResult r = Sonde({"sql", "DELETE FROM latest"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(
      r.err,
      "sonde: error: sonde sql is read-only: only SELECT (and WITH ... SELECT) queries run\n");
  r = Sonde({"sql", "SELECT nope FROM latest"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sonde: error: SQL: no such column: nope\n");
  r = Sonde({"sql"});  // stdin is /dev/null: nothing to run.
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sonde: error: no SQL given\n");
  r = Sonde({"sql", "--sql-timeout", "50ms",
             "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
             "SELECT count(*) FROM c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "sonde: error: SQL: interrupted after 50 ms (--sql-timeout)\n");
}

// NULL is "-" in a table, as every missing value of sonde (docs/query.md,
// "Output"), an empty CSV field, and null in JSON. db-01 has no core tag
// and no cpu.
TEST_F(SqlCli, NullIsADashInTablesOnly) {
  const std::string query =
      "SELECT host, max(core) AS core, avg(CASE WHEN metric = 'cpu' THEN value END) AS cpu "
      "FROM latest GROUP BY host ORDER BY host";
  RunResult r = Sonde({"sql", query});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "host    core   cpu\n"
            "db-01   -        -\n"
            "web-01  1     47.5\n"
            "web-02  0       75\n");
  r = Sonde({"sql", query, "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "host,core,cpu\ndb-01,,\nweb-01,1,47.5\nweb-02,0,75\n");
  r = Sonde({"sql", query, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"({"host":"db-01","core":null,"cpu":null})"), std::string::npos)
      << r.out;
  // An empty string is a value: it stays empty.
  r = Sonde({"sql", "SELECT '' AS blank, NULL AS missing"});
  EXPECT_EQ(r.out, "blank  missing\n             -\n");
}

TEST_F(SqlCli, EmptyResultNotesIt) {
  RunResult r = Sonde({"sql", "SELECT host FROM latest WHERE value > 1e12"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "host\n");
  EXPECT_EQ(r.err, "sonde: no rows\n");
}

}  // namespace
}  // namespace sonde::testing

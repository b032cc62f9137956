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

TEST_F(SqlCli, TagColumnsGroupAndCompareAsNumbers) {
  RunResult r = Sonde({"sql",
                       "SELECT dc, count(*) AS n, sum(value) AS total FROM latest "
                       "WHERE metric = 'cpu' GROUP BY dc ORDER BY dc",
                       "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "dc,n,total\neast,2,95\nwest,1,75\n");
  r = Sonde({"sql", "SELECT host, core FROM latest WHERE core > 0", "--format", "csv"});
  EXPECT_EQ(r.out, "host,core\nweb-01,1\n");
}

TEST_F(SqlCli, JoinsHostsAndJson) {
  RunResult r = Sonde({"sql",
                       "SELECT h.host, h.series, l.value FROM hosts h LEFT JOIN latest l "
                       "ON l.host = h.host AND l.metric = 'disk.free' ORDER BY h.host",
                       "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            R"({"columns":["host","series","value"],"rows":[)"
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
  EXPECT_EQ(r.err,
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

TEST_F(SqlCli, EmptyResultNotesIt) {
  RunResult r = Sonde({"sql", "SELECT host FROM latest WHERE value > 1e12"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "host\n");
  EXPECT_EQ(r.err, "sonde: no rows\n");
}

}  // namespace
}  // namespace sonde::testing

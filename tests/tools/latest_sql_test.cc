// LatestSql: the tables it builds from the latest state, and what it refuses.
#include "latest_sql.h"

#include <gtest/gtest.h>

namespace sonde::tools {
namespace {

LatestState Row(std::string host, std::string name, Tags tags, double value, int64_t ts) {
  LatestState s;
  s.key = SeriesKey::Make(std::move(host), std::move(name), std::move(tags)).value();
  s.value = value;
  s.timestamp_ms = ts;
  return s;
}

std::unique_ptr<LatestSql> Load(const std::vector<LatestState>& rows,
                                const std::vector<HostInfo>& hosts = {}) {
  auto sql = LatestSql::Load(rows, hosts, 10000);
  EXPECT_TRUE(sql.has_value()) << sql.status().ToString();
  return std::move(sql).value();
}

SqlResult RunOne(LatestSql& sql, const std::string& query) {
  auto results = sql.Run(query, std::chrono::seconds(10));
  EXPECT_TRUE(results.has_value()) << results.status().ToString();
  EXPECT_EQ(results->size(), 1u);
  return results->empty() ? SqlResult{} : (*results)[0];
}

TEST(LatestSql, TagKeysBecomeColumnsAndClashesArePrefixed) {
  auto sql = Load({Row("a", "cpu", {{"Value", "x"}, {"dc", "east"}, {"tag_Value", "y"}}, 1, 0)});
  std::vector<std::string> names;
  for (const SqlColumnInfo& c : sql->tables()[0].columns) names.push_back(c.name);
  // "Value" clashes with value (names ignore case) and "tag_Value" is then taken.
  EXPECT_EQ(names, (std::vector<std::string>{"host", "metric", "kind", "value", "time_ms", "age_s",
                                             "tags", "dc", "tag_Value", "tag_Value_2"}));
  SqlResult r = RunOne(*sql, "SELECT tag_Value_2, dc, \"tag_Value\", tags FROM latest");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(SqlValueText(r.rows[0][0]), "x");
  EXPECT_EQ(SqlValueText(r.rows[0][1]), "east");
  EXPECT_EQ(SqlValueText(r.rows[0][2]), "y");
  EXPECT_EQ(SqlValueText(r.rows[0][3]), R"({"Value":"x","dc":"east","tag_Value":"y"})");
}

TEST(LatestSql, MixedCaseKeysShareTheLowercaseColumn) {
  auto sql = Load({Row("a", "cpu", {{"service", "auth"}}, 1, 0),
                   Row("b", "cpu", {{"service", "auth"}}, 2, 0),
                   Row("c", "cpu", {{"Service", "X"}}, 3, 0)});
  std::vector<std::string> names;
  for (const SqlColumnInfo& c : sql->tables()[0].columns) names.push_back(c.name);
  EXPECT_EQ(names.back(), "service");
  EXPECT_EQ(names.size(), 8u);
  SqlResult r =
      RunOne(*sql, "SELECT service, count(*) FROM latest GROUP BY service ORDER BY service");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], (std::vector<SqlValue>{std::string("X"), int64_t{1}}));
  EXPECT_EQ(r.rows[1], (std::vector<SqlValue>{std::string("auth"), int64_t{2}}));
}

TEST(LatestSql, TagValuesStayText) {
  auto sql = Load({Row("a", "up", {{"version", "2.0"}, {"n", "007"}}, 1, 0),
                   Row("b", "up", {{"version", "2.0.1"}, {"n", "10"}}, 1, 0),
                   Row("c", "up", {{"version", "1.5"}, {"n", "9"}}, 1, 0)});
  SqlResult r = RunOne(*sql, "SELECT host, typeof(version), n FROM latest WHERE version = '2.0'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0],
            (std::vector<SqlValue>{std::string("a"), std::string("text"), std::string("007")}));
  // Compared with a number, a tag column is still text: the number becomes
  // text too. CAST compares numbers.
  EXPECT_EQ(RunOne(*sql, "SELECT host FROM latest WHERE n = 7").rows.size(), 0u);
  r = RunOne(*sql, "SELECT host FROM latest WHERE CAST(n AS INTEGER) > 8 ORDER BY host");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0][0], SqlValue(std::string("b")));
  EXPECT_EQ(r.rows[1][0], SqlValue(std::string("c")));
  // The numeric columns stay numbers.
  EXPECT_EQ(RunOne(*sql, "SELECT DISTINCT typeof(value) FROM latest").rows[0][0],
            SqlValue(std::string("real")));
}

TEST(LatestSql, HostsTableCountsSeriesAndAges) {
  auto sql =
      Load({Row("a", "cpu", {}, 1, 4000), Row("a", "mem", {}, 2, 5000)},
           {HostInfo{"a", 1000, 5000}, HostInfo{"b", 2000, 2500}, HostInfo{"c", 2000, 12000}});
  SqlResult r = RunOne(*sql, "SELECT host, series, age_s FROM hosts ORDER BY host");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0], (std::vector<SqlValue>{std::string("a"), int64_t{2}, 5.0}));
  EXPECT_EQ(r.rows[1], (std::vector<SqlValue>{std::string("b"), int64_t{0}, 7.5}));
  // Seen after "now" (10 s): age 0, not negative.
  EXPECT_EQ(r.rows[2], (std::vector<SqlValue>{std::string("c"), int64_t{0}, 0.0}));
}

TEST(LatestSql, SeveralStatementsGiveSeveralResults) {
  auto sql = Load({Row("a", "cpu", {}, 1, 0)});
  auto results = sql->Run("SELECT 1; -- a comment\n SELECT 'x' AS y;  ", std::chrono::seconds(1));
  ASSERT_TRUE(results.has_value()) << results.status().ToString();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[1].columns, std::vector<std::string>{"y"});
}

TEST(LatestSql, RefusesAnythingButReading) {
  auto sql = Load({Row("a", "cpu", {}, 1, 0)});
  for (const char* query :
       {"DELETE FROM latest", "UPDATE latest SET value = 0", "DROP TABLE latest",
        "CREATE TABLE t (x)", "ATTACH DATABASE '/tmp/sonde-sql-test.db' AS x",
        "PRAGMA writable_schema = 1", "INSERT INTO hosts VALUES ('x', 0, 0, 0, 0)"}) {
    auto results = sql->Run(query, std::chrono::seconds(1));
    ASSERT_FALSE(results.has_value()) << query;
    EXPECT_TRUE(results.error().IsInvalidArgument()) << query;
  }
  // Still all there.
  EXPECT_EQ(RunOne(*sql, "SELECT count(*) FROM latest").rows[0][0], SqlValue(int64_t{1}));
}

TEST(LatestSql, SyntaxErrorsNameTheProblem) {
  auto sql = Load({});
  auto results = sql->Run("SELEC 1", std::chrono::seconds(1));
  ASSERT_FALSE(results.has_value());
  EXPECT_NE(results.error().message().find("syntax error"), std::string::npos)
      << results.error().message();
}

TEST(LatestSql, RunawayQueriesAreInterrupted) {
  auto sql = Load({});
  auto results = sql->Run(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
      std::chrono::milliseconds(100));
  ASSERT_FALSE(results.has_value());
  EXPECT_NE(results.error().message().find("interrupted"), std::string::npos)
      << results.error().message();
  // The next query runs normally.
  EXPECT_EQ(RunOne(*sql, "SELECT 2").rows[0][0], SqlValue(int64_t{2}));
}

TEST(LatestSql, ValuesPrintInTheirShortestForm) {
  EXPECT_EQ(SqlValueText(SqlValue{}), "");
  EXPECT_EQ(SqlValueText(SqlValue(int64_t{-3})), "-3");
  EXPECT_EQ(SqlValueText(SqlValue(95.0)), "95");
  EXPECT_EQ(SqlValueText(SqlValue(0.1)), "0.1");
  EXPECT_EQ(SqlValueText(SqlValue(2.5e9)), "2500000000");
}

}  // namespace
}  // namespace sonde::tools

// LatestSql: SQL over the latest state of a fleet, as Qasino offered
// (docs/query.md, "sonde sql"). The rows are loaded into a private
// in-memory SQLite database, so any SELECT works: joins, GROUP BY, window
// functions, json_extract. Tables:
//
//   latest  host, metric, kind, value, time_ms, age_s, tags (a JSON object),
//           then one TEXT column per tag key seen (its value as sent, NULL
//           where a series lacks it); sql_tag_columns.h names them.
//   hosts   host, first_seen_ms, last_seen_ms, age_s, series (the hosts as
//           given; age_s is HostAgeMs, never negative)
//
// Only reading is allowed (an authorizer refuses every other action, so
// ATTACH cannot write files), and a statement runs at most `timeout`.
//
// Thread-safety: one thread at a time.
#ifndef SONDE_TOOLS_SONDE_LATEST_SQL_H_
#define SONDE_TOOLS_SONDE_LATEST_SQL_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sonde/latest_state.h"
#include "sonde/status.h"

struct sqlite3;

namespace sonde::tools {

// A cell of a result: NULL, an integer, a real or text (blobs come as text).
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
};

struct SqlColumnInfo {
  std::string name;
  std::string type;  // "TEXT", "REAL", "INTEGER", or "" for tag columns (TEXT).
};

struct SqlTableInfo {
  std::string name;
  std::vector<SqlColumnInfo> columns;
};

class LatestSql {
 public:
  // Loads the rows. `now_ms` is what age_s counts from.
  static Result<std::unique_ptr<LatestSql>> Load(const std::vector<LatestState>& latest,
                                                 const std::vector<HostInfo>& hosts,
                                                 int64_t now_ms);
  ~LatestSql();
  LatestSql(const LatestSql&) = delete;
  LatestSql& operator=(const LatestSql&) = delete;

  // Runs every statement of `sql` in turn and returns one result per
  // statement that yields columns. InvalidArgument for SQL errors (with
  // SQLite's message), for anything but reading ("read-only") and when a
  // statement runs longer than `timeout` ("interrupted").
  Result<std::vector<SqlResult>> Run(std::string_view sql, std::chrono::milliseconds timeout);

  // The tables and their columns, in order.
  const std::vector<SqlTableInfo>& tables() const { return tables_; }

 private:
  LatestSql() = default;
  Status Create(const std::vector<LatestState>& latest, const std::vector<HostInfo>& hosts,
                int64_t now_ms);

  sqlite3* db_ = nullptr;
  std::vector<SqlTableInfo> tables_;
};

// A cell as text: "" for NULL, integers as is, reals in their shortest
// round-trip form.
std::string SqlValueText(const SqlValue& value);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_LATEST_SQL_H_

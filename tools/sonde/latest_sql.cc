#include "latest_sql.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "hosts_command.h"
#include "sql_tag_columns.h"

namespace sonde::tools {

namespace {

std::string QuoteName(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Status SqliteError(sqlite3* db, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}: {}", what, sqlite3_errmsg(db)));
}

// RAII for a prepared statement.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
};

double AgeSeconds(int64_t now_ms, int64_t then_ms) {
  return static_cast<double>(now_ms - then_ms) / 1000.0;
}

// Lets a query read, call functions and use CTEs; nothing else.
int ReadOnlyAuthorizer(void*, int action, const char*, const char*, const char*, const char*) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    default:
      return SQLITE_DENY;
  }
}

struct Deadline {
  std::chrono::steady_clock::time_point at;
};

int CheckDeadline(void* arg) {
  return std::chrono::steady_clock::now() > static_cast<Deadline*>(arg)->at ? 1 : 0;
}

SqlValue ColumnValue(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      return std::monostate{};
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, i);
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return std::string(text == nullptr ? "" : text,
                         static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
    }
  }
}

}  // namespace

Result<std::unique_ptr<LatestSql>> LatestSql::Load(const std::vector<LatestState>& latest,
                                                   const std::vector<HostInfo>& hosts,
                                                   int64_t now_ms) {
  std::unique_ptr<LatestSql> sql(new LatestSql());
  if (Status s = sql->Create(latest, hosts, now_ms); !s.ok()) return s;
  return sql;
}

LatestSql::~LatestSql() { sqlite3_close(db_); }

Status LatestSql::Create(const std::vector<LatestState>& latest,
                         const std::vector<HostInfo>& hosts, int64_t now_ms) {
  if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    return Status::IOError("cannot open an in-memory SQLite database");
  }
  sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, 0);

  // The latest table: fixed columns, then one per tag key (sql_tag_columns.h).
  SqlTableInfo table{"latest",
                     {{"host", "TEXT"},
                      {"metric", "TEXT"},
                      {"kind", "TEXT"},
                      {"value", "REAL"},
                      {"time_ms", "INTEGER"},
                      {"age_s", "REAL"},
                      {"tags", "TEXT"}}};
  std::vector<std::string> fixed;
  for (const SqlColumnInfo& c : table.columns) fixed.push_back(c.name);
  const SqlTagColumns tag_columns(latest, fixed);
  for (const std::string& name : tag_columns.names()) table.columns.push_back({name, ""});
  std::string ddl = "CREATE TABLE latest (";
  std::string insert = "INSERT INTO latest VALUES (";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    // Tag columns are TEXT: tags are strings ("2.0", "007" stay as sent).
    const std::string type = table.columns[i].type.empty() ? "TEXT" : table.columns[i].type;
    ddl += (i ? ", " : "") + QuoteName(table.columns[i].name) + " " + type;
    insert += i ? ", ?" : "?";
  }
  ddl += ");CREATE TABLE hosts (host TEXT, first_seen_ms INTEGER, last_seen_ms INTEGER, "
         "age_s REAL, series INTEGER);BEGIN";
  insert += ")";
  tables_ = {table, {"hosts",
                     {{"host", "TEXT"},
                      {"first_seen_ms", "INTEGER"},
                      {"last_seen_ms", "INTEGER"},
                      {"age_s", "REAL"},
                      {"series", "INTEGER"}}}};
  if (sqlite3_exec(db_, ddl.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "creating the tables");
  }

  Statement add;
  if (sqlite3_prepare_v2(db_, insert.c_str(), -1, &add.stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "preparing the load");
  }
  std::map<std::string, int64_t> series_of_host;
  for (const LatestState& row : latest) {
    sqlite3_reset(add.stmt);
    sqlite3_clear_bindings(add.stmt);
    const SeriesKey& key = row.key;
    nlohmann::json tags = nlohmann::json::object();
    for (const Tag& t : key.tags()) tags[t.key] = t.value;
    const std::string tags_json = tags.dump();
    sqlite3_bind_text(add.stmt, 1, key.host().data(), static_cast<int>(key.host().size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(add.stmt, 2, key.name().data(), static_cast<int>(key.name().size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(add.stmt, 3, MetricKindName(row.kind), -1, SQLITE_STATIC);
    sqlite3_bind_double(add.stmt, 4, row.value);
    sqlite3_bind_int64(add.stmt, 5, row.timestamp_ms);
    sqlite3_bind_double(add.stmt, 6, AgeSeconds(now_ms, row.timestamp_ms));
    sqlite3_bind_text(add.stmt, 7, tags_json.data(), static_cast<int>(tags_json.size()),
                      SQLITE_TRANSIENT);
    for (const auto& [column, value] : tag_columns.ValuesOf(key.tags())) {
      sqlite3_bind_text(add.stmt, static_cast<int>(fixed.size() + column + 1), value.data(),
                        static_cast<int>(value.size()), SQLITE_TRANSIENT);
    }
    if (sqlite3_step(add.stmt) != SQLITE_DONE) return SqliteError(db_, "loading the latest state");
    ++series_of_host[key.host()];
  }

  Statement add_host;
  if (sqlite3_prepare_v2(db_, "INSERT INTO hosts VALUES (?, ?, ?, ?, ?)", -1, &add_host.stmt,
                         nullptr) != SQLITE_OK) {
    return SqliteError(db_, "preparing the load");
  }
  for (const HostInfo& h : hosts) {
    sqlite3_reset(add_host.stmt);
    sqlite3_bind_text(add_host.stmt, 1, h.host.data(), static_cast<int>(h.host.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(add_host.stmt, 2, h.first_seen_ms);
    sqlite3_bind_int64(add_host.stmt, 3, h.last_seen_ms);
    sqlite3_bind_double(add_host.stmt, 4, static_cast<double>(HostAgeMs(h, now_ms)) / 1000.0);
    sqlite3_bind_int64(add_host.stmt, 5, series_of_host[h.host]);
    if (sqlite3_step(add_host.stmt) != SQLITE_DONE) return SqliteError(db_, "loading the hosts");
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "loading");
  }
  sqlite3_set_authorizer(db_, ReadOnlyAuthorizer, nullptr);
  return Status::OK();
}

Result<std::vector<SqlResult>> LatestSql::Run(std::string_view sql,
                                              std::chrono::milliseconds timeout) {
  Deadline deadline{std::chrono::steady_clock::now() + timeout};
  // Checked every 10,000 virtual machine steps: cheap, and prompt enough.
  sqlite3_progress_handler(db_, 10000, CheckDeadline, &deadline);
  struct Unset {
    sqlite3* db;
    ~Unset() { sqlite3_progress_handler(db, 0, nullptr, nullptr); }
  } unset{db_};
  std::vector<SqlResult> results;
  const std::string text(sql);
  const char* next = text.c_str();
  while (*next != '\0') {
    Statement st;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db_, next, -1, &st.stmt, &tail) != SQLITE_OK) {
      const std::string message = sqlite3_errmsg(db_);
      if (message.find("not authorized") != std::string::npos) {
        return Status::InvalidArgument(
            "sonde sql is read-only: only SELECT (and WITH ... SELECT) queries run");
      }
      return Status::InvalidArgument("SQL: " + message);
    }
    next = tail;
    if (st.stmt == nullptr) continue;  // Whitespace or a comment.
    SqlResult result;
    const int n = sqlite3_column_count(st.stmt);
    for (int i = 0; i < n; ++i) result.columns.emplace_back(sqlite3_column_name(st.stmt, i));
    int rc;
    while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
      std::vector<SqlValue> row;
      row.reserve(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) row.push_back(ColumnValue(st.stmt, i));
      result.rows.push_back(std::move(row));
    }
    if (rc == SQLITE_INTERRUPT) {
      return Status::InvalidArgument(
          fmt::format("SQL: interrupted after {} ms (--sql-timeout)", timeout.count()));
    }
    if (rc != SQLITE_DONE) return Status::InvalidArgument(std::string("SQL: ") + sqlite3_errmsg(db_));
    if (n > 0) results.push_back(std::move(result));
  }
  return results;
}

std::string SqlValueText(const SqlValue& value) {
  if (std::holds_alternative<int64_t>(value)) return std::to_string(std::get<int64_t>(value));
  if (std::holds_alternative<double>(value)) return fmt::format("{}", std::get<double>(value));
  if (std::holds_alternative<std::string>(value)) return std::get<std::string>(value);
  return "";
}

}  // namespace sonde::tools

#include "sql_command.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hosts_command.h"
#include "latest_sql.h"
#include "query_flags.h"
#include "query_output.h"
#include "query_source.h"

namespace sonde::tools {

namespace {

struct SqlArgs {
  QueryFlags flags;
  std::string query;
  std::string file;
  bool tables = false;
  int64_t sql_timeout_ms = 10000;
};

// The SQL to run: the argument, else --file (- for standard input), else
// standard input when it is not a terminal.
Result<std::string> ReadQuery(const SqlArgs& args) {
  if (!args.query.empty()) return args.query;
  if (args.file == "-" || (args.file.empty() && isatty(STDIN_FILENO) == 0)) {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  if (args.file.empty()) {
    return Status::InvalidArgument(
        "give a query, e.g. sonde sql \"SELECT host, value FROM latest WHERE metric = 'cpu'\" "
        "(--tables lists the tables)");
  }
  std::ifstream in(args.file);
  if (!in) return Status::InvalidArgument("cannot read --file " + args.file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool IsNumber(const SqlValue& v) {
  return std::holds_alternative<int64_t>(v) || std::holds_alternative<double>(v);
}

// A NULL is "-" in tables, like every missing value of `sonde`, and an empty
// CSV field (JSON keeps null): an empty table cell would look like ''.
std::string CellText(const SqlValue& v, bool csv) {
  if (std::holds_alternative<std::monostate>(v) && !csv) return "-";
  return SqlValueText(v);
}

Table ResultTable(const SqlResult& result, bool csv) {
  std::vector<TableColumn> columns;
  for (size_t c = 0; c < result.columns.size(); ++c) {
    TableColumn column(result.columns[c]);
    column.Csv(result.columns[c]);
    bool numeric = !result.rows.empty();
    for (const auto& row : result.rows) {
      if (!std::holds_alternative<std::monostate>(row[c]) && !IsNumber(row[c])) numeric = false;
    }
    if (numeric) column.Right();
    columns.push_back(std::move(column));
  }
  Table table(std::move(columns));
  for (const auto& row : result.rows) {
    std::vector<std::string> cells;
    cells.reserve(row.size());
    for (const SqlValue& v : row) cells.push_back(CellText(v, csv));
    table.AddRow(std::move(cells));
  }
  return table;
}

nlohmann::ordered_json ValueJson(const SqlValue& v) {
  if (std::holds_alternative<int64_t>(v)) return std::get<int64_t>(v);
  if (std::holds_alternative<double>(v)) return std::get<double>(v);
  if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
  return nullptr;
}

// {"columns": [...], "rows": [{column: value, ...}]}, columns in order.
void PrintResultJson(const SqlResult& result) {
  nlohmann::ordered_json doc;
  doc["columns"] = result.columns;
  doc["rows"] = nlohmann::ordered_json::array();
  for (const auto& row : result.rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (size_t c = 0; c < row.size(); ++c) object[result.columns[c]] = ValueJson(row[c]);
    doc["rows"].push_back(std::move(object));
  }
  PrintOut(doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

void PrintTables(const LatestSql& sql, const OutputSettings& out) {
  if (out.format == OutputFormat::kJson) {
    nlohmann::ordered_json doc;
    doc["tables"] = nlohmann::ordered_json::array();
    for (const SqlTableInfo& t : sql.tables()) {
      nlohmann::ordered_json columns = nlohmann::ordered_json::array();
      for (const SqlColumnInfo& c : t.columns) columns.push_back({{"name", c.name}, {"type", c.type}});
      doc["tables"].push_back({{"name", t.name}, {"columns", std::move(columns)}});
    }
    PrintOut(doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
    return;
  }
  Table table({TableColumn("TABLE").Csv("table"), TableColumn("COLUMN").Csv("column"),
               TableColumn("TYPE").Csv("type")});
  for (const SqlTableInfo& t : sql.tables()) {
    for (const SqlColumnInfo& c : t.columns) {
      table.AddRow({t.name, c.name, c.type.empty() ? "tag" : c.type});
    }
  }
  PrintTable(table, out);
}

int RunSql(const SqlArgs& args) {
  const OutputSettings out = ResolveOutput(args.flags);
  std::string query;
  if (!args.tables) {
    auto text = ReadQuery(args);
    if (!text) return Fail(text.error());
    query = std::move(*text);
    if (query.find_first_not_of(" \t\r\n;") == std::string::npos) {
      return Fail(Status::InvalidArgument("no SQL given"));
    }
  }
  auto source = OpenQuerySource(args.flags);
  if (!source) return Fail(source.error());
  std::vector<HostInfo> hosts;
  std::vector<LatestState> latest;
  if (Status s = (*source)->ListHosts(&hosts); !s.ok()) return Fail(s);
  if (Status s = (*source)->ReadLatest(LatestQuery{}, &latest); !s.ok()) return Fail(s);
  if (out.now_given) DropHostsNotSeenBy(out.now_ms, &hosts);
  auto sql = LatestSql::Load(latest, hosts, out.now_ms);
  if (!sql) return Fail(sql.error());
  if (args.tables) {
    PrintTables(**sql, out);
    return kExitOk;
  }
  auto results = (*sql)->Run(query, std::chrono::milliseconds(args.sql_timeout_ms));
  if (!results) return Fail(results.error());
  for (size_t i = 0; i < results->size(); ++i) {
    const SqlResult& result = (*results)[i];
    if (out.format == OutputFormat::kJson) {
      PrintResultJson(result);
      continue;
    }
    if (i > 0) PrintOut("\n");
    PrintTable(ResultTable(result, out.format == OutputFormat::kCsv), out);
    if (result.rows.empty() && out.format == OutputFormat::kTable) Note("no rows");
  }
  return kExitOk;
}

}  // namespace

Command AddSqlCommand(CLI::App& parent) {
  auto args = std::make_shared<SqlArgs>();
  CLI::App* app = parent.add_subcommand(
      "sql",
      "Run SQL (SQLite, read-only) over the latest state: tables latest (one row per series, a "
      "column per tag key) and hosts.");
  app->add_option("query", args->query, "The SQL; several statements run in turn")
      ->type_name("SQL");
  app->add_option("--file", args->file, "Read the SQL from this file (- for standard input)")
      ->type_name("FILE");
  app->add_flag("--tables", args->tables, "List the tables and their columns, then exit");
  app->add_option("--sql-timeout", args->sql_timeout_ms,
                  "Stop a statement that runs longer than this (default 10s)")
      ->type_name("DURATION")
      ->transform(PositiveDurationMs());
  AddQueryFlags(app, &args->flags);
  return Command{app, [args] { return RunSql(*args); }};
}

}  // namespace sonde::tools

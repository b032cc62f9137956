#include "latest_command.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "latest_view.h"
#include "query_flags.h"
#include "query_output.h"
#include "query_source.h"

namespace sonde::tools {

namespace {

struct LatestArgs {
  QueryFlags flags;
  std::string host;
  std::string metric;
  std::vector<std::string> where;
  std::vector<std::string> columns;
  std::vector<std::string> sort;
  size_t limit = 0;
};

Status BuildView(const LatestArgs& args, LatestView* view) {
  SONDE_RETURN_IF_ERROR(view->SetColumns(args.columns));
  for (const std::string& w : args.where) SONDE_RETURN_IF_ERROR(view->AddWhere(w));
  SONDE_RETURN_IF_ERROR(view->SetSort(args.sort));
  view->set_limit(args.limit);
  return Status::OK();
}

// An empty answer with --metric: is the label unknown (an error) or are
// the conditions what left nothing (an empty table)?
Status CheckMetricKnown(QuerySource& source, const LatestArgs& args) {
  std::vector<LatestState> rows;
  SONDE_RETURN_IF_ERROR(source.ReadLatest(LatestQuery{args.host, args.metric, {}}, &rows));
  if (!rows.empty()) return Status::OK();
  SONDE_RETURN_IF_ERROR(source.ReadLatest(LatestQuery{args.host, "", {}}, &rows));
  std::set<std::string> names;
  for (const LatestState& row : rows) names.insert(row.key.name());
  const std::vector<std::string> known(names.begin(), names.end());
  const std::string where = args.host.empty() ? "" : " on host '" + args.host + "'";
  return Status::NotFound("no metric matching '" + args.metric + "'" + where + " (" +
                          (known.empty() ? "no series yet" : "known: " + KnownList(known)) + ")");
}

int RunLatest(const LatestArgs& args) {
  const OutputSettings out = ResolveOutput(args.flags);
  LatestView view;
  if (Status s = BuildView(args, &view); !s.ok()) return Fail(s);
  auto source = OpenQuerySource(args.flags);
  if (!source) return Fail(source.error());
  std::vector<LatestState> rows;
  Status s = (*source)->ReadLatest(LatestQuery{args.host, args.metric, view.StoreWhere()}, &rows);
  if (s.IsNotFound() && !args.host.empty()) s = UnknownHost(**source, args.host);
  if (s.ok() && rows.empty() && !args.metric.empty()) s = CheckMetricKnown(**source, args);
  if (!s.ok()) return Fail(s);
  view.Apply(&rows, out.now_ms);
  if (out.format == OutputFormat::kJson) {
    PrintJson(view.ToJson(rows, out.now_ms));
  } else {
    PrintTable(view.ToTable(rows, out), out);
  }
  if (rows.empty() && out.format == OutputFormat::kTable) Note("no series match");
  return kExitOk;
}

}  // namespace

Command AddLatestCommand(CLI::App& parent) {
  auto args = std::make_shared<LatestArgs>();
  CLI::App* app = parent.add_subcommand(
      "latest", "Show the latest value of every series as a table; filter, pick columns, sort.");
  app->add_option("--host", args->host, "Only this host (exact name)");
  app->add_option("--metric", args->metric, "Only metrics whose name contains this (any case)")
      ->type_name("LABEL");
  app->add_option("--where", args->where,
                  "Condition COLUMN OP VALUE, OP one of = != ~ < <= > >= (repeatable; all must "
                  "hold), e.g. dc=east, value>90, age>5m, host~web")
      ->type_name("COND")
      ->allow_extra_args(false);
  app->add_option("--columns", args->columns,
                  "Columns to show, comma-separated: host metric tags kind value time age, or "
                  "any tag key")
      ->type_name("LIST")
      ->allow_extra_args(false)
      ->delimiter(',');
  app->add_option("--sort", args->sort, "Sort by these columns; -COLUMN for descending")
      ->type_name("LIST")
      ->allow_extra_args(false)
      ->delimiter(',');
  app->add_option("--limit", args->limit, "Print at most N rows (after sorting; 0: all)");
  AddQueryFlags(app, &args->flags);
  return Command{app, [args] { return RunLatest(*args); }};
}

}  // namespace sonde::tools

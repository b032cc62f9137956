#include "get_command.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "query_flags.h"
#include "query_output.h"
#include "query_source.h"
#include "sonde/units.h"
#include "sparkline.h"
#include "table.h"
#include "text_format.h"
#include "trend.h"

namespace sonde::tools {

namespace {

struct GetArgs {
  QueryFlags flags;
  std::string host;
  std::string label;
  std::string resolution = "minute";
  int64_t since_ms = 0;  // 0: one hour of minutes, one day of hours.
  bool windows = false;
};

constexpr int64_t kMaxTrendSlots = 1024;

struct GetQuery {
  RollupQuery query;
  int64_t since_ms = 0;
};

// Windows overlapping [now - since, now + one window), as the HTTP API
// answers `since`, so that --db and --url select the same windows.
GetQuery MakeQuery(const GetArgs& args, int64_t now_ms) {
  GetQuery q;
  q.query.host = args.host;
  q.query.label = args.label;
  ParseResolution(args.resolution, &q.query.resolution);  // Checked by the flag.
  q.since_ms = args.since_ms > 0                           ? args.since_ms
               : q.query.resolution == Resolution::kMinute ? int64_t{3600000}
                                                           : int64_t{86400000};
  q.query.from_ms = AgeMs(now_ms, q.since_ms);  // Saturating now - since.
  q.query.to_ms = now_ms + ResolutionMs(q.query.resolution);
  return q;
}

// "12.5/s" for counters (their rate), the average otherwise.
std::string AvgCell(MetricKind kind, double avg, double rate) {
  return kind == MetricKind::kCounter ? FormatNumber(rate) + "/s" : FormatNumber(avg);
}

// The API's /api/v1/rollups document (summaries included).
Json GetJson(const GetQuery& q, std::vector<api::SeriesWindows> result) {
  api::RollupsResponse response;
  response.host = q.query.host;
  response.label = q.query.label;
  response.resolution = q.query.resolution;
  response.from_ms = q.query.from_ms;
  response.to_ms = q.query.to_ms;
  response.series = std::move(result);
  return response;
}

Table SummaryTable(const std::vector<api::SeriesWindows>& result, Resolution resolution) {
  Table table({
      TableColumn("METRIC").Shrink(4, 12),
      TableColumn("TAGS").Shrink(2, 10),
      TableColumn("KIND").Drop(3),
      TableColumn("COUNT").Right(),
      TableColumn("AVG").Right(),
      TableColumn("MIN").Right().Drop(5),
      TableColumn("MAX").Right(),
      TableColumn("P50").Right().Drop(4),
      TableColumn("P99").Right().Drop(6),
      TableColumn("TREND").Shrink(1, 10).KeepRight().Color("36"),
  });
  // One slot per window from the earliest start to the latest, shared by
  // every row so that the sparklines line up in time.
  int64_t first = std::numeric_limits<int64_t>::max();
  int64_t last = std::numeric_limits<int64_t>::min();
  for (const api::SeriesWindows& r : result) {
    for (const api::WindowStats& w : r.windows) {
      first = std::min(first, w.start_ms);
      last = std::max(last, w.start_ms);
    }
  }
  const int64_t step = ResolutionMs(resolution);
  // At most kMaxTrendSlots, the most recent: a trend wider than any
  // terminal is cut anyway, and a remote answer must not make us allocate
  // without bound.
  int64_t earliest = 0;
  if (!__builtin_sub_overflow(last, (kMaxTrendSlots - 1) * step, &earliest)) {
    first = std::max(first, earliest);
  }
  const size_t slots = static_cast<size_t>((last - first) / step + 1);
  for (const api::SeriesWindows& r : result) {
    const api::RangeSummary& s = r.summary;
    const MetricKind kind = r.series.kind;
    table.AddRow({r.series.key.name(), FormatTags(r.series.key.tags()), MetricKindName(kind),
                  std::to_string(s.count), AvgCell(kind, s.avg, s.rate), FormatNumber(s.min),
                  FormatNumber(s.max), FormatNumber(s.p50), FormatNumber(s.p99),
                  Sparkline(TrendSlots(r.windows, kind, first, step, slots))});
  }
  return table;
}

Table WindowsTable(const std::vector<api::SeriesWindows>& result) {
  Table table({
      TableColumn("METRIC").Shrink(3, 12),
      TableColumn("TAGS").Shrink(1, 10),
      TableColumn("START (UTC)"),
      TableColumn("COUNT").Right(),
      TableColumn("AVG").Right(),
      TableColumn("MIN").Right().Drop(4),
      TableColumn("MAX").Right(),
      TableColumn("P50").Right().Drop(2),
      TableColumn("P90").Right().Drop(5),
      TableColumn("P99").Right(),
      TableColumn("LAST").Right().Drop(2),
  });
  for (const api::SeriesWindows& r : result) {
    for (const api::WindowStats& w : r.windows) {
      table.AddRow({r.series.key.name(), FormatTags(r.series.key.tags()),
                    FormatMinute(w.start_ms) + (w.open ? "*" : ""), std::to_string(w.count),
                    AvgCell(r.series.kind, w.avg, w.rate), FormatNumber(w.min), FormatNumber(w.max),
                    FormatNumber(w.p50), FormatNumber(w.p90), FormatNumber(w.p99),
                    FormatNumber(w.last)});
    }
  }
  return table;
}

Table CsvTable(std::initializer_list<const char*> names) {
  std::vector<TableColumn> columns;
  for (const char* name : names) columns.push_back(TableColumn(name));
  return Table(std::move(columns));
}

// One row per series: its summary, as the default table.
Table SummaryCsv(const GetQuery& q, const std::vector<api::SeriesWindows>& result) {
  Table table = CsvTable({"host", "metric", "tags", "kind", "resolution", "start", "end", "windows",
                          "count", "sum", "avg", "min", "max", "p50", "p90", "p99", "rate"});
  const char* resolution = ResolutionName(q.query.resolution);
  for (const api::SeriesWindows& r : result) {
    const api::RangeSummary& s = r.summary;
    table.AddRow({q.query.host, r.series.key.name(), FormatTags(r.series.key.tags()),
                  MetricKindName(r.series.kind), resolution, FormatIsoTime(s.start_ms),
                  FormatIsoTime(s.end_ms), std::to_string(s.windows), std::to_string(s.count),
                  FormatExact(s.sum), FormatExact(s.avg), FormatExact(s.min), FormatExact(s.max),
                  FormatExact(s.p50), FormatExact(s.p90), FormatExact(s.p99), FormatExact(s.rate)});
  }
  return table;
}

// One row per window, as --windows.
Table WindowsCsv(const GetQuery& q, const std::vector<api::SeriesWindows>& result) {
  Table table = CsvTable({"host", "metric", "tags", "kind", "resolution", "start", "end", "count",
                          "sum", "avg", "min", "max", "last", "p50", "p90", "p99", "rate", "open"});
  const char* resolution = ResolutionName(q.query.resolution);
  for (const api::SeriesWindows& r : result) {
    for (const api::WindowStats& w : r.windows) {
      table.AddRow({q.query.host, r.series.key.name(), FormatTags(r.series.key.tags()),
                    MetricKindName(r.series.kind), resolution, FormatIsoTime(w.start_ms),
                    FormatIsoTime(w.end_ms), std::to_string(w.count), FormatExact(w.sum),
                    FormatExact(w.avg), FormatExact(w.min), FormatExact(w.max), FormatExact(w.last),
                    FormatExact(w.p50), FormatExact(w.p90), FormatExact(w.p99), FormatExact(w.rate),
                    w.open ? "true" : "false"});
    }
  }
  return table;
}

// Why the answer is empty: an unknown host or label (an error), or no
// windows in the time asked for (a note).
Status ExplainEmpty(QuerySource& source, const GetQuery& q, const OutputSettings& out) {
  std::vector<LatestState> series;
  Status s = source.ListSeries(q.query.host, &series);
  if (s.IsNotFound()) return UnknownHost(source, q.query.host);
  if (!s.ok()) return s;
  std::set<std::string> names;
  bool matched = false;
  for (const LatestState& st : series) {
    names.insert(st.key.name());
    matched = matched || ContainsIgnoreCase(st.key.name(), q.query.label);
  }
  if (!matched) {
    const std::vector<std::string> known(names.begin(), names.end());
    return Status::NotFound(
        "host '" + q.query.host + "' has no metric matching '" + q.query.label + "' (" +
        (known.empty() ? "it has no series" : "known: " + KnownList(known)) + ")");
  }
  if (out.format == OutputFormat::kTable) {
    Note("no " + std::string(ResolutionName(q.query.resolution)) + " windows in the last " +
         FormatDuration(std::chrono::milliseconds(q.since_ms)) +
         " (try a longer --since, or --res hour)");
  }
  return Status::OK();
}

int RunGet(const GetArgs& args) {
  const OutputSettings out = ResolveOutput(args.flags);
  const GetQuery q = MakeQuery(args, out.now_ms);
  auto source = OpenQuerySource(args.flags);
  if (!source) return Fail(source.error());
  std::vector<api::SeriesWindows> result;
  Status s = (*source)->ReadRollups(q.query, out.now_ms, &result);
  if (s.IsNotFound()) s = UnknownHost(**source, q.query.host);
  // The store never returns a series without windows; a remote answer might.
  std::erase_if(result, [](const api::SeriesWindows& r) { return r.windows.empty(); });
  if (s.ok() && result.empty()) s = ExplainEmpty(**source, q, out);
  if (!s.ok()) return Fail(s);
  if (out.format == OutputFormat::kJson) {
    PrintJson(GetJson(q, std::move(result)));
  } else if (out.format == OutputFormat::kCsv) {
    PrintTable(args.windows ? WindowsCsv(q, result) : SummaryCsv(q, result), out);
  } else if (!result.empty()) {
    PrintTable(args.windows ? WindowsTable(result) : SummaryTable(result, q.query.resolution), out);
  }
  return kExitOk;
}

}  // namespace

Command AddGetCommand(CLI::App& parent) {
  auto args = std::make_shared<GetArgs>();
  CLI::App* app = parent.add_subcommand(
      "get",
      "Show a host's rollups: per series count, avg (rate for counters), min, max, p50 "
      "and p99 over the whole range, and a trend; LABEL picks metrics by case-insensitive "
      "substring.");
  app->add_option("HOST", args->host, "Host (source) name, as `sonde hosts` lists it")->required();
  app->add_option("LABEL", args->label,
                  "Part of the metric names to show (any case); all if omitted");
  app->add_option("--res", args->resolution, "Window size: minute or hour")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            Resolution r;
            return ParseResolution(value, &r) ? std::string()
                                              : "'" + value + "': expected minute or hour";
          },
          "", "resolution"))
      ->type_name("minute|hour")
      ->capture_default_str();
  app->add_option("--since", args->since_ms,
                  "How far back, e.g. 15m, 6h, 2d (default: 1h of minutes, 1d of hours)")
      ->type_name("DURATION")
      ->transform(PositiveDurationMs());
  app->add_flag("--windows", args->windows, "Print every window instead of one row per series");
  AddQueryFlags(app, &args->flags);
  return Command{app, [args] { return RunGet(*args); }};
}

}  // namespace sonde::tools

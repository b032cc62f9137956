#include "metrics_command.h"

#include <memory>
#include <string>
#include <vector>

#include "query_flags.h"
#include "query_output.h"
#include "query_source.h"
#include "table.h"
#include "text_format.h"

namespace sonde::tools {

namespace {

struct MetricsArgs {
  QueryFlags flags;
  std::string host;
};

// The API's /api/v1/series document, each series with its age added.
Json MetricsJson(const std::string& host, const std::vector<LatestState>& series, int64_t now_ms) {
  Json list = Json::array();
  for (const LatestState& s : series) {
    Json item = s;
    item["age_ms"] = AgeMs(now_ms, s.timestamp_ms);
    list.push_back(std::move(item));
  }
  return Json{{"host", host}, {"series", std::move(list)}};
}

Table MetricsTable(const std::vector<LatestState>& series, const OutputSettings& out) {
  const bool csv = out.format == OutputFormat::kCsv;
  Table table({
      TableColumn("METRIC").Shrink(2, 16),
      TableColumn("TAGS").Shrink(1, 12),
      TableColumn("KIND").Drop(3),
      TableColumn("VALUE").Right(),
      TableColumn("AGE").Csv(csv ? "age_ms" : "age").Right(),
      TableColumn("TIME").Drop(csv ? 0 : 1),
  });
  for (const LatestState& s : series) {
    const int64_t age = AgeMs(out.now_ms, s.timestamp_ms);
    table.AddRow({s.key.name(), FormatTags(s.key.tags()), MetricKindName(s.kind),
                  csv ? FormatExact(s.value) : FormatNumber(s.value),
                  csv ? std::to_string(age) : FormatAge(age), FormatIsoTime(s.timestamp_ms)});
  }
  return table;
}

int RunMetrics(const MetricsArgs& args) {
  const OutputSettings out = ResolveOutput(args.flags);
  auto source = OpenQuerySource(args.flags);
  if (!source) return Fail(source.error());
  std::vector<LatestState> series;
  Status s = (*source)->ListSeries(args.host, &series);
  if (s.IsNotFound()) s = UnknownHost(**source, args.host);
  if (!s.ok()) return Fail(s);
  if (out.format == OutputFormat::kJson) {
    PrintJson(MetricsJson(args.host, series, out.now_ms));
  } else {
    PrintTable(MetricsTable(series, out), out);
  }
  return kExitOk;
}

}  // namespace

Command AddMetricsCommand(CLI::App& parent) {
  auto args = std::make_shared<MetricsArgs>();
  CLI::App* app = parent.add_subcommand(
      "metrics", "List a host's series: name, tags, kind, last value and its age.");
  app->add_option("HOST", args->host, "Host (source) name, as `sonde hosts` lists it")->required();
  AddQueryFlags(app, &args->flags);
  return Command{app, [args] { return RunMetrics(*args); }};
}

}  // namespace sonde::tools

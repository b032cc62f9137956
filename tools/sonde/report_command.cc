#include "report_command.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query_flags.h"
#include "query_output.h"
#include "query_source.h"
#include "text_format.h"
#include "sonde/fleet_render.h"
#include "sonde/fleet_report.h"
#include "sonde/poll_metrics.h"

namespace sonde::tools {
namespace {

// As `sonde-poller --once` (docs/poller.md): cron jobs and scripts that
// switch from it keep their failure signal.
constexpr int kExitQosNotMet = 3;

struct ReportArgs {
  QueryFlags flags;
  std::vector<std::string> by = {"application", "version"};
  double qos = 99;
  int list_failed = 0;
  int64_t max_age_ms = 10 * 60 * 1000;
};

Status ApplyBy(const std::vector<std::string>& by, fleet::FleetReportOptions* options) {
  if (by.empty()) {
    return Status::InvalidArgument(
        "--by: expected one or more status-page fields, e.g. --by application,version");
  }
  options->group_by = by;
  return options->Validate().WithContext("--by");
}

// Poller targets only: a host without an `up` series (an agent, an app) is
// not a polled status page and would count as a failed target. A target
// whose last poll (`up`) is older than max_age is no longer polled and is
// left out (*stale counts them); of the others, only the fields of the
// current poll round count: those within max_age of its `up`, so that the
// counts of an old version's series do not add to the new one's.
std::vector<fleet::TargetRecord> Records(const std::vector<LatestState>& rows, int64_t now_ms,
                                         int64_t max_age_ms, size_t* stale) {
  std::map<std::string, std::vector<const LatestState*>> by_host;
  std::map<std::string, int64_t> polled_ms;
  for (const LatestState& r : rows) {
    by_host[r.key.host()].push_back(&r);
    if (r.key.name() == fleet::kUpMetric) polled_ms[r.key.host()] = r.timestamp_ms;
  }
  std::vector<fleet::TargetRecord> records;
  *stale = 0;
  for (const auto& [host, series] : by_host) {
    const auto polled = polled_ms.find(host);
    if (polled == polled_ms.end()) continue;
    if (now_ms - polled->second > max_age_ms) {
      ++*stale;
      continue;
    }
    std::vector<Sample> samples;
    for (const LatestState* r : series) {
      if (polled->second - r->timestamp_ms > max_age_ms) continue;
      samples.push_back(Sample{r->key.name(), r->value, r->timestamp_ms, r->kind, r->key.tags()});
    }
    records.push_back(fleet::RecordFromSamples(host, samples));
  }
  return records;
}

int RunSuccessRate(const ReportArgs& args) {
  const OutputSettings out = ResolveOutput(args.flags);
  fleet::FleetReportOptions options;
  options.success_rate = true;
  options.qos_percent = args.qos;
  if (Status s = ApplyBy(args.by, &options); !s.ok()) return Fail(s);
  if (Status s = options.Validate(); !s.ok()) return Fail(s);
  auto source = OpenQuerySource(args.flags);
  if (!source) return Fail(source.error());
  std::vector<LatestState> rows;
  if (Status s = (*source)->ReadLatest(LatestQuery{}, &rows); !s.ok()) return Fail(s);
  size_t stale = 0;
  const std::vector<fleet::TargetRecord> records =
      Records(rows, out.now_ms, args.max_age_ms, &stale);
  const fleet::FleetReport report = fleet::BuildFleetReport(records, options);
  if (out.format == OutputFormat::kJson) {
    PrintOut(fleet::RenderJson(report, records, out.now_ms));
  } else if (out.format == OutputFormat::kCsv) {
    PrintOut(fleet::RenderSuccessRateCsv(report));
  } else {
    PrintOut(fleet::RenderTable(report, records, {out.color, args.list_failed}));
  }
  if (records.empty() && out.format == OutputFormat::kTable) {
    Note("no poller targets have reported (no host has an 'up' series)");
  }
  if (stale > 0 && out.format == OutputFormat::kTable) {
    Note(std::to_string(stale) + " target(s) left out: not polled within --max-age");
  }
  if (!report.qos.met) {
    Note(report.qos.message);  // "sonde: QoS not met: ...", the poller's line.
    return kExitQosNotMet;
  }
  return kExitOk;
}

}  // namespace

Command AddReportCommand(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand("report", "Fleet reports over the latest state.");
  app->require_subcommand(1);
  auto args = std::make_shared<ReportArgs>();
  CLI::App* rate = app->add_subcommand(
      "success-rate", "Success rate by application and version (the poller's report).");
  rate->add_option("--by", args->by, "The status-page fields to group by, one or more")
      ->delimiter(',')
      ->type_name("FIELD[,FIELD...]")
      ->capture_default_str();
  // Own check: CLI11's Range prints its bounds as "0.000000".
  rate->add_option("--qos", args->qos, "Percent of targets that must answer")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            const std::optional<double> n = ParseNumber(v);
            if (n && *n >= 0 && *n <= 100) return std::string();
            return "'" + v + "' is not a percentage from 0 to 100";
          },
          "PERCENT", "percent"))
      ->capture_default_str();
  rate->add_option("--list-failed", args->list_failed, "List up to N failed targets (table)")
      ->type_name("N")
      ->check(WholeNumberUpTo(1000000, "targets"));
  rate->add_option("--max-age", args->max_age_ms,
                   "Leave out targets not polled within this long (e.g. 10m)")
      ->transform(PositiveDurationMs())
      ->type_name("DURATION")
      ->default_str("10m");
  AddQueryFlags(rate, &args->flags);
  return {app, [args] { return RunSuccessRate(*args); }};
}

}  // namespace sonde::tools

#include "health_command.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "query_flags.h"
#include "query_output.h"
#include "query_source.h"
#include "sonde/fleet_health.h"
#include "sonde/percent_display.h"
#include "sonde/units.h"
#include "table.h"
#include "text_format.h"

namespace sonde::tools {
namespace {

using health::FleetHealth;
using health::HealthStatus;
using health::ServerHealth;
using health::ServiceHealth;

struct HealthArgs {
  QueryFlags flags;
  std::string rules_file;
  std::string service;
  bool avg = false;
  std::string max_age;
  int min_healthy = -1;
  std::string sort = "host";
  std::vector<std::string> status;
  bool strict = false;
};

// A percentage cell: "42.5%" in tables, rounded down so that 74.99 is not
// shown as a 75 it did not reach; the exact number in CSV (docs/query.md);
// a missing value is "-" in tables, an empty CSV field.
std::string Percent(const std::optional<double>& v, bool csv) {
  if (csv) return v ? FormatExact(*v) : "";
  if (!v) return "-";
  return fleet::DisplayPercent(*v);
}

// Text that tables show as "-" when empty, and CSV leaves empty.
std::string OrDash(std::string text, bool csv) { return text.empty() && !csv ? "-" : text; }

int FailWith(const Status& status, int code) {
  Fail(status);
  return code;
}

Json Number(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

Result<health::HealthRules> LoadRules(const HealthArgs& args) {
  health::HealthRules rules;
  if (!args.rules_file.empty()) {
    Result<health::HealthRules> loaded = health::LoadHealthRules(args.rules_file);
    if (!loaded) return loaded.error();
    rules = std::move(*loaded);
  }
  if (!args.max_age.empty()) {
    Result<std::chrono::milliseconds> d = ParseDuration(args.max_age);
    if (!d) return d.error().WithContext("--max-age");
    if (d->count() <= 0) return Status::InvalidArgument("--max-age must be above zero");
    rules.max_age = *d;
  }
  if (args.min_healthy >= 0) rules.min_healthy = args.min_healthy;
  SONDE_RETURN_IF_ERROR(rules.Validate());
  return rules;
}

// Display filter and order; the exit status still counts every server.
Status Arrange(const HealthArgs& args, std::vector<ServerHealth>* servers) {
  std::vector<HealthStatus> keep;
  for (const std::string& name : args.status) {
    HealthStatus s;
    if (!health::ParseHealthStatus(name, &s)) {
      return Status::InvalidArgument("--status '" + name +
                                     "': expected Healthy, Degraded, Unhealthy, Down or Stale");
    }
    keep.push_back(s);
  }
  if (!keep.empty()) {
    std::erase_if(*servers, [&](const ServerHealth& s) {
      return std::find(keep.begin(), keep.end(), s.status) == keep.end();
    });
  }
  auto desc = [](const std::optional<double>& a, const std::optional<double>& b) {
    return a.value_or(-1) > b.value_or(-1);
  };
  const std::string& key = args.sort;
  std::function<bool(const ServerHealth&, const ServerHealth&)> less;
  if (key == "host") return Status::OK();  // AssessFleet's order.
  if (key == "service") less = [](auto& a, auto& b) { return a.service < b.service; };
  if (key == "cpu") less = [&](auto& a, auto& b) { return desc(a.cpu, b.cpu); };
  if (key == "memory") less = [&](auto& a, auto& b) { return desc(a.memory, b.memory); };
  if (key == "status") less = [](auto& a, auto& b) { return a.status > b.status; };
  if (!less) {
    return Status::InvalidArgument("--sort '" + key +
                                   "': expected host, service, cpu, memory or status");
  }
  std::stable_sort(servers->begin(), servers->end(), less);
  return Status::OK();
}

void PrintServers(const std::vector<ServerHealth>& servers, const OutputSettings& out) {
  const bool csv = out.format == OutputFormat::kCsv;
  Table table({TableColumn("HOST").Shrink(2, 8), TableColumn("SERVICE").Shrink(3, 7),
               TableColumn("CPU").Right(), TableColumn("MEMORY").Right(),
               TableColumn("REASON").Shrink(1, 10).Drop(4),
               TableColumn("STATUS").ColorBy(StatusColor)});
  for (const ServerHealth& s : servers) {
    table.AddRow({s.host, OrDash(s.service, csv), Percent(s.cpu, csv), Percent(s.memory, csv),
                  OrDash(Join(s.reasons, "; "), csv), health::HealthStatusName(s.status)});
  }
  PrintTable(table, out);
}

void PrintServices(const std::vector<ServiceHealth>& services, const OutputSettings& out) {
  const bool csv = out.format == OutputFormat::kCsv;
  Table table({TableColumn("SERVICE").Shrink(1, 7), TableColumn("SERVERS").Right(),
               TableColumn("HEALTHY").Right(), TableColumn("MIN").Csv("min_healthy").Right(),
               TableColumn("AVG CPU").Csv("avg_cpu").Right(),
               TableColumn("AVG MEMORY").Csv("avg_memory").Right(),
               TableColumn("STATUS").ColorBy(StatusColor)});
  for (const ServiceHealth& s : services) {
    table.AddRow({s.service, std::to_string(s.servers), std::to_string(s.healthy),
                  std::to_string(s.min_healthy), Percent(s.avg_cpu, csv),
                  Percent(s.avg_memory, csv), s.below_minimum ? "Unhealthy" : "Healthy"});
  }
  PrintTable(table, out);
}

Json ToJson(const FleetHealth& fleet, const std::vector<ServerHealth>& shown, bool unhealthy) {
  Json servers = Json::array();
  for (const ServerHealth& s : shown) {
    servers.push_back({{"host", s.host},
                       {"service", s.service},
                       {"cpu", Number(s.cpu)},
                       {"memory", Number(s.memory)},
                       {"status", health::HealthStatusName(s.status)},
                       {"last_seen_ms", s.last_seen_ms},
                       {"reasons", s.reasons}});
  }
  Json services = Json::array();
  for (const ServiceHealth& s : fleet.services) {
    services.push_back({{"service", s.service},
                        {"servers", s.servers},
                        {"healthy", s.healthy},
                        {"min_healthy", s.min_healthy},
                        {"below_minimum", s.below_minimum},
                        {"avg_cpu", Number(s.avg_cpu)},
                        {"avg_memory", Number(s.avg_memory)}});
  }
  return {{"servers", servers}, {"services", services}, {"unhealthy", unhealthy}};
}

void PrintBelowMinimum(const FleetHealth& fleet) {
  for (const ServiceHealth& s : fleet.services) {
    if (!s.below_minimum) continue;
    PrintOut("Unhealthy service " + s.service + ": " + std::to_string(s.healthy) + " of " +
             std::to_string(s.servers) + " servers healthy, minimum " +
             std::to_string(s.min_healthy) + "\n");
  }
}

// An empty answer on stderr: an unknown --service is noted in every format
// (a script with a misspelt name would otherwise fail for ever, silently).
void NoteWhyEmpty(const HealthArgs& args, const FleetHealth& fleet,
                  const std::vector<LatestState>& rows, const health::HealthRules& rules,
                  const OutputSettings& out) {
  if (!fleet.servers.empty()) return;
  if (args.service.empty()) {
    if (out.format == OutputFormat::kTable) Note("no servers have reported");
    return;
  }
  const std::vector<std::string> known = health::KnownServices(rows, rules);
  Note("no server of service \"" + args.service + "\" has reported (" +
       (known.empty() ? std::string("no server has a service tag") : "known: " + KnownList(known)) +
       ")");
}

int RunHealth(const HealthArgs& args) {
  const OutputSettings out = ResolveOutput(args.flags);
  Result<health::HealthRules> rules = LoadRules(args);
  if (!rules) {
    return FailWith(rules.error(),
                    rules.error().IsInvalidArgument() ? kHealthExitUsage : kHealthExitNoData);
  }
  std::vector<ServerHealth> none;  // Checks --status and --sort before any I/O.
  if (Status s = Arrange(args, &none); !s.ok()) return FailWith(s, kHealthExitUsage);
  auto source = OpenQuerySource(args.flags);
  if (!source) return FailWith(source.error(), kHealthExitNoData);
  std::vector<LatestState> rows;
  if (Status s = (*source)->ReadLatest(LatestQuery{}, &rows); !s.ok()) {
    return FailWith(s, kHealthExitNoData);
  }
  const FleetHealth fleet = health::AssessFleet(rows, *rules, out.now_ms, {args.service});
  const bool unhealthy = fleet.AnyUnhealthy(args.strict);
  std::vector<ServerHealth> shown = fleet.servers;
  (void)Arrange(args, &shown).ok();  // Checked above.
  if (out.format == OutputFormat::kJson) {
    PrintJson(ToJson(fleet, shown, unhealthy));
  } else if (args.avg) {
    PrintServices(fleet.services, out);
  } else {
    PrintServers(shown, out);
    if (out.format == OutputFormat::kTable) PrintBelowMinimum(fleet);
  }
  NoteWhyEmpty(args, fleet, rows, *rules, out);
  return unhealthy ? kHealthExitUnhealthy : kHealthExitHealthy;
}

}  // namespace

Command AddHealthCommand(CLI::App& parent) {
  auto args = std::make_shared<HealthArgs>();
  CLI::App* app = parent.add_subcommand(
      "health", "Judge every server Healthy/Degraded/Unhealthy/Stale/Down; exit 1 if any is not.");
  app->add_option("--rules", args->rules_file, "TOML rules file (docs/health.md)")
      ->type_name("FILE");
  app->add_option("--service", args->service, "Only servers of this service (any case)");
  app->add_flag("--avg", args->avg, "One row per service: healthy count and averages");
  app->add_option("--max-age", args->max_age, "Data older than this is Stale (default 5m)")
      ->type_name("DURATION");
  app->add_option("--min-healthy", args->min_healthy,
                  "Fewest Healthy servers a service needs (default 2)")
      ->type_name("N")
      ->check(WholeNumberUpTo(health::kMinHealthyLimit, "servers"));
  app->add_option("--sort", args->sort, "host, service, cpu, memory or status (worst first)")
      ->capture_default_str();
  app->add_option("--status", args->status, "Only show these statuses (e.g. Unhealthy,Down)")
      ->delimiter(',');
  app->add_flag("--strict", args->strict, "Degraded servers make the exit status 1 too");
  AddQueryFlags(app, &args->flags);
  return {app, [args] { return RunHealth(*args); }};
}

}  // namespace sonde::tools

// sonde-poller's flags and their validation (docs/config.md, "sonde-poller").
// ClusterStats' short flags keep their meaning; its long spellings
// (--inventory_file, --output_dir, --aggr_success_rate, --threads) are
// accepted too, so that its users switch by changing the command name.
#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "sonde/endpoint.h"
#include "sonde/poller_service.h"
#include "sonde/units.h"

namespace sonde::poller {
namespace {

void AddTargetFlags(ServiceCli* cli, PollerServiceOptions* o) {
  CLI::App& app = cli->app();
  app.add_option("-i,--inventory,--inventory_file", o->inventory,
                 "Inventory file: one host or host:port per line, # comments")
      ->type_name("FILE");
  app.add_option("--discover", o->discover_url,
                 "Discovery URL returning a JSON list of servers (re-read every round)")
      ->type_name("URL");
  app.add_option("--url-pattern", o->poller.url_pattern,
                 "Status URL of a target; {host} is replaced by host or host:port")
      ->capture_default_str();
}

void AddHttpFlags(ServiceCli* cli, PollerServiceOptions* o) {
  CLI::App& app = cli->app();
  PollerOptions& p = o->poller;
  AddSecondsOrDuration(app, "-t,--connect-timeout,--timeout", &p.connect_timeout,
                       "Connect timeout (a bare number is seconds, as in ClusterStats)");
  AddSecondsOrDuration(app, "--total-timeout", &p.total_timeout, "Whole-request timeout");
  app.add_option("-f,--max-connections,--threads", p.max_connections, "Requests in flight at once")
      ->capture_default_str();
  app.add_option("-r,--retries", p.retries, "Retries after refused, timeout, 5xx or reset")
      ->capture_default_str();
  cli->AddDuration("--retry-backoff", &p.retry_backoff, "Wait before the first retry (doubles)");
  cli->AddDuration("--retry-backoff-max", &p.retry_backoff_max, "Longest wait between retries");
  cli->AddByteSize("--max-body", &p.max_body_bytes, "Largest status page accepted");
  cli->AddByteSize("--low-speed", &p.low_speed_bytes,
                   "Abort a transfer slower than this many bytes/s over --low-speed-time (0: off)");
  cli->AddDuration("--low-speed-time", &p.low_speed_time, "Window of the low-speed limit");
  app.add_option("--max-redirects", p.max_redirects, "Redirects followed (http/https only)")
      ->capture_default_str();
  app.add_flag_function(
      "--insecure", [&p](int64_t) { p.verify_tls = false; }, "Do not verify TLS certificates");
  app.add_option("--max-fields", p.page.max_fields, "Fields kept per status page")
      ->capture_default_str();
}

void AddReportFlags(ServiceCli* cli, PollerServiceOptions* o) {
  CLI::App& app = cli->app();
  fleet::FleetReportOptions& r = o->report;
  app.add_option("-o,--output-dir,--output_dir", o->output_dir,
                 "--once: write report.json and CSV files here")
      ->type_name("DIR");
  app.add_option("-q,--qos", r.qos_percent,
                 "--once: exit 3 unless at least this % of targets answered")
      ->capture_default_str();
  app.add_flag("-s,--success-rate,--aggr_success_rate", r.success_rate,
               "Aggregate success counts by application and version");
  app.add_option("--app-field", r.application_field, "Field naming the application")
      ->capture_default_str();
  app.add_option("--version-field", r.version_field, "Field naming the version")
      ->capture_default_str();
  app.add_option("--requests-field", r.requests_field, "Field counting requests")
      ->capture_default_str();
  app.add_option("--successes-field", r.successes_field, "Field counting successes")
      ->capture_default_str();
  app.add_option("--errors-field", r.errors_field, "Field counting errors")->capture_default_str();
  app.add_flag("-v,--verbose", o->verbose, "Log every failure and list failed targets");
  app.add_option("--list-failed", o->list_failed, "With -v: failed targets listed in the table")
      ->capture_default_str();
  app.add_flag_function(
      "--no-progress", [o](int64_t) { o->progress = false; },
      "Never draw the progress line (it is only drawn on a terminal anyway)");
}

}  // namespace

void AddPollerFlags(ServiceCli* cli, PollerServiceOptions* o) {
  AddTargetFlags(cli, o);
  AddHttpFlags(cli, o);
  AddReportFlags(cli, o);
  CLI::App& app = cli->app();
  app.add_flag("--once", o->once, "Poll every target once, report, exit (0, or 3: QoS not met)");
  cli->AddDuration("--interval", &o->interval, "Daemon mode: time between round starts");
  app.add_option("--to", o->to,
                 "Send samples to udp://host:port, tcp://host:port or ipc://path "
                 "(default: udp://127.0.0.1:7700 in daemon mode, none with --once)")
      ->type_name("ENDPOINT");
}

LogOptions PollerLogOptions(const LogOptions& parsed, const PollerServiceOptions& options) {
  LogOptions out = parsed;
  if (!out.level.empty() || std::getenv("SPDLOG_LEVEL") != nullptr) return out;
  if (options.verbose) {
    out.level = "info,sonde.poller=debug";
  } else if (options.once) {
    out.level = "warn";
  }
  return out;
}

Status PollerServiceOptions::Validate() const {
  if (inventory.empty() && discover_url.empty()) {
    return Status::InvalidArgument("give an inventory (-i FILE) or a discovery URL (--discover)");
  }
  if (!output_dir.empty() && !once) {
    return Status::InvalidArgument("-o/--output-dir needs --once");
  }
  if (interval < std::chrono::seconds(1) || interval > std::chrono::hours(24)) {
    return Status::InvalidArgument(
        fmt::format("--interval {} is outside 1s-1d", FormatDuration(interval)));
  }
  if (list_failed < 0) return Status::InvalidArgument("--list-failed is negative");
  if (!to.empty()) {
    auto endpoint = ParseEndpoint(to, EndpointRole::kConnect);
    if (!endpoint) return endpoint.error().WithContext("--to");
  }
  SONDE_RETURN_IF_ERROR(poller.Validate());
  return report.Validate();
}

}  // namespace sonde::poller

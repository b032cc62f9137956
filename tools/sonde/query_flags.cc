#include "query_flags.h"

#include <cmath>
#include <optional>
#include <string>

#include "sonde/service_cli.h"
#include "sonde/units.h"
#include "terminal.h"
#include "text_format.h"

namespace sonde::tools {

void AddQueryFlags(CLI::App* app, QueryFlags* flags) {
  CLI::Option* db =
      app->add_option("--db,--data-dir", flags->db,
                      "Database directory to read (default: $SONDE_DATA_DIR, "
                      "$XDG_STATE_HOME/sonde or ~/.local/state/sonde, as the summarizer)")
          ->type_name("DIR");
  app->add_option("--url", flags->url,
                  "Ask a running summarizer's HTTP API instead, e.g. http://127.0.0.1:7780")
      ->type_name("URL")
      ->excludes(db);
  app->add_option("--timeout", flags->timeout_ms,
                  "HTTP request timeout with --url, e.g. 5s (a bare number is seconds)")
      ->type_name("DURATION")
      ->transform(SecondsOrDurationMsTransformer())
      ->default_str(FormatDuration(std::chrono::milliseconds(flags->timeout_ms)));
  app->add_option("--format", flags->format, "Output: table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  app->add_option("--color", flags->color, "Colour tables: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app->add_option("--now", flags->now,
                  "Count ages and --since from this time (epoch seconds or "
                  "2024-05-01T12:00:00Z) instead of the clock")
      ->type_name("TIME")
      ->check(TimeValidator());
}

OutputSettings ResolveOutput(const QueryFlags& flags) {
  OutputSettings out;
  out.format = flags.format == "json"  ? OutputFormat::kJson
               : flags.format == "csv" ? OutputFormat::kCsv
                                       : OutputFormat::kTable;
  out.width = TerminalWidth();
  out.color = out.format == OutputFormat::kTable && UseColor(flags.color);
  if (auto t = ParseTime(flags.now); !flags.now.empty() && t) {
    out.now_ms = *t;
    out.now_given = true;
  } else {
    out.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  }
  return out;
}

CLI::Validator PositiveDurationMs() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        auto d = ParseDuration(value);
        if (!d) return d.error().message();
        if (d->count() <= 0) return "'" + value + "': must be more than 0 (e.g. 10m, 1h, 2d)";
        value = std::to_string(d->count());
        return std::string();
      },
      "", "positive duration");
}

CLI::Validator WholeNumberUpTo(int max, std::string what) {
  return CLI::Validator(
      [max, what](std::string& value) -> std::string {
        const std::optional<double> n = ParseNumber(value);
        if (n && *n >= 0 && *n <= max && *n == static_cast<int>(*n)) return std::string();
        return "must be a whole number of " + what + " from 0 to " + std::to_string(max) +
               ", not '" + value + "'";
      },
      "", what);
}

CLI::Validator TimeValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (ParseTime(value)) return std::string();
        return "'" + value + "': expected epoch seconds or an ISO-8601 UTC time such as " +
               "2024-05-01T12:00:00Z";
      },
      "", "time");
}

}  // namespace sonde::tools

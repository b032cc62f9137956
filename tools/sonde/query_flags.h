// The flags every `sonde` query command (hosts, metrics, get, latest)
// shares: where to read (--db / --url), how to print (--format, --color),
// and the clock (--now), plus the resolved output settings.
#ifndef SONDE_TOOLS_SONDE_QUERY_FLAGS_H_
#define SONDE_TOOLS_SONDE_QUERY_FLAGS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace sonde::tools {

enum class OutputFormat { kTable, kJson, kCsv };

struct QueryFlags {
  // The database directory (--db, alias --data-dir).
  // Default: "" (DefaultDataDir(), as the summarizer).
  std::string db;
  // A summarizer's HTTP API, e.g. "http://127.0.0.1:7780" (--url).
  // Default: "" (read the database directly).
  std::string url;
  // How long an HTTP request may take (--timeout). Default: 10 s.
  int64_t timeout_ms = 10000;
  // "table", "json" or "csv" (--format). Default: "table".
  std::string format = "table";
  // "auto", "always" or "never" (--color). Default: "auto" (only on a terminal).
  std::string color = "auto";
  // The time ages and --since count from (--now): epoch seconds or ISO-8601
  // UTC. Default: "" (the system clock).
  std::string now;
};

// Adds the flags above to a query subcommand. `flags` must outlive parsing.
void AddQueryFlags(CLI::App* app, QueryFlags* flags);

// What the flags resolve to once parsed.
struct OutputSettings {
  OutputFormat format = OutputFormat::kTable;
  int width = 80;          // Terminal width for tables.
  bool color = false;      // ANSI colour in tables.
  int64_t now_ms = 0;      // "Now", ms since the epoch.
  bool now_given = false;  // --now was given: looking back, not at the clock.
};

// REQUIRES: the flags were parsed (their values validated).
OutputSettings ResolveOutput(const QueryFlags& flags);

// CLI11 validators: a --since style duration above zero; a --now time.
CLI::Validator PositiveDurationMs();
CLI::Validator TimeValidator();
// A whole number in [0, max] ("must be a whole number of <what> from 0 to
// <max>, not '<value>'"); CLI11's own range checks print their bounds as
// 0.000000 and a 309-digit double.
CLI::Validator WholeNumberUpTo(int max, std::string what);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_QUERY_FLAGS_H_

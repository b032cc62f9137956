// The CSV report files (docs/poller.md, "CSV files"): RFC 4180, one header
// line, '\n' line ends, cells quoted only when they hold ',', '"', CR or LF.
#include <string>
#include <string_view>
#include <vector>

#include "report_format.h"
#include "sonde/ascii.h"
#include "sonde/fleet_render.h"

namespace sonde::fleet {
namespace {

using internal::FormatNumber;
using internal::RoundMs;
using internal::RoundPercent;

void AppendCell(std::string_view cell, std::string* out) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(cell);
    return;
  }
  out->push_back('"');
  for (char c : cell) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

template <typename Cells>
void AppendCells(const Cells& cells, std::string* out) {
  bool first = true;
  for (std::string_view c : cells) {
    if (!first) out->push_back(',');
    first = false;
    AppendCell(c, out);
  }
  out->push_back('\n');
}

void AppendRow(std::initializer_list<std::string_view> cells, std::string* out) {
  AppendCells(cells, out);
}

std::string StringField(const TargetRecord& t, const std::string& key) {
  auto it = t.strings.find(key);
  if (it != t.strings.end()) return it->second;
  auto num = t.numbers.find(key);
  return num == t.numbers.end() ? "" : FormatNumber(num->second);
}

std::string NumberField(const TargetRecord& t, const std::string& key) {
  auto it = t.numbers.find(key);
  return it == t.numbers.end() ? "" : FormatNumber(it->second);
}

// Success rates keep both decimals (98.00, not 98), so that a column of
// rates lines up and reads as a percentage.
std::string OptionalPercent(const std::optional<double>& v) {
  return v ? fmt::format("{:.2f}", RoundPercent(*v)) : "";
}

}  // namespace

std::string RenderTargetsCsv(std::span<const TargetRecord> targets,
                             const FleetReportOptions& options) {
  const std::string app = AsciiLower(options.application_field);
  const std::string version = AsciiLower(options.version_field);
  const std::string requests = AsciiLower(options.requests_field);
  const std::string successes = AsciiLower(options.successes_field);
  const std::string errors = AsciiLower(options.errors_field);
  std::string out;
  AppendRow({"target", "up", "failure", "http_status", "latency_ms", "attempts", "application",
             "version", "requests", "successes", "errors", "error"},
            &out);
  for (const TargetRecord& t : targets) {
    AppendRow(
        {t.target, t.up ? "1" : "0", FailureClassName(t.failure),
         t.http_status > 0 ? std::to_string(t.http_status) : "",
         t.latency_ms >= 0 ? FormatNumber(RoundMs(t.latency_ms)) : "", std::to_string(t.attempts),
         StringField(t, app), StringField(t, version), NumberField(t, requests),
         NumberField(t, successes), NumberField(t, errors), t.error},
        &out);
  }
  return out;
}

std::string RenderSuccessRateCsv(const FleetReport& report) {
  std::string out;
  std::vector<std::string> header = report.group_by;
  header.insert(header.end(),
                {"targets", "requests", "successes", "errors", "success_rate_percent"});
  AppendCells(header, &out);
  for (const SuccessRateRow& r : report.success) {
    std::vector<std::string> cells = r.group;
    cells.insert(cells.end(),
                 {std::to_string(r.targets), FormatNumber(r.requests), FormatNumber(r.successes),
                  FormatNumber(r.errors), OptionalPercent(r.success_rate_percent)});
    AppendCells(cells, &out);
  }
  return out;
}

std::string RenderSummaryCsv(const FleetReport& report) {
  std::string out;
  auto row = [&out](std::string_view key, const std::string& value) {
    AppendRow({key, value}, &out);
  };
  row("key", "value");
  row("targets", std::to_string(report.targets));
  row("answered", std::to_string(report.answered));
  row("failed", std::to_string(report.failed));
  row("answered_percent", FormatNumber(RoundPercent(report.qos.answered_percent)));
  row("qos_required_percent", FormatNumber(report.qos.required_percent));
  row("qos_met", report.qos.met ? "1" : "0");
  for (int i = 1; i < kFailureClassCount; ++i) {
    row(std::string("failures.") + FailureClassName(static_cast<FailureClass>(i)),
        std::to_string(report.failures[i]));
  }
  // No answer, no latency: empty cells, not 0 ms.
  const LatencySummary& l = report.latency;
  auto ms = [&](double v) { return l.count > 0 ? FormatNumber(RoundMs(v)) : std::string(); };
  row("latency_ms.count", std::to_string(l.count));
  row("latency_ms.min", ms(l.min_ms));
  row("latency_ms.p50", ms(l.p50_ms));
  row("latency_ms.p90", ms(l.p90_ms));
  row("latency_ms.p99", ms(l.p99_ms));
  row("latency_ms.max", ms(l.max_ms));
  if (report.has_success_rate) {
    row("success_rate_percent", OptionalPercent(report.overall_success_rate_percent));
  }
  return out;
}

}  // namespace sonde::fleet

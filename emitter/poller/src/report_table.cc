// The terminal summary (docs/poller.md, "Terminal summary"). Cells from status
// pages are untrusted: control characters are replaced so that a page cannot
// send escape sequences to the operator's terminal.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "report_format.h"
#include "sonde/fleet_render.h"
#include "sonde/percent_display.h"

namespace sonde::fleet {
namespace {

using internal::FormatNumber;
using internal::RoundMs;
using internal::RoundPercent;

std::string Printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

// Display width in code points (UTF-8 continuation bytes take no column).
size_t Width(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

// A table of left-aligned text columns and right-aligned number columns.
class TextTable {
 public:
  explicit TextTable(std::vector<bool> right_aligned) : right_(std::move(right_aligned)) {}
  void Add(std::vector<std::string> row) {
    for (auto& cell : row) cell = Printable(cell);
    rows_.push_back(std::move(row));
  }
  void Render(std::string* out) const {
    std::vector<size_t> widths(right_.size(), 0);
    for (const auto& row : rows_) {
      for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
        widths[i] = std::max(widths[i], Width(row[i]));
      }
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
        if (i > 0) line += "  ";
        std::string pad(widths[i] - Width(row[i]), ' ');
        line += right_[i] ? pad + row[i] : row[i] + pad;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      *out += line + "\n";
    }
  }

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// "application" -> "Application", for a column header.
std::string Capitalized(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

// Rounded down, so a success rate of 98.996 does not read as 99.00 %.
std::string Percent(const std::optional<double>& v) { return v ? DisplayPercent(*v, 2) : "-"; }

std::string FailureBreakdown(const FleetReport& r) {
  std::string parts;
  for (int i = 1; i < kFailureClassCount; ++i) {
    if (r.failures[i] == 0) continue;
    if (!parts.empty()) parts += ", ";
    parts += fmt::format("{} {}", FailureClassName(static_cast<FailureClass>(i)), r.failures[i]);
  }
  return parts.empty() ? "" : " (" + parts + ")";
}

void RenderSummary(const FleetReport& r, const TableOptions& options, std::string* out) {
  std::string verdict = r.qos.message;
  if (options.color) verdict = (r.qos.met ? "\033[32m" : "\033[1;31m") + verdict + "\033[0m";
  const LatencySummary& l = r.latency;
  *out += fmt::format("Targets     {}\n", r.targets);
  *out += fmt::format("Answered    {} ({})\n", r.answered, DisplayPercent(r.qos.answered_percent, 2));
  *out += fmt::format("Failed      {}{}\n", r.failed, FailureBreakdown(r));
  if (l.count == 0) {
    *out += "Latency ms  - (no target answered)\n";
  } else {
    *out += fmt::format("Latency ms  min {}  p50 {}  p90 {}  p99 {}  max {}  (n={})\n",
                        FormatNumber(RoundMs(l.min_ms)), FormatNumber(RoundMs(l.p50_ms)),
                        FormatNumber(RoundMs(l.p90_ms)), FormatNumber(RoundMs(l.p99_ms)),
                        FormatNumber(RoundMs(l.max_ms)), l.count);
  }
  *out += verdict + "\n";
}

void RenderSuccessRate(const FleetReport& r, std::string* out) {
  std::vector<bool> right(r.group_by.size(), false);
  right.insert(right.end(), 5, true);
  TextTable table(std::move(right));
  std::vector<std::string> header;
  for (const std::string& name : r.group_by) header.push_back(Capitalized(name));
  header.insert(header.end(), {"Targets", "Requests", "Successes", "Errors", "Success rate"});
  table.Add(std::move(header));
  for (const SuccessRateRow& row : r.success) {
    std::vector<std::string> cells = row.group;
    cells.insert(cells.end(), {std::to_string(row.targets), FormatNumber(row.requests),
                               FormatNumber(row.successes), FormatNumber(row.errors),
                               Percent(row.success_rate_percent)});
    table.Add(std::move(cells));
  }
  *out += "\n";
  table.Render(out);
  *out += fmt::format("Overall success rate: {}\n", Percent(r.overall_success_rate_percent));
}

void RenderFailed(std::span<const TargetRecord> targets, int limit, uint64_t failed,
                  std::string* out) {
  TextTable table({false, false, true, false});
  table.Add({"Target", "Failure", "HTTP", "Error"});
  int listed = 0;
  for (const TargetRecord& t : targets) {
    if (t.up) continue;
    if (listed == limit) break;
    ++listed;
    table.Add({t.target, FailureClassName(t.failure),
               t.http_status > 0 ? std::to_string(t.http_status) : "-", t.error});
  }
  if (listed == 0) return;
  *out += static_cast<uint64_t>(listed) < failed
              ? fmt::format("\nFailed targets (first {} of {}):\n", listed, failed)
              : fmt::format("\nFailed targets:\n");
  table.Render(out);
}

}  // namespace

std::string RenderTable(const FleetReport& report, std::span<const TargetRecord> targets,
                        const TableOptions& options) {
  std::string out;
  RenderSummary(report, options, &out);
  if (report.has_success_rate) RenderSuccessRate(report, &out);
  if (options.list_failed > 0) RenderFailed(targets, options.list_failed, report.failed, &out);
  return out;
}

}  // namespace sonde::fleet

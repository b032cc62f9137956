// The JSON report (docs/poller.md, "report.json"). The one file that calls
// nlohmann_json for output; dump() is told to replace invalid UTF-8, so it
// cannot throw on what a status page sent.
#include <cassert>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>

#include "report_format.h"
#include "sonde/fleet_render.h"

namespace sonde::fleet {
namespace {

using Json = nlohmann::ordered_json;
using internal::RoundMs;
using internal::RoundPercent;

// Whole numbers print as integers ("100", not "100.0"): counts stay counts.
Json Num(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    return Json(static_cast<int64_t>(v));
  }
  return Json(v);
}

Json Optional(const std::optional<double>& v) { return v ? Num(RoundPercent(*v)) : Json(nullptr); }

Json Totals(const FleetReport& r) {
  return Json{{"targets", r.targets},
              {"answered", r.answered},
              {"failed", r.failed},
              {"answered_percent", Num(RoundPercent(r.qos.answered_percent))}};
}

Json Qos(const QosVerdict& q) {
  return Json{{"required_percent", Num(q.required_percent)},
              {"answered_percent", Num(RoundPercent(q.answered_percent))},
              {"met", q.met},
              {"message", q.message}};
}

Json Failures(const FleetReport& r) {
  Json j = Json::object();
  for (int i = 1; i < kFailureClassCount; ++i) {
    j[FailureClassName(static_cast<FailureClass>(i))] = r.failures[i];
  }
  return j;
}

// No answer, no latency: null, not 0 ms.
Json Latency(const LatencySummary& l) {
  auto ms = [&](double v) { return l.count > 0 ? Num(RoundMs(v)) : Json(nullptr); };
  return Json{{"count", l.count},   {"min", ms(l.min_ms)}, {"p50", ms(l.p50_ms)},
              {"p90", ms(l.p90_ms)}, {"p99", ms(l.p99_ms)}, {"max", ms(l.max_ms)}};
}

Json SuccessRate(const FleetReport& r) {
  Json groups = Json::array();
  for (const SuccessRateRow& row : r.success) {
    Json group = Json::object();
    for (size_t i = 0; i < row.group.size() && i < r.group_by.size(); ++i) {
      group[r.group_by[i]] = row.group[i];
    }
    group["targets"] = row.targets;
    group["requests"] = Num(row.requests);
    group["successes"] = Num(row.successes);
    group["errors"] = Num(row.errors);
    group["success_rate_percent"] = Optional(row.success_rate_percent);
    groups.push_back(std::move(group));
  }
  return Json{{"overall_percent", Optional(r.overall_success_rate_percent)}, {"groups", groups}};
}

Json Target(const TargetRecord& t) {
  Json fields = Json::object();
  for (const auto& [k, v] : t.numbers) fields[k] = Num(v);
  Json tags = Json::object();
  for (const auto& [k, v] : t.strings) tags[k] = v;
  return Json{{"target", t.target},
              {"up", t.up},
              {"failure", FailureClassName(t.failure)},
              {"http_status", t.http_status},
              {"latency_ms", t.latency_ms >= 0 ? Num(RoundMs(t.latency_ms)) : Json(nullptr)},
              {"attempts", t.attempts},
              {"error", t.error},
              {"fields", std::move(fields)},
              {"tags", std::move(tags)}};
}

std::string Dump(const Json& j) { return j.dump(2, ' ', false, Json::error_handler_t::replace); }

// Appends `text` with `indent` before each of its lines. JSON text from
// dump() has newlines only between tokens (strings escape theirs).
void AppendIndented(std::string_view text, std::string_view indent, std::string* out) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out->append(indent);
    out->append(text.substr(start, end - start));
    if (end < text.size()) out->push_back('\n');
    start = end + 1;
  }
}

}  // namespace

std::string RenderJson(const FleetReport& report, std::span<const TargetRecord> targets,
                       int64_t generated_ms) {
  Json doc = Json::object();
  if (generated_ms != 0) doc["generated_ms"] = generated_ms;
  doc["totals"] = Totals(report);
  doc["qos"] = Qos(report.qos);
  doc["failures"] = Failures(report);
  doc["latency_ms"] = Latency(report.latency);
  if (report.has_success_rate) doc["success_rate"] = SuccessRate(report);
  doc["targets"] = Json::array();
  std::string out = Dump(doc);
  if (targets.empty()) return out + "\n";
  // The targets are rendered one at a time and spliced into the empty list,
  // indented as dump() would indent them there, rather than held as one
  // document: for 10,000 targets that document is tens of megabytes.
  constexpr std::string_view kEmptyTail = "[]\n}";
  assert(out.size() > kEmptyTail.size() &&
         out.compare(out.size() - kEmptyTail.size(), kEmptyTail.size(), kEmptyTail) == 0);
  out.resize(out.size() - kEmptyTail.size());
  out += "[\n";
  for (size_t i = 0; i < targets.size(); ++i) {
    AppendIndented(Dump(Target(targets[i])), "    ", &out);
    out += i + 1 < targets.size() ? ",\n" : "\n";
  }
  out += "  ]\n}\n";
  return out;
}

}  // namespace sonde::fleet

// The JSON report (docs/poller.md, "report.json"). The one file that calls
// nlohmann_json for output; dump() is told to replace invalid UTF-8, so it
// cannot throw on what a status page sent.
#include <cmath>
#include <nlohmann/json.hpp>

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

Json Latency(const LatencySummary& l) {
  return Json{{"count", l.count},
              {"min", Num(RoundMs(l.min_ms))},
              {"p50", Num(RoundMs(l.p50_ms))},
              {"p90", Num(RoundMs(l.p90_ms))},
              {"p99", Num(RoundMs(l.p99_ms))},
              {"max", Num(RoundMs(l.max_ms))}};
}

Json SuccessRate(const FleetReport& r) {
  Json groups = Json::array();
  for (const SuccessRateRow& row : r.success) {
    groups.push_back(Json{{"application", row.application},
                          {"version", row.version},
                          {"targets", row.targets},
                          {"requests", Num(row.requests)},
                          {"successes", Num(row.successes)},
                          {"errors", Num(row.errors)},
                          {"success_rate_percent", Optional(row.success_rate_percent)}});
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
  Json list = Json::array();
  for (const TargetRecord& t : targets) list.push_back(Target(t));
  doc["targets"] = std::move(list);
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace sonde::fleet

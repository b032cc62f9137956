#include "query_output.h"

#include <cstdio>

namespace sonde::tools {

void PrintOut(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void PrintJson(const Json& doc) {
  // Replace, not throw, on invalid UTF-8 in metric names or tags.
  PrintOut(doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

void PrintTable(const Table& table, const OutputSettings& settings) {
  PrintOut(settings.format == OutputFormat::kCsv ? table.ToCsv()
                                                 : table.Render(settings.width, settings.color));
}

int Fail(const Status& status) {
  std::fprintf(stderr, "sonde: error: %s\n", status.message().c_str());
  return status.IsInvalidArgument() ? kExitUsage : kExitFailure;
}

void Note(std::string_view message) {
  std::fprintf(stderr, "sonde: %.*s\n", static_cast<int>(message.size()), message.data());
}

std::string KnownList(const std::vector<std::string>& names, size_t max) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > max) out += ", ... (" + std::to_string(names.size() - max) + " more)";
  return out;
}

Status UnknownHost(QuerySource& source, std::string_view host) {
  std::vector<HostInfo> hosts;
  Status s = source.ListHosts(&hosts);
  if (!s.ok()) return s;
  std::vector<std::string> names;
  for (const HostInfo& h : hosts) names.push_back(h.host);
  const std::string known =
      names.empty() ? "no host has reported yet" : "known: " + KnownList(names);
  return Status::NotFound("host '" + std::string(host) + "' has not reported (" + known + ")");
}

Json TagsJson(const Tags& tags) {
  Json out = Json::object();
  for (const Tag& t : tags) out[t.key] = t.value;
  return out;
}

}  // namespace sonde::tools

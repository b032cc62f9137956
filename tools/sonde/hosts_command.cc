#include "hosts_command.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "query_flags.h"
#include "query_output.h"
#include "query_source.h"
#include "table.h"
#include "text_format.h"

namespace sonde::tools {

namespace {

// The API's /api/v1/hosts document, each host with its age added.
Json HostsJson(const std::vector<HostInfo>& hosts, int64_t now_ms) {
  Json list = Json::array();
  for (const HostInfo& h : hosts) {
    Json item = h;
    item["age_ms"] = HostAgeMs(h, now_ms);
    list.push_back(std::move(item));
  }
  return Json{{"hosts", std::move(list)}};
}

Table HostsTable(const std::vector<HostInfo>& hosts, const OutputSettings& out) {
  const bool csv = out.format == OutputFormat::kCsv;
  Table table({
      TableColumn("HOST").Shrink(1, 12),
      TableColumn("LAST SEEN").Csv("last_seen"),
      TableColumn("AGE").Csv(csv ? "age_ms" : "age").Right(),
      TableColumn("FIRST SEEN").Csv("first_seen").Drop(2),
  });
  for (const HostInfo& h : hosts) {
    const int64_t age = HostAgeMs(h, out.now_ms);
    table.AddRow({h.host, FormatIsoTime(h.last_seen_ms), csv ? std::to_string(age) : FormatAge(age),
                  FormatIsoTime(h.first_seen_ms)});
  }
  return table;
}

int RunHosts(const QueryFlags& flags) {
  const OutputSettings out = ResolveOutput(flags);
  auto source = OpenQuerySource(flags);
  if (!source) return Fail(source.error());
  std::vector<HostInfo> hosts;
  if (Status s = (*source)->ListHosts(&hosts); !s.ok()) return Fail(s);
  if (out.now_given) DropHostsNotSeenBy(out.now_ms, &hosts);
  if (out.format == OutputFormat::kJson) {
    PrintJson(HostsJson(hosts, out.now_ms));
  } else {
    PrintTable(HostsTable(hosts, out), out);
  }
  if (hosts.empty() && out.format == OutputFormat::kTable) Note("no host has reported yet");
  return kExitOk;
}

}  // namespace

int64_t HostAgeMs(const HostInfo& host, int64_t now_ms) {
  return std::max<int64_t>(0, AgeMs(now_ms, host.last_seen_ms));
}

void DropHostsNotSeenBy(int64_t now_ms, std::vector<HostInfo>* hosts) {
  std::erase_if(*hosts, [now_ms](const HostInfo& h) { return h.first_seen_ms > now_ms; });
}

Command AddHostsCommand(CLI::App& parent) {
  auto flags = std::make_shared<QueryFlags>();
  CLI::App* app =
      parent.add_subcommand("hosts", "List the hosts that reported, with last-seen time and age.");
  AddQueryFlags(app, flags.get());
  return Command{app, [flags] { return RunHosts(*flags); }};
}

}  // namespace sonde::tools

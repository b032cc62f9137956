// The discovery endpoint's server list (the monitoring script's /servers),
// docs/poller.md, "Discovery". nlohmann_json is called with exceptions off
// (parse(..., allow_exceptions=false)); its parser is iterative, so deep
// nesting in a hostile body costs memory bounded by the body cap, not stack.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>

#include "sonde/ascii.h"
#include "sonde/target.h"

namespace sonde::poller {
namespace {

using Json = nlohmann::json;

// The member of `obj` named one of `names`, compared without case; null if none.
const Json* Member(const Json& obj, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (AsciiIEquals(it.key(), name)) return &it.value();
    }
  }
  return nullptr;
}

Result<std::string> PortText(const Json& port) {
  if (port.is_number_unsigned() || port.is_number_integer()) {
    return std::to_string(port.get<int64_t>());
  }
  if (port.is_string()) return port.get<std::string>();
  return Status::InvalidArgument("\"port\" is not a number or string");
}

// The target spelled by one list entry.
Result<std::string> EntryTarget(const Json& entry) {
  if (entry.is_string()) return entry.get<std::string>();
  if (!entry.is_object()) return Status::InvalidArgument("entry is not a string or object");
  const Json* host = Member(entry, {"ip", "host", "hostname", "address"});
  if (host == nullptr || !host->is_string()) {
    return Status::InvalidArgument("object has no \"ip\", \"host\", \"hostname\" or \"address\"");
  }
  std::string name = host->get<std::string>();
  const Json* port = Member(entry, {"port"});
  if (port == nullptr || port->is_null()) return name;
  Result<std::string> port_text = PortText(*port);
  if (!port_text) return port_text.error();
  // A bare IPv6 address gets its brackets so that ":port" can follow.
  if (name.find(':') != name.npos && name.front() != '[') name = "[" + name + "]";
  return name + ":" + *port_text;
}

std::string Describe(const Json& entry) {
  std::string text = entry.dump(-1, ' ', false, Json::error_handler_t::replace);
  return text.substr(0, 200);
}

}  // namespace

Result<TargetList> ParseDiscovery(std::string_view body) {
  Json doc = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Corruption("discovery response is not valid JSON");
  const Json* list = &doc;
  if (doc.is_object()) list = Member(doc, {"servers", "targets", "hosts"});
  if (list == nullptr || !list->is_array()) {
    return Status::Corruption(
        "discovery response is not a JSON list (or an object with a \"servers\" list)");
  }
  TargetList out;
  std::unordered_set<std::string> seen;
  int index = 0;
  for (const Json& entry : *list) {
    ++index;
    Result<std::string> target = EntryTarget(entry);
    Status s = target ? ValidateTarget(*target) : target.error();
    if (!s.ok()) {
      out.errors.push_back({index, Describe(entry), s.message()});
    } else if (!seen.insert(*target).second) {
      out.errors.push_back({index, Describe(entry), "repeats an earlier entry"});
    } else {
      out.targets.push_back(Target{*target});
    }
  }
  return out;
}

}  // namespace sonde::poller

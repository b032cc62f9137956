// Status pages: the JSON object a target serves, flattened and normalized
// into numeric fields (samples) and string fields (tags). docs/poller.md,
// "Status pages".
//
//   {"Service": "RoleService", "CPU": "56%", "Memory": 31,
//    "Disk": {"Used_GB": "12.5"}, "Healthy": true, "Version": "1.0"}
//   -> numbers {cpu: 56, memory: 31, disk.used_gb: 12.5, healthy: 1}
//      strings {service: "RoleService", version: "1.0"}
//
// Normalization: keys are lowercased, trimmed, inner spaces become '_',
// nested keys are joined with '.', array items are indexed ("disks.0.used").
// Numbers given as strings ("42", " 3.5 ", "56%") become numbers, except for
// keys listed in `string_keys` (a version "2.0" stays a string). Booleans
// become 1/0; nulls are skipped. Fields are never dropped for being
// unknown: any extra field a server sends is kept, up to max_fields.
//
// Thread-safety: pure function.
#ifndef SONDE_STATUS_PAGE_H_
#define SONDE_STATUS_PAGE_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sonde/status.h"

namespace sonde::poller {

struct StatusPageOptions {
  // Fields kept per page (numeric and string together); the rest are counted
  // in StatusPage::dropped. 1 to 10,000. Default: 256.
  size_t max_fields = 256;

  // Nesting followed below the top-level object; deeper values are counted
  // in StatusPage::dropped. 1 to 32. Default: 8.
  int max_depth = 8;

  // Keys (after normalization) that stay strings even when they look like
  // numbers. Default: application, version, service, hostname, host, name, ip.
  std::vector<std::string> string_keys = {"application", "version", "service", "hostname",
                                          "host",        "name",    "ip"};

  // Returns InvalidArgument naming the first field out of range.
  Status Validate() const;
};

struct StatusPage {
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> strings;
  size_t dropped = 0;  // Fields over max_fields or max_depth, or keys over 255 bytes.
};

// Parses and normalizes one page. Returns Corruption ("invalid JSON at byte
// 17: ...", "status page is a JSON array, not an object") when the body is
// not a JSON object.
Result<StatusPage> ParseStatusPage(std::string_view body, const StatusPageOptions& options);

// "56%" -> 56, " 3.5 " -> 3.5, "1e3" -> 1000; false for anything else
// (including "", "1.0.1", "nan", "inf").
bool ParseNumericString(std::string_view text, double* value);

// Lowercases, trims and replaces whitespace and control characters with '_'.
std::string NormalizeKey(std::string_view key);

}  // namespace sonde::poller

#endif  // SONDE_STATUS_PAGE_H_

// Targets: the servers sonde-poller polls, read from an inventory file (-i)
// or a discovery endpoint's JSON list, and turned into status URLs by a
// pattern. docs/poller.md, "Targets".
//
// A target is written "host" or "host:port": a DNS name, an IPv4 address or
// a bracketed IPv6 address ("[::1]:8080"). It is also the samples' source,
// so "10.0.0.1:8080" and "10.0.0.1:8081" (two services on one IP) are two
// targets, never merged. Only an exact repeat of a target is dropped (and
// reported).
//
// Thread-safety: pure functions; values.
#ifndef SONDE_TARGET_H_
#define SONDE_TARGET_H_

#include <string>
#include <string_view>
#include <vector>

#include "sonde/status.h"

namespace sonde::poller {

struct Target {
  std::string name;  // "host" or "host:port" exactly as listed; the sample source.
  bool operator==(const Target&) const = default;
};

// A line (inventory) or list entry (discovery) that was skipped.
struct TargetError {
  int position = 0;    // 1-based line number, or 1-based entry index for discovery.
  std::string text;    // The offending text (cut to 200 bytes).
  std::string reason;  // e.g. "port 70000 is out of range 1-65535".
  bool operator==(const TargetError&) const = default;
};

struct TargetList {
  std::vector<Target> targets;      // In input order, duplicates removed.
  std::vector<TargetError> errors;  // Skipped entries, in input order.
};

// Checks one target spelling. Returns InvalidArgument with the reason.
Status ValidateTarget(std::string_view target);

// Parses an inventory: one target per line; blank lines and '#' comments
// (whole-line or after the target) are ignored; surrounding whitespace and
// CRLF line ends are allowed. Bad lines and repeats go to `errors` with
// their line number; everything else is kept.
TargetList ParseInventory(std::string_view text);

// Reads and parses an inventory file. Returns NotFound or IOError (with the
// path) when the file cannot be read, InvalidArgument when it holds more
// than `max_bytes`.
Result<TargetList> LoadInventory(const std::string& path, size_t max_bytes = 64u << 20);

// Parses a discovery response: a JSON array (or an object whose "servers"
// member is one) of strings ("10.0.0.1", "10.0.0.1:8080") or objects with an
// "ip", "host", "hostname" or "address" member and an optional "port"
// (number or string); member names are matched without regard to case.
// Bad entries go to `errors` by 1-based index. Returns Corruption when the
// body is not JSON or holds no such list.
Result<TargetList> ParseDiscovery(std::string_view body);

// Checks a URL pattern: http:// or https://, containing "{host}".
Status ValidateUrlPattern(std::string_view pattern);

// Replaces every "{host}" in `pattern` with the target's name.
std::string ExpandUrlPattern(std::string_view pattern, const Target& target);

}  // namespace sonde::poller

#endif  // SONDE_TARGET_H_

// Target spelling, inventory files and URL patterns (docs/poller.md, "Targets").
#include "sonde/target.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include "sonde/wire.h"

namespace sonde::poller {
namespace {

constexpr size_t kMaxQuotedText = 200;

bool IsIpv6(const std::string& s) {
  in6_addr a;
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool LooksLikeIpv4(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789.") == std::string_view::npos;
}

Status ValidatePort(std::string_view port) {
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos) {
    return Status::InvalidArgument(fmt::format("port '{}' is not a number", port));
  }
  const int value = std::stoi(std::string(port));
  if (value < 1 || value > 65535) {
    return Status::InvalidArgument(fmt::format("port {} is out of range 1-65535", value));
  }
  return Status::OK();
}

Status ValidateHostName(std::string_view host) {
  if (host.empty()) return Status::InvalidArgument("empty host");
  if (LooksLikeIpv4(host)) {
    in_addr a;
    if (inet_pton(AF_INET, std::string(host).c_str(), &a) != 1) {
      return Status::InvalidArgument(fmt::format("'{}' is not a valid IPv4 address", host));
    }
    return Status::OK();
  }
  if (host.size() > 253) return Status::InvalidArgument("host name longer than 253 bytes");
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    if (dot == host.npos) dot = host.size();
    std::string_view label = host.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return Status::InvalidArgument(fmt::format("'{}' is not a valid host name", host));
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
        return Status::InvalidArgument(
            fmt::format("'{}' is not a valid host name (character '{}')", host, c));
      }
    }
    start = dot + 1;
  }
  return Status::OK();
}

Status ValidateBracketed(std::string_view target) {
  const size_t close = target.find(']');
  if (close == target.npos) return Status::InvalidArgument("missing ']' after IPv6 address");
  if (!IsIpv6(std::string(target.substr(1, close - 1)))) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a valid IPv6 address", target.substr(1, close - 1)));
  }
  std::string_view rest = target.substr(close + 1);
  if (rest.empty()) return Status::OK();
  if (rest.front() != ':') return Status::InvalidArgument("expected ':port' after ']'");
  return ValidatePort(rest.substr(1));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view s) { return std::string(s.substr(0, kMaxQuotedText)); }

}  // namespace

Status ValidateTarget(std::string_view target) {
  if (target.empty()) return Status::InvalidArgument("empty target");
  if (target.size() > kMaxSourceBytes) {
    return Status::InvalidArgument(fmt::format("target longer than {} bytes", kMaxSourceBytes));
  }
  if (target.find("://") != target.npos || target.find('/') != target.npos) {
    return Status::InvalidArgument(
        "write host or host:port, not a URL (--url-pattern adds scheme and path)");
  }
  if (target.front() == '[') return ValidateBracketed(target);
  const size_t colon = target.find(':');
  if (colon != target.npos && target.find(':', colon + 1) != target.npos) {
    return Status::InvalidArgument(IsIpv6(std::string(target))
                                       ? "IPv6 address must be in brackets: [addr] or [addr]:port"
                                       : "more than one ':'");
  }
  if (colon == target.npos) return ValidateHostName(target);
  SONDE_RETURN_IF_ERROR(ValidateHostName(target.substr(0, colon)));
  return ValidatePort(target.substr(colon + 1));
}

TargetList ParseInventory(std::string_view text) {
  TargetList list;
  std::unordered_map<std::string_view, int> seen;  // Views into `text`.
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == text.npos ? text.size() : end + 1);
    const std::string_view raw = Trim(line);
    std::string_view entry = Trim(line.substr(0, line.find('#')));
    if (entry.empty()) continue;
    if (entry.find_first_of(" \t") != entry.npos) {
      list.errors.push_back({line_no, Quote(raw), "one target per line"});
      continue;
    }
    if (Status s = ValidateTarget(entry); !s.ok()) {
      list.errors.push_back({line_no, Quote(raw), s.message()});
      continue;
    }
    auto [it, inserted] = seen.emplace(entry, line_no);
    if (!inserted) {
      list.errors.push_back({line_no, Quote(raw), fmt::format("repeats line {}", it->second)});
      continue;
    }
    list.targets.push_back(Target{std::string(entry)});
  }
  return list;
}

Result<TargetList> LoadInventory(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    std::string msg = fmt::format("inventory {}: {}", path, std::strerror(err));
    return err == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
  }
  std::string text;
  char buf[64 * 1024];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return Status::InvalidArgument(
          fmt::format("inventory {}: larger than {} bytes", path, max_bytes));
    }
  }
  if (in.bad()) return Status::IOError(fmt::format("inventory {}: read failed", path));
  return ParseInventory(text);
}

Status ValidateUrlPattern(std::string_view pattern) {
  if (pattern.rfind("http://", 0) != 0 && pattern.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(
        fmt::format("url pattern '{}' must start with http:// or https://", pattern));
  }
  if (pattern.find("{host}") == pattern.npos) {
    return Status::InvalidArgument(fmt::format("url pattern '{}' has no {{host}}", pattern));
  }
  return Status::OK();
}

std::string ExpandUrlPattern(std::string_view pattern, const Target& target) {
  static constexpr std::string_view kPlaceholder = "{host}";
  std::string url;
  url.reserve(pattern.size() + target.name.size());
  size_t pos = 0;
  while (true) {
    size_t at = pattern.find(kPlaceholder, pos);
    url.append(pattern.substr(pos, at == pattern.npos ? pattern.npos : at - pos));
    if (at == pattern.npos) break;
    url.append(target.name);
    pos = at + kPlaceholder.size();
  }
  return url;
}

}  // namespace sonde::poller

#include "sonde/endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cassert>
#include <charconv>
#include <cstring>

namespace sonde {
namespace {

constexpr std::string_view kExpected = "expected udp://host:port, tcp://host:port or ipc://path";
constexpr size_t kMaxHostBytes = 253;  // The longest DNS name.
// sun_path holds the path and its terminating NUL.
constexpr size_t kMaxIpcPathBytes = sizeof(sockaddr_un{}.sun_path) - 1;

Status Invalid(std::string_view uri, std::string_view why) {
  std::string msg = "endpoint '";
  msg.append(uri).append("': ").append(why);
  return Status::InvalidArgument(msg);
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool IsWildcardHost(std::string_view host) {
  return host == "*" || host == "0.0.0.0" || host == "::";
}

// Splits "host:port" or "[v6]:port" into *host (unbracketed) and *port_text.
Status SplitHostPort(std::string_view uri, std::string_view authority, std::string_view* host,
                     std::string_view* port_text) {
  size_t colon;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid(uri, "missing ']' after IPv6 host");
    *host = authority.substr(1, close - 1);
    in6_addr ignored;
    if (std::string v6(*host); inet_pton(AF_INET6, v6.c_str(), &ignored) != 1) {
      return Invalid(uri, "'" + v6 + "' is not an IPv6 address");
    }
    colon = close + 1;
    if (colon >= authority.size() || authority[colon] != ':') {
      return Invalid(uri, "missing ':port' after the host; " + std::string(kExpected));
    }
  } else {
    colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
      return Invalid(uri, "missing ':port' after the host; " + std::string(kExpected));
    }
    *host = authority.substr(0, colon);
    if (host->find(':') != std::string_view::npos) {
      return Invalid(uri, "an IPv6 host goes in brackets, e.g. udp://[::1]:7700");
    }
    if (*host != "*") {
      for (char c : *host) {
        if (!IsHostChar(c))
          return Invalid(uri, "host '" + std::string(*host) + "' has a bad character");
      }
    }
  }
  if (host->empty()) return Invalid(uri, "missing host; " + std::string(kExpected));
  if (host->size() > kMaxHostBytes) return Invalid(uri, "host is longer than 253 bytes");
  *port_text = authority.substr(colon + 1);
  return Status::OK();
}

Status ParsePort(std::string_view uri, std::string_view text, EndpointRole role, uint16_t* port) {
  if (text == "*" && role == EndpointRole::kBind) {
    *port = 0;
    return Status::OK();
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535) {
    return Invalid(uri, "port '" + std::string(text) + "' is not a number in 1-65535");
  }
  if (value == 0 && role == EndpointRole::kConnect) {
    return Invalid(uri, "port 0 is only valid for binding");
  }
  *port = static_cast<uint16_t>(value);
  return Status::OK();
}

Result<Endpoint> ParseHostPort(std::string_view uri, Transport transport, std::string_view rest,
                               EndpointRole role) {
  std::string_view host;
  std::string_view port_text;
  SONDE_RETURN_IF_ERROR(SplitHostPort(uri, rest, &host, &port_text));
  Endpoint ep;
  ep.transport = transport;
  ep.host = std::string(host);
  if (ep.is_wildcard() && role == EndpointRole::kConnect) {
    return Invalid(uri,
                   "host '" + ep.host + "' is only valid for binding; name the host to send to");
  }
  SONDE_RETURN_IF_ERROR(ParsePort(uri, port_text, role, &ep.port));
  return ep;
}

Result<Endpoint> ParseIpc(std::string_view uri, std::string_view path) {
  if (path.empty()) return Invalid(uri, "missing path after ipc://");
  if (path.find('\0') != std::string_view::npos) return Invalid(uri, "path has a NUL byte");
  if (path.size() > kMaxIpcPathBytes) {
    return Invalid(uri, "path is longer than " + std::to_string(kMaxIpcPathBytes) + " bytes");
  }
  Endpoint ep;
  ep.transport = Transport::kZmqIpc;
  ep.path = std::string(path);
  return ep;
}

std::string HostPort(const std::string& host, uint16_t port, bool ipv6, bool star_port) {
  std::string out = ipv6 ? "[" + host + "]" : host;
  out += ':';
  out += (star_port && port == 0) ? "*" : std::to_string(port);
  return out;
}

// Resolves the host and port of a udp:// (SOCK_DGRAM) or tcp://
// (SOCK_STREAM) endpoint to an address of `family` (AF_UNSPEC: either).
Result<SocketAddress> ResolveHostPort(const Endpoint& endpoint, int socktype, int family) {
  SocketAddress out;
  if (endpoint.is_wildcard()) {
    if (endpoint.is_ipv6()) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
      in6->sin6_family = AF_INET6;
      in6->sin6_addr = in6addr_any;
      in6->sin6_port = htons(endpoint.port);
      out.length = sizeof(sockaddr_in6);
    } else {
      auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
      in->sin_family = AF_INET;
      in->sin_addr.s_addr = htonl(INADDR_ANY);
      in->sin_port = htons(endpoint.port);
      out.length = sizeof(sockaddr_in);
    }
    return out;
  }
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  // A literal must never wait on DNS, whatever the resolver configuration.
  hints.ai_flags = AI_NUMERICSERV | (endpoint.has_numeric_host() ? AI_NUMERICHOST : 0);
  addrinfo* list = nullptr;
  std::string port = std::to_string(endpoint.port);
  int rc = getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0 || list == nullptr) return ResolveError(endpoint, rc != 0 ? rc : EAI_NONAME);
  const addrinfo* pick = list;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET) {
      pick = ai;
      break;
    }
  }
  std::memcpy(&out.storage, pick->ai_addr, pick->ai_addrlen);
  out.length = pick->ai_addrlen;
  freeaddrinfo(list);
  return out;
}

}  // namespace

bool Endpoint::is_wildcard() const { return IsWildcardHost(host); }

bool Endpoint::is_ipv6() const { return host.find(':') != std::string::npos; }

bool Endpoint::has_numeric_host() const {
  if (transport == Transport::kZmqIpc || is_wildcard()) return false;
  unsigned char addr[sizeof(in6_addr)];
  return inet_pton(is_ipv6() ? AF_INET6 : AF_INET, host.c_str(), addr) == 1;
}

std::string Endpoint::ZmqAddress() const {
  assert(is_zmq());
  if (transport == Transport::kZmqIpc) return "ipc://" + path;
  return "tcp://" + HostPort(host, port, is_ipv6(), /*star_port=*/true);
}

std::string Endpoint::ToString() const {
  switch (transport) {
    case Transport::kUdp:
      return "udp://" + HostPort(host, port, is_ipv6(), false);
    case Transport::kZmqTcp:
      return "tcp://" + HostPort(host, port, is_ipv6(), false);
    case Transport::kZmqIpc:
      return "ipc://" + path;
  }
  return "";
}

Result<Endpoint> ParseEndpoint(std::string_view uri, EndpointRole role) {
  size_t sep = uri.find("://");
  if (sep == std::string_view::npos) return Invalid(uri, kExpected);
  std::string_view scheme = uri.substr(0, sep);
  std::string_view rest = uri.substr(sep + 3);
  if (scheme == "udp") return ParseHostPort(uri, Transport::kUdp, rest, role);
  if (scheme == "tcp") return ParseHostPort(uri, Transport::kZmqTcp, rest, role);
  if (scheme == "ipc") return ParseIpc(uri, rest);
  return Invalid(uri, "unknown scheme '" + std::string(scheme) + "'; " + std::string(kExpected));
}

std::string SocketAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    port = ntohs(in->sin_port);
    return std::string(text) + ":" + std::to_string(port);
  }
  if (family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    port = ntohs(in6->sin6_port);
  }
  return "[" + std::string(text) + "]:" + std::to_string(port);
}

Status ResolveError(const Endpoint& endpoint, int gai_error) {
  std::string msg = "endpoint '" + endpoint.ToString() + "': cannot resolve '" + endpoint.host +
                    "': " + gai_strerror(gai_error);
  switch (gai_error) {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:  // The name exists but has no address.
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:  // The name has no address of the family asked for.
#endif
      return Status::NotFound(msg);
    default:
      // EAI_AGAIN (no DNS server reachable yet, as at boot), EAI_FAIL,
      // EAI_SYSTEM, EAI_MEMORY...: says nothing about the name.
      return Status::Unavailable(msg);
  }
}

Result<SocketAddress> ResolveUdp(const Endpoint& endpoint) {
  if (endpoint.transport != Transport::kUdp) {
    return Status::InvalidArgument("endpoint '" + endpoint.ToString() + "' is not udp://");
  }
  Result<SocketAddress> address = ResolveHostPort(endpoint, SOCK_DGRAM, AF_UNSPEC);
  // A udp:// address is resolved once, for good, so every failure is as
  // final as a name that does not exist, and has always been NotFound.
  if (!address && address.error().IsUnavailable()) {
    return Status::NotFound(address.error().message());
  }
  return address;
}

Result<SocketAddress> ResolveTcp(const Endpoint& endpoint) {
  if (endpoint.transport != Transport::kZmqTcp) {
    return Status::InvalidArgument("endpoint '" + endpoint.ToString() + "' is not tcp://");
  }
  // The family ZeroMQ resolves in: IPv6 with ZMQ_IPV6, which the emitter
  // sets for IPv6 literals only; IPv4 otherwise.
  return ResolveHostPort(endpoint, SOCK_STREAM, endpoint.is_ipv6() ? AF_INET6 : AF_INET);
}

}  // namespace sonde

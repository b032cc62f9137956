// Endpoints: where samples go (or where a service listens), written as URIs.
//
//   udp://host:port     one MessagePack batch per datagram
//   tcp://host:port     ZeroMQ over TCP (the emitter PUSHes, the broker PULLs)
//   ipc://path          ZeroMQ over a Unix domain socket
//
// `host` is a name, an IPv4 address or a bracketed IPv6 address
// (udp://[::1]:7700). Binding (EndpointRole::kBind) also accepts the wildcard
// hosts `*`, `0.0.0.0` and `[::]`, and port 0 or `*` for "any free port".
//
// Thread-safety: functions are reentrant; an Endpoint is a value.
#ifndef SONDE_ENDPOINT_H_
#define SONDE_ENDPOINT_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "sonde/status.h"

namespace sonde {

enum class Transport : uint8_t {
  kUdp,     // udp://host:port
  kZmqTcp,  // tcp://host:port
  kZmqIpc,  // ipc://path
};

// Whether an endpoint will be connected to (emitters) or bound (services).
enum class EndpointRole : uint8_t { kConnect, kBind };

// A parsed endpoint URI.
struct Endpoint {
  Transport transport = Transport::kUdp;
  std::string host;   // Without brackets; "*" for any address. Empty for ipc.
  uint16_t port = 0;  // 0: any free port (kBind only). 0 for ipc.
  std::string path;   // ipc only.

  bool is_zmq() const { return transport != Transport::kUdp; }
  // True for `*`, `0.0.0.0` and `::`.
  bool is_wildcard() const;
  // True when host is an IPv6 literal (it was bracketed in the URI).
  bool is_ipv6() const;
  // True when host is an IPv4 or IPv6 address literal: using it needs no
  // DNS lookup. False for names, wildcards and ipc.
  bool has_numeric_host() const;

  // The address ZeroMQ takes in zmq_connect()/zmq_bind(): "tcp://127.0.0.1:7701",
  // "tcp://[::1]:7701", "tcp://*:*" (any address, any port), "ipc:///run/x.sock".
  // REQUIRES: is_zmq().
  std::string ZmqAddress() const;

  // The canonical URI, e.g. "udp://[::1]:7700".
  std::string ToString() const;
};

// Parses `uri`. Returns InvalidArgument with a message naming the endpoint
// and what was expected, e.g. "endpoint 'foo': expected udp://host:port,
// tcp://host:port or ipc://path".
Result<Endpoint> ParseEndpoint(std::string_view uri, EndpointRole role = EndpointRole::kConnect);

// A socket address for a UDP or TCP endpoint.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  // "127.0.0.1:7700" or "[::1]:7700".
  std::string ToString() const;
};

// Resolves a UDP endpoint with getaddrinfo (this may block on DNS for a
// name; call it at start-up, not on a hot path). A name with both IPv4 and
// IPv6 addresses resolves to its first IPv4 one, so that "localhost" meets a
// broker bound on 127.0.0.1. Wildcards resolve to the IPv4 or IPv6 any
// address. Returns InvalidArgument for a non-UDP endpoint and NotFound when
// the name does not resolve, for whatever reason (the address is never
// looked up again, so even a temporary failure is final).
Result<SocketAddress> ResolveUdp(const Endpoint& endpoint);

// Resolves a tcp:// endpoint as ResolveUdp does a udp:// one, with the same
// messages ("endpoint 'tcp://x:7701': cannot resolve 'x': ..."), with two
// differences. The lookup is in the one address family ZeroMQ connects with:
// IPv6 for an IPv6 literal (the emitter sets ZMQ_IPV6 for those only), IPv4
// otherwise, so that a name with only IPv6 addresses fails here rather than
// never connecting. And a failure is classified by ResolveError: NotFound
// only when the name has no address, Unavailable otherwise.
// ZeroMQ resolves names itself, but only when it connects, in the
// background: the emitter calls this at open so that a name that does not
// exist fails at once instead of looking like a broker that is down.
// Returns InvalidArgument for an endpoint that is not tcp://.
Result<SocketAddress> ResolveTcp(const Endpoint& endpoint);

// The Status for a getaddrinfo() failure `gai_error` (an EAI_* code) on
// `endpoint`: NotFound when the answer is definite, the name has no address
// (EAI_NONAME; EAI_NODATA and EAI_ADDRFAMILY where defined), Unavailable for
// any other failure (EAI_AGAIN when no DNS server answers yet, EAI_FAIL,
// EAI_SYSTEM...), which a later lookup may not repeat.
Status ResolveError(const Endpoint& endpoint, int gai_error);

}  // namespace sonde

#endif  // SONDE_ENDPOINT_H_

// Endpoint URIs: a table of accepted and rejected inputs (brubeck's
// must_parse / must_not_parse), then address resolution.
#include "sonde/endpoint.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netdb.h>
#include <netinet/in.h>

namespace sonde {
namespace {

struct Good {
  const char* uri;
  EndpointRole role;
  Transport transport;
  const char* host;
  uint16_t port;
  const char* path;
  const char* zmq_address;  // nullptr for udp.
  const char* canonical;
};

constexpr EndpointRole kConnect = EndpointRole::kConnect;
constexpr EndpointRole kBind = EndpointRole::kBind;

const Good kGood[] = {
    {"udp://127.0.0.1:7700", kConnect, Transport::kUdp, "127.0.0.1", 7700, "", nullptr,
     "udp://127.0.0.1:7700"},
    {"udp://localhost:1", kConnect, Transport::kUdp, "localhost", 1, "", nullptr,
     "udp://localhost:1"},
    {"udp://web-01.example.com:65535", kConnect, Transport::kUdp, "web-01.example.com", 65535, "",
     nullptr, "udp://web-01.example.com:65535"},
    {"udp://[::1]:7700", kConnect, Transport::kUdp, "::1", 7700, "", nullptr, "udp://[::1]:7700"},
    {"tcp://127.0.0.1:7701", kConnect, Transport::kZmqTcp, "127.0.0.1", 7701, "",
     "tcp://127.0.0.1:7701", "tcp://127.0.0.1:7701"},
    {"tcp://[::1]:7701", kConnect, Transport::kZmqTcp, "::1", 7701, "", "tcp://[::1]:7701",
     "tcp://[::1]:7701"},
    {"ipc:///run/sonde/broker.sock", kConnect, Transport::kZmqIpc, "", 0, "/run/sonde/broker.sock",
     "ipc:///run/sonde/broker.sock", "ipc:///run/sonde/broker.sock"},
    {"ipc://@sonde", kConnect, Transport::kZmqIpc, "", 0, "@sonde", "ipc://@sonde", "ipc://@sonde"},
    {"ipc://relative.sock", kBind, Transport::kZmqIpc, "", 0, "relative.sock",
     "ipc://relative.sock", "ipc://relative.sock"},
    // Binding: wildcard hosts, and port 0 or * for any free port.
    {"udp://0.0.0.0:7700", kBind, Transport::kUdp, "0.0.0.0", 7700, "", nullptr,
     "udp://0.0.0.0:7700"},
    {"udp://*:7700", kBind, Transport::kUdp, "*", 7700, "", nullptr, "udp://*:7700"},
    {"udp://127.0.0.1:0", kBind, Transport::kUdp, "127.0.0.1", 0, "", nullptr, "udp://127.0.0.1:0"},
    {"udp://[::]:7700", kBind, Transport::kUdp, "::", 7700, "", nullptr, "udp://[::]:7700"},
    {"tcp://*:7701", kBind, Transport::kZmqTcp, "*", 7701, "", "tcp://*:7701", "tcp://*:7701"},
    {"tcp://127.0.0.1:*", kBind, Transport::kZmqTcp, "127.0.0.1", 0, "", "tcp://127.0.0.1:*",
     "tcp://127.0.0.1:0"},
    {"tcp://0.0.0.0:0", kBind, Transport::kZmqTcp, "0.0.0.0", 0, "", "tcp://0.0.0.0:*",
     "tcp://0.0.0.0:0"},
};

TEST(Endpoint, ParsesGoodUris) {
  for (const Good& g : kGood) {
    SCOPED_TRACE(g.uri);
    Result<Endpoint> ep = ParseEndpoint(g.uri, g.role);
    ASSERT_TRUE(ep.has_value()) << ep.error().ToString();
    EXPECT_EQ(ep->transport, g.transport);
    EXPECT_EQ(ep->host, g.host);
    EXPECT_EQ(ep->port, g.port);
    EXPECT_EQ(ep->path, g.path);
    EXPECT_EQ(ep->is_zmq(), g.zmq_address != nullptr);
    if (g.zmq_address != nullptr) {
      EXPECT_EQ(ep->ZmqAddress(), g.zmq_address);
    }
    EXPECT_EQ(ep->ToString(), g.canonical);
  }
}

struct Bad {
  const char* uri;
  EndpointRole role;
  const char* message_has;
};

const Bad kBad[] = {
    {"", kConnect, "expected udp://host:port, tcp://host:port or ipc://path"},
    {"foo", kConnect, "endpoint 'foo': expected udp://host:port, tcp://host:port or ipc://path"},
    {"127.0.0.1:7700", kConnect, "expected udp://host:port"},
    {"http://127.0.0.1:7700", kConnect, "unknown scheme 'http'"},
    {"UDP://127.0.0.1:7700", kConnect, "unknown scheme 'UDP'"},
    {"udp://", kConnect, "missing ':port'"},
    {"udp://127.0.0.1", kConnect, "missing ':port'"},
    {"udp://:7700", kConnect, "missing host"},
    {"udp://127.0.0.1:", kConnect, "port '' is not a number"},
    {"udp://127.0.0.1:http", kConnect, "port 'http' is not a number"},
    {"udp://127.0.0.1:65536", kConnect, "port '65536' is not a number in 1-65535"},
    {"udp://127.0.0.1:-1", kConnect, "port '-1'"},
    {"udp://127.0.0.1:+80", kConnect, "port '+80'"},
    {"udp://127.0.0.1:7700/path", kConnect, "port '7700/path'"},
    {"udp://127.0.0.1:0", kConnect, "port 0 is only valid for binding"},
    {"tcp://127.0.0.1:*", kConnect, "port '*' is not a number"},
    {"udp://::1:7700", kConnect, "an IPv6 host goes in brackets"},
    {"udp://[::1:7700", kConnect, "missing ']'"},
    {"udp://[::1]7700", kConnect, "missing ':port'"},
    {"udp://[nonsense]:7700", kConnect, "'nonsense' is not an IPv6 address"},
    {"udp://we b:7700", kConnect, "host 'we b' has a bad character"},
    {"udp://*:7700", kConnect, "host '*' is only valid for binding"},
    {"udp://0.0.0.0:7700", kConnect, "host '0.0.0.0' is only valid for binding"},
    {"tcp://[::]:7701", kConnect, "host '::' is only valid for binding"},
    {"ipc://", kConnect, "missing path after ipc://"},
};

TEST(Endpoint, RejectsBadUrisWithClearMessages) {
  for (const Bad& b : kBad) {
    SCOPED_TRACE(b.uri);
    Result<Endpoint> ep = ParseEndpoint(b.uri, b.role);
    ASSERT_FALSE(ep.has_value());
    EXPECT_TRUE(ep.error().IsInvalidArgument());
    EXPECT_NE(ep.error().message().find(b.message_has), std::string::npos) << ep.error().message();
    EXPECT_EQ(ep.error().message().rfind(std::string("endpoint '") + b.uri + "'", 0), 0u)
        << ep.error().message();
  }
}

TEST(Endpoint, RejectsOverlongIpcPath) {
  // sun_path holds 108 bytes with the NUL.
  std::string path = "/" + std::string(106, 'p');
  EXPECT_TRUE(ParseEndpoint("ipc://" + path).has_value());
  Result<Endpoint> ep = ParseEndpoint("ipc://" + path + "p");
  ASSERT_FALSE(ep.has_value());
  EXPECT_NE(ep.error().message().find("path is longer than 107 bytes"), std::string::npos);
}

TEST(Endpoint, RejectsOverlongHost) {
  std::string uri = "udp://" + std::string(254, 'a') + ":1";
  Result<Endpoint> ep = ParseEndpoint(uri);
  ASSERT_FALSE(ep.has_value());
  EXPECT_NE(ep.error().message().find("longer than 253"), std::string::npos);
}

TEST(Endpoint, ResolvesIpv4Literal) {
  Result<SocketAddress> addr = ResolveUdp(*ParseEndpoint("udp://127.0.0.1:7700"));
  ASSERT_TRUE(addr.has_value()) << addr.error().ToString();
  ASSERT_EQ(addr->family(), AF_INET);
  const auto* in = reinterpret_cast<const sockaddr_in*>(&addr->storage);
  EXPECT_EQ(ntohs(in->sin_port), 7700);
  EXPECT_EQ(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
  EXPECT_EQ(addr->length, sizeof(sockaddr_in));
  EXPECT_EQ(addr->ToString(), "127.0.0.1:7700");
}

TEST(Endpoint, ResolvesIpv6Literal) {
  Result<SocketAddress> addr = ResolveUdp(*ParseEndpoint("udp://[::1]:7700"));
  ASSERT_TRUE(addr.has_value()) << addr.error().ToString();
  EXPECT_EQ(addr->family(), AF_INET6);
  EXPECT_EQ(addr->ToString(), "[::1]:7700");
}

TEST(Endpoint, ResolvesLocalhostToIpv4First) {
  Result<SocketAddress> addr = ResolveUdp(*ParseEndpoint("udp://localhost:7700"));
  ASSERT_TRUE(addr.has_value()) << addr.error().ToString();
  EXPECT_EQ(addr->ToString(), "127.0.0.1:7700");
}

TEST(Endpoint, ResolvesWildcards) {
  Result<SocketAddress> any4 = ResolveUdp(*ParseEndpoint("udp://*:0", EndpointRole::kBind));
  ASSERT_TRUE(any4.has_value());
  EXPECT_EQ(any4->ToString(), "0.0.0.0:0");
  Result<SocketAddress> any6 = ResolveUdp(*ParseEndpoint("udp://[::]:9", EndpointRole::kBind));
  ASSERT_TRUE(any6.has_value());
  EXPECT_EQ(any6->ToString(), "[::]:9");
}

TEST(Endpoint, ResolvesTcpAsUdp) {
  Result<SocketAddress> addr = ResolveTcp(*ParseEndpoint("tcp://127.0.0.1:7701"));
  ASSERT_TRUE(addr.has_value()) << addr.error().ToString();
  EXPECT_EQ(addr->ToString(), "127.0.0.1:7701");
  Result<SocketAddress> local = ResolveTcp(*ParseEndpoint("tcp://localhost:7701"));
  ASSERT_TRUE(local.has_value()) << local.error().ToString();
  EXPECT_EQ(local->ToString(), "127.0.0.1:7701");
  EXPECT_TRUE(ResolveTcp(*ParseEndpoint("udp://127.0.0.1:7700")).error().IsInvalidArgument());
  EXPECT_TRUE(ResolveTcp(*ParseEndpoint("ipc:///tmp/x")).error().IsInvalidArgument());
}

// Only names pay a lookup: literals are used as they are.
TEST(Endpoint, NumericHosts) {
  struct Case {
    const char* uri;
    bool numeric;
  };
  const Case cases[] = {
      {"tcp://127.0.0.1:1", true},
      {"udp://10.1.2.3:1", true},
      {"tcp://[::1]:1", true},
      {"udp://[fe80::1]:1", true},
      {"tcp://localhost:1", false},
      {"tcp://web-01.example.com:1", false},
      {"tcp://1.2.3.4.example:1", false},
      {"ipc:///tmp/x", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseEndpoint(c.uri)->has_numeric_host(), c.numeric) << c.uri;
  }
  EXPECT_FALSE(ParseEndpoint("tcp://*:1", EndpointRole::kBind)->has_numeric_host());
}

// Names that do not resolve are tested only with one the resolver refuses
// itself ("bad..name" has an empty label): any other would query DNS, and
// tests stay on loopback.
TEST(Endpoint, UnresolvableNameIsNotFoundForUdpAndTcp) {
  for (const char* uri : {"udp://bad..name:7700", "tcp://bad..name:7701"}) {
    Result<Endpoint> ep = ParseEndpoint(uri);
    ASSERT_TRUE(ep.has_value()) << uri;
    Result<SocketAddress> addr =
        ep->transport == Transport::kUdp ? ResolveUdp(*ep) : ResolveTcp(*ep);
    ASSERT_FALSE(addr.has_value()) << uri;
    EXPECT_TRUE(addr.error().IsNotFound());
    EXPECT_NE(addr.error().message().find(std::string("endpoint '") + uri +
                                          "': cannot resolve 'bad..name'"),
              std::string::npos)
        << addr.error().message();
  }
}

// tcp:// looks up in the family ZeroMQ connects with: IPv4 for names (the
// emitter sets ZMQ_IPV6 only for IPv6 literals), IPv6 for IPv6 literals.
TEST(Endpoint, ResolvesTcpInZeroMqsFamily) {
  Result<SocketAddress> v6 = ResolveTcp(*ParseEndpoint("tcp://[::1]:7701"));
  ASSERT_TRUE(v6.has_value()) << v6.error().ToString();
  EXPECT_EQ(v6->family(), AF_INET6);
  Result<SocketAddress> name = ResolveTcp(*ParseEndpoint("tcp://localhost:7701"));
  ASSERT_TRUE(name.has_value()) << name.error().ToString();
  EXPECT_EQ(name->family(), AF_INET);
}

// Only a definite "no such name" is NotFound (the emitter then fails to
// open); any other resolver failure, such as no DNS server reachable yet at
// boot, is Unavailable (a tcp:// emitter opens and ZeroMQ looks up again).
TEST(Endpoint, ResolveErrorTellsDefiniteFromTemporary) {
  const Endpoint ep = *ParseEndpoint("tcp://broker.example:7701");
  EXPECT_TRUE(ResolveError(ep, EAI_NONAME).IsNotFound());
#ifdef EAI_NODATA
  EXPECT_TRUE(ResolveError(ep, EAI_NODATA).IsNotFound());
#endif
#ifdef EAI_ADDRFAMILY
  EXPECT_TRUE(ResolveError(ep, EAI_ADDRFAMILY).IsNotFound());
#endif
  for (int temporary : {EAI_AGAIN, EAI_FAIL, EAI_SYSTEM, EAI_MEMORY}) {
    EXPECT_TRUE(ResolveError(ep, temporary).IsUnavailable()) << gai_strerror(temporary);
  }
  const Status again = ResolveError(ep, EAI_AGAIN);
  EXPECT_EQ(again.message(), std::string("endpoint 'tcp://broker.example:7701': cannot resolve "
                                         "'broker.example': ") +
                                 gai_strerror(EAI_AGAIN));
}

TEST(Endpoint, ResolveRejectsZmq) {
  Result<SocketAddress> zmq = ResolveUdp(*ParseEndpoint("tcp://127.0.0.1:7701"));
  ASSERT_FALSE(zmq.has_value());
  EXPECT_TRUE(zmq.error().IsInvalidArgument());
}

}  // namespace
}  // namespace sonde

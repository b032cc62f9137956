// Broker: the public face of BrokerImpl, plus the defaults that need the
// environment (the broker id, the stats source).
#include "sonde/broker.h"

#include <unistd.h>

#include <string>
#include <utility>
#include <zmq.hpp>

#include "broker_impl.h"
#include "sonde/endpoint.h"

namespace sonde::broker {

namespace {

// "<hostname>:<PUB port>" (or ":<ipc path>"): stable across restarts, so a
// subscriber sees a restarted broker's sequence start again and counts a
// restart instead of meeting a new broker each time; distinct for two
// brokers on one host. With an ephemeral PUB port (tests) the pid stands in.
std::string DefaultBrokerId(const std::string& pub) {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  host[sizeof host - 1] = '\0';
  std::string suffix = ":" + std::to_string(getpid());
  if (Result<Endpoint> e = ParseEndpoint(pub, EndpointRole::kBind); e.has_value()) {
    if (!e->path.empty()) suffix = ":" + e->path;
    if (e->port != 0) suffix = ":" + std::to_string(e->port);
  }
  if (suffix.size() > kMaxBrokerIdBytes / 2) suffix.resize(kMaxBrokerIdBytes / 2);
  std::string id(host);
  if (id.empty()) id = "broker";
  if (id.size() + suffix.size() > kMaxBrokerIdBytes) id.resize(kMaxBrokerIdBytes - suffix.size());
  return id + suffix;
}

// The host name, or "localhost" when it cannot be read.
std::string DefaultStatsSource() {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  host[sizeof host - 1] = '\0';
  std::string source(host);
  if (source.empty()) source = "localhost";
  if (source.size() > kMaxSourceBytes) source.resize(kMaxSourceBytes);
  return source;
}

}  // namespace

Result<std::unique_ptr<Broker>> Broker::Create(BrokerOptions options) {
  SONDE_RETURN_IF_ERROR(options.Validate());
  if (options.broker_id.empty()) options.broker_id = DefaultBrokerId(options.pub);
  if (options.stats_source.empty()) options.stats_source = DefaultStatsSource();
  std::unique_ptr<BrokerImpl> impl;
  try {
    impl = std::make_unique<BrokerImpl>(std::move(options));
  } catch (const zmq::error_t& e) {
    return Status::IOError(std::string("zmq context: ") + e.what());
  }
  SONDE_RETURN_IF_ERROR(impl->Bind());
  return std::unique_ptr<Broker>(new Broker(std::move(impl)));
}

Broker::Broker(std::unique_ptr<BrokerImpl> impl) : impl_(std::move(impl)) {}
Broker::~Broker() = default;

Status Broker::Run() { return impl_->Run(); }
void Broker::Stop() { impl_->Stop(); }
const std::string& Broker::broker_id() const { return impl_->options().broker_id; }
const std::string& Broker::stats_source() const { return impl_->options().stats_source; }
int Broker::udp_port() const { return impl_->udp_port(); }
const std::string& Broker::pull_endpoint() const { return impl_->pull_endpoint(); }
const std::string& Broker::pub_endpoint() const { return impl_->pub_endpoint(); }
BrokerCounters Broker::counters() const { return impl_->counters(); }

}  // namespace sonde::broker

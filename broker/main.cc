// sonde-broker: flags and config -> BrokerOptions -> Broker::Run() (docs/broker.md).
#include <cstdint>
#include <cstdio>
#include <limits>

#include "sonde/broker.h"
#include "sonde/log.h"
#include "sonde/service_cli.h"

int main(int argc, char** argv) {
  sonde::ServiceCli cli("sonde-broker",
                        "Validates Sonde batches from UDP and ZeroMQ PULL and fans them out on "
                        "ZeroMQ PUB (docs/broker.md).");
  sonde::broker::BrokerOptions o;
  CLI::App& app = cli.app();
  app.add_option("--udp", o.udp, "UDP ingest endpoint (\"\" disables)")->capture_default_str();
  app.add_option("--pull", o.pull, "ZeroMQ PULL ingest endpoint (\"\" disables)")
      ->capture_default_str();
  app.add_option("--pub", o.pub, "ZeroMQ PUB fan-out endpoint")->capture_default_str();
  app.add_option("--broker-id", o.broker_id, "Id in meta frames [hostname:PUB port]");
  app.add_option("--stats-source", o.stats_source, "Host of its own stats samples [hostname]");
  cli.AddDuration("--stats-interval", &o.stats_interval, "Publish own counters every (0: never)");
  uint64_t max_bytes = o.max_message_bytes, rcvbuf = o.udp_rcvbuf_bytes;
  cli.AddByteSize("--max-message-bytes", &max_bytes, "Largest message accepted");
  cli.AddByteSize("--udp-rcvbuf", &rcvbuf, "SO_RCVBUF to ask for (0: kernel default)");
  app.add_option("--pub-hwm", o.pub_hwm, "Publications queued per subscriber")
      ->capture_default_str();
  app.add_option("--pull-hwm", o.pull_hwm, "Messages queued on PULL")->capture_default_str();
  app.add_option("--drain-batch", o.drain_batch, "PULL messages per loop pass")
      ->capture_default_str();
  cli.AddDuration("--linger", &o.linger, "How long closing waits for subscribers");
  app.add_option("--batch-scheduling", o.batch_scheduling,
                 "Run the loop and ZeroMQ threads on SCHED_BATCH")
      ->capture_default_str();
  if (auto code = cli.Parse(argc, argv)) return *code;

  constexpr uint64_t kIntMax = std::numeric_limits<int>::max();
  o.max_message_bytes = static_cast<size_t>(max_bytes);
  o.udp_rcvbuf_bytes = static_cast<int>(rcvbuf < kIntMax ? rcvbuf : kIntMax);
  if (auto s = o.Validate(); !s.ok()) return cli.Fail(s.message());
  if (auto s = sonde::SetupLogging(cli.log_options()); !s.ok()) return cli.Fail(s.message());
  o.logger = sonde::GetLogger("sonde.broker");
  o.handle_signals = true;

  auto broker = sonde::broker::Broker::Create(o);
  if (!broker.has_value()) {
    std::fprintf(stderr, "sonde-broker: error: %s\n", broker.error().message().c_str());
    sonde::ShutdownLogging();
    return broker.error().IsInvalidArgument() ? 2 : 1;
  }
  o.logger->info("event=config {}", cli.EffectiveConfig());
  sonde::Status status = (*broker)->Run();
  std::printf("sonde-broker: stopped %s\n",
              sonde::broker::FormatCounters((*broker)->counters()).c_str());
  if (!status.ok()) std::fprintf(stderr, "sonde-broker: error: %s\n", status.message().c_str());
  broker->reset();
  sonde::ShutdownLogging();
  return status.ok() ? 0 : 1;
}

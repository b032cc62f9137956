// sonde-summarizer: flags -> SummarizerOptions -> Run() (docs/summarizer.md, docs/config.md).
#include <cstdio>

#include "sonde/data_dir.h"
#include "sonde/log.h"
#include "sonde/service_cli.h"
#include "sonde/summarizer.h"

int main(int argc, char** argv) {
  sonde::ServiceCli cli("sonde-summarizer",
                        "Rolls up samples from Sonde brokers by minute and hour, keeps them in "
                        "LMDB and serves them over HTTP (docs/summarizer.md).");
  sonde::summarizer::SummarizerOptions o;
  CLI::App& app = cli.app();
  app.add_option("--from", o.from, "Broker PUB endpoint to subscribe to (repeatable)")
      ->capture_default_str();
  app.add_option("--data-dir", o.data_dir,
                 "LMDB directory [$SONDE_DATA_DIR, ~/.local/state/sonde]");
  app.add_option("--http", o.http, "HTTP API address host:port (\"\" disables)")
      ->capture_default_str();
  cli.AddDuration("--flush-interval", &o.flush_interval, "Write touched windows every");
  cli.AddDuration("--lateness", &o.lateness, "Accept samples this long after their minute ends");
  cli.AddDuration("--max-future", &o.max_future, "Drop samples dated further ahead than");
  cli.AddDuration("--minute-retention", &o.minute_retention, "Keep minute windows for");
  cli.AddDuration("--hour-retention", &o.hour_retention, "Keep hour windows for");
  cli.AddDuration("--sweep-interval", &o.sweep_interval, "Run expiry every");
  cli.AddByteSize("--max-db-size", &o.max_db_size, "Hard limit on the LMDB map");
  app.add_option("--max-series", o.max_series, "Series held in memory at most")
      ->capture_default_str();
  app.add_option("--max-tag-values", o.max_tag_values, "Distinct values per tag key at most")
      ->capture_default_str();
  app.add_option("--max-windows", o.max_windows, "Windows in memory before shedding closed ones")
      ->capture_default_str();
  app.add_option("--sub-hwm", o.sub_hwm, "Publications queued on the SUB socket")
      ->capture_default_str();
  app.add_option("--batch-scheduling", o.batch_scheduling, "SCHED_BATCH for loop and ZeroMQ")
      ->capture_default_str();
  if (auto code = cli.Parse(argc, argv)) return *code;

  if (o.data_dir.empty()) {
    auto dir = sonde::DefaultDataDir();
    if (!dir.has_value()) return cli.Fail("--data-dir: " + dir.error().message());
    o.data_dir = *dir;
  }
  if (auto s = o.Validate(); !s.ok()) return cli.Fail(s.message());
  if (auto s = sonde::SetupLogging(cli.log_options()); !s.ok()) return cli.Fail(s.message());
  o.logger = sonde::GetLogger("sonde.summarizer");
  o.handle_signals = true;
  o.logger->info("event=config {}", cli.EffectiveConfig());

  auto summarizer = sonde::summarizer::Summarizer::Create(o);
  if (!summarizer.has_value()) {
    std::fprintf(stderr, "sonde-summarizer: error: %s\n", summarizer.error().message().c_str());
    sonde::ShutdownLogging();
    return summarizer.error().IsInvalidArgument() ? 2 : 1;
  }
  sonde::Status status = (*summarizer)->Run();
  if (!status.ok()) std::fprintf(stderr, "sonde-summarizer: error: %s\n", status.message().c_str());
  summarizer->reset();
  sonde::ShutdownLogging();
  return status.ok() ? 0 : 1;
}

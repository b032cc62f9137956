// RunAgentService: the agent on a libuv loop: a repeating timer ticks the
// probes into the emitter; SIGINT/SIGTERM (common's SignalWatcher) close the
// timer and the watcher, which lets the loop end.
#include <uv.h>

#include <string>

#include "sonde/agent.h"
#include "sonde/clock.h"
#include "sonde/emitter.h"
#include "sonde/log.h"
#include "sonde/signals.h"
#include "sonde/uv_loop.h"

namespace sonde::agent {
namespace {

// Forwards readings to the emitter; the emitter counts what it drops.
class EmitterSink final : public GaugeSink {
 public:
  explicit EmitterSink(Emitter* emitter) : emitter_(emitter) {}
  void Gauge(std::string_view name, double value, TagList tags) override {
    emitter_->Gauge(name, value, tags);
  }

 private:
  Emitter* emitter_;
};

struct Runner {
  Agent* agent;
  EmitterSink* sink;
  uv_timer_t timer;
};

void OnTimer(uv_timer_t* timer) {
  auto* runner = static_cast<Runner*>(timer->data);
  runner->agent->Tick(Clock::Real()->SteadyNs(), runner->sink);
}

}  // namespace

Status RunAgentService(const AgentOptions& options) {
  auto log = LoggerOrDefault(options.logger);
  Result<std::unique_ptr<Agent>> agent = Agent::Open(options);
  if (!agent) return agent.error();
  EmitterOptions eo;
  eo.endpoint = options.endpoint;
  eo.source = options.host;
  eo.tags = options.tags;
  eo.flush_interval = options.interval;  // One batch per tick.
  Result<std::unique_ptr<Emitter>> emitter = Emitter::Open(eo);
  if (!emitter) return emitter.error();
  EmitterSink sink(emitter->get());

  UvLoop loop;
  Runner runner{agent->get(), &sink, {}};
  SONDE_RETURN_IF_ERROR(UvStatus(uv_timer_init(loop.get(), &runner.timer), "uv_timer_init"));
  runner.timer.data = &runner;
  const auto interval = static_cast<uint64_t>(options.interval.count());
  // The first tick comes at once: it primes the rates and reports the levels.
  SONDE_RETURN_IF_ERROR(UvStatus(uv_timer_start(&runner.timer, OnTimer, 0, interval), "uv_timer_start"));

  SignalOptions so;
  std::unique_ptr<SignalWatcher> signals;
  so.on_stop = [&](int signum) {
    log->info("event=stopping signal={}", signum);
    uv_close(reinterpret_cast<uv_handle_t*>(&runner.timer), nullptr);
    signals->Close();
  };
  Result<std::unique_ptr<SignalWatcher>> watcher = SignalWatcher::Start(loop.get(), std::move(so));
  if (!watcher) return watcher.error();
  signals = std::move(*watcher);

  log->info("event=started host={} endpoint={} interval_ms={}", (*emitter)->source(),
            (*emitter)->endpoint(), options.interval.count());
  loop.Run();
  signals.reset();
  SONDE_RETURN_IF_ERROR(loop.Close());
  const EmitterCounters c = (*emitter)->counters();
  log->info("event=stopped ticks={} probe_errors={} sent_samples={} dropped={}",
            (*agent)->counters().ticks, (*agent)->counters().probe_errors, c.sent_samples,
            c.dropped());
  return Status::OK();
}

}  // namespace sonde::agent

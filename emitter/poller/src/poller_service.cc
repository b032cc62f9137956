// The sonde-poller program as a library: targets in, rounds on a loop,
// samples out, and for --once the report and the QoS verdict.
#include "sonde/poller_service.h"

#include <fmt/format.h>
#include <unistd.h>

#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "progress_line.h"
#include "report_writer.h"
#include "sample_writer.h"
#include "sonde/clock.h"
#include "sonde/fleet_render.h"
#include "sonde/signals.h"
#include "sonde/uv_loop.h"

namespace sonde::poller {
namespace {

constexpr const char* kDefaultDaemonTo = "udp://127.0.0.1:7700";

class PollerService {
 public:
  explicit PollerService(const PollerServiceOptions& options)
      : options_(options),
        log_(options.logger ? options.logger : GetLogger("sonde.poller")),
        progress_(loop_.get(), options.progress) {}

  Result<int> Run();

 private:
  Status Setup();
  Status LoadInventory();
  void NextRound();
  void StartRound();
  void OnRecord(fleet::TargetRecord&& record);
  void OnRoundDone();
  void FinishOnce();
  void ScheduleNext();
  void Fail(Status status);
  void Shutdown();
  std::vector<Target> MergedTargets(const TargetList* discovered);

  PollerServiceOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  UvLoop loop_;
  ProgressLine progress_;
  uv_timer_t interval_timer_;
  bool timer_open_ = false;
  std::unique_ptr<Poller> poller_;
  std::unique_ptr<SampleWriter> writer_;
  std::unique_ptr<SignalWatcher> signals_;
  bool stopping_ = false;

  std::vector<Target> inventory_;
  std::vector<Target> targets_;  // The current round's list.
  std::unordered_map<std::string, size_t> positions_;
  std::vector<std::optional<fleet::TargetRecord>> records_;  // --once, by position.
  std::optional<fleet::FleetAggregator> aggregator_;
  uint64_t round_started_ms_ = 0;
  PollerCounters counters_at_start_;

  Status error_;
  int exit_code_ = kExitOk;
};

Result<int> PollerService::Run() {
  Status s = Setup();
  if (!s.ok()) {
    Shutdown();
    loop_.Run();
    return s;
  }
  NextRound();
  loop_.Run();
  SONDE_RETURN_IF_ERROR(loop_.Close());
  if (!error_.ok()) return error_;
  return exit_code_;
}

Status PollerService::Setup() {
  SONDE_RETURN_IF_ERROR(options_.Validate());
  SONDE_RETURN_IF_ERROR(LoadInventory());
  PollerOptions po = options_.poller;
  if (!po.logger) po.logger = log_;
  auto poller = Poller::Create(loop_.get(), po);
  if (!poller) return poller.error();
  poller_ = std::move(*poller);
  const std::string to = !options_.to.empty() ? options_.to
                         : options_.once      ? std::string()
                                              : std::string(kDefaultDaemonTo);
  if (!to.empty()) {
    auto emitter = Emitter::Open(SampleWriterEmitterOptions(to));
    if (!emitter) return emitter.error().WithContext("--to");
    writer_ = std::make_unique<SampleWriter>(std::move(*emitter), options_.poller.page.string_keys);
  }
  uv_timer_init(loop_.get(), &interval_timer_);
  interval_timer_.data = this;
  timer_open_ = true;
  SignalOptions so;
  so.on_stop = [this](int signum) {
    log_->info("event=stop signal={}", signum);
    if (options_.once) Fail(Status::Unavailable(fmt::format("interrupted by signal {}", signum)));
    Shutdown();
  };
  auto signals = SignalWatcher::Start(loop_.get(), std::move(so));
  if (!signals) return signals.error();
  signals_ = std::move(*signals);
  log_->info("event=start targets={} discover=\"{}\" once={} to=\"{}\" max_connections={}",
             inventory_.size(), options_.discover_url, options_.once, to,
             options_.poller.max_connections);
  return Status::OK();
}

Status PollerService::LoadInventory() {
  if (options_.inventory.empty()) return Status::OK();
  Result<TargetList> list = sonde::poller::LoadInventory(options_.inventory);
  if (!list) return list.error();
  for (const TargetError& e : list->errors) {
    // A config file: bounded, and every bad line matters, so no rate limit.
    log_->warn("event=inventory_line_skipped file={} line={} text=\"{}\" reason=\"{}\"",
               options_.inventory, e.position, e.text, e.reason);
  }
  inventory_ = std::move(list->targets);
  if (inventory_.empty() && options_.discover_url.empty()) {
    return Status::InvalidArgument(
        fmt::format("inventory {} lists no valid target", options_.inventory));
  }
  return Status::OK();
}

std::vector<Target> PollerService::MergedTargets(const TargetList* discovered) {
  std::vector<Target> all = inventory_;
  if (discovered == nullptr) return all;
  std::unordered_set<std::string> seen;
  for (const Target& t : all) seen.insert(t.name);
  for (const Target& t : discovered->targets) {
    if (seen.insert(t.name).second) all.push_back(t);
  }
  return all;
}

void PollerService::NextRound() {
  if (stopping_) return;
  round_started_ms_ = uv_now(loop_.get());
  if (options_.discover_url.empty()) {
    targets_ = MergedTargets(nullptr);
    StartRound();
    return;
  }
  Status s = poller_->Discover(options_.discover_url, [this](Result<TargetList> list) {
    if (!list) {
      log_->error("event=discovery_failed url={} error=\"{}\"", options_.discover_url,
                  list.error().ToString());
      if (options_.once || targets_.empty()) {
        if (options_.once) return Fail(list.error());
        return ScheduleNext();
      }
      return StartRound();  // Keep polling the last known list.
    }
    for (const TargetError& e : list->errors) {
      log_->warn("event=discovery_entry_skipped entry={} text=\"{}\" reason=\"{}\"", e.position,
                 e.text, e.reason);
    }
    targets_ = MergedTargets(&*list);
    StartRound();
  });
  if (!s.ok()) Fail(s);
}

void PollerService::StartRound() {
  if (options_.once && targets_.empty()) {
    return Fail(Status::InvalidArgument("no targets to poll"));
  }
  aggregator_.emplace(options_.report);
  counters_at_start_ = poller_->counters();
  if (options_.once) {
    positions_.clear();
    for (size_t i = 0; i < targets_.size(); ++i) positions_[targets_[i].name] = i;
    records_.assign(targets_.size(), std::nullopt);
  }
  progress_.Start([this] { return poller_->progress(); });
  Status s = poller_->StartRound(
      targets_, [this](fleet::TargetRecord&& r) { OnRecord(std::move(r)); },
      [this] { OnRoundDone(); });
  if (!s.ok()) Fail(s);
}

void PollerService::OnRecord(fleet::TargetRecord&& record) {
  aggregator_->Add(record);
  if (writer_) writer_->Write(record, Clock::Real()->WallMs());
  if (options_.once) {
    auto it = positions_.find(record.target);
    if (it != positions_.end()) records_[it->second] = std::move(record);
  }
}

void PollerService::OnRoundDone() {
  progress_.Stop();
  const fleet::FleetReport report = aggregator_->Report();
  const uint64_t took = uv_now(loop_.get()) - round_started_ms_;
  const PollerCounters c = poller_->counters();
  log_->info(
      "event=round_done targets={} answered={} failed={} duration_ms={} qos_met={} "
      "requests={} retries={}",
      report.targets, report.answered, report.failed, took, report.qos.met,
      c.requests - counters_at_start_.requests, c.retries - counters_at_start_.retries);
  if (options_.once) return FinishOnce();
  if (!report.qos.met) log_->warn("event=qos_not_met message=\"{}\"", report.qos.message);
  ScheduleNext();
}

void PollerService::FinishOnce() {
  const fleet::FleetReport report = aggregator_->Report();
  std::vector<fleet::TargetRecord> records;
  records.reserve(records_.size());
  for (auto& r : records_) {
    if (r) records.push_back(std::move(*r));
  }
  if (!options_.output_dir.empty()) {
    Status s = WriteReportFiles(options_.output_dir, report, records, options_.report,
                                Clock::Real()->WallMs());
    if (!s.ok()) return Fail(s);
  }
  fleet::TableOptions table;
  table.color = isatty(fileno(options_.table_out)) == 1;
  table.list_failed = options_.verbose ? options_.list_failed : 0;
  const std::string text = fleet::RenderTable(report, records, table);
  std::fwrite(text.data(), 1, text.size(), options_.table_out);
  std::fflush(options_.table_out);
  if (!report.qos.met) {
    std::fprintf(stderr, "sonde-poller: %s\n", report.qos.message.c_str());
    exit_code_ = kExitQosNotMet;
  }
  Shutdown();
}

void PollerService::ScheduleNext() {
  if (stopping_) return;
  const uint64_t now = uv_now(loop_.get());
  const auto interval = static_cast<uint64_t>(options_.interval.count());
  const uint64_t due = round_started_ms_ + interval;
  if (due <= now) {
    log_->warn("event=round_overrun interval_ms={} took_ms={}", interval, now - round_started_ms_);
  }
  uv_timer_start(
      &interval_timer_, [](uv_timer_t* t) { static_cast<PollerService*>(t->data)->NextRound(); },
      due > now ? due - now : 0, 0);
}

void PollerService::Fail(Status status) {
  if (error_.ok()) error_ = std::move(status);
  Shutdown();
}

void PollerService::Shutdown() {
  if (stopping_) return;
  stopping_ = true;
  progress_.Close();
  if (poller_) poller_->Close({});
  if (signals_) signals_->Close();
  if (timer_open_) {
    timer_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&interval_timer_), nullptr);
  }
}

}  // namespace

Result<int> RunPollerService(const PollerServiceOptions& options) {
  PollerService service(options);
  return service.Run();
}

}  // namespace sonde::poller

#include "flush_writer.h"

#include <utility>

#include "sonde/log.h"

namespace sonde::summarizer {

FlushWriter::FlushWriter(Store* store, const Clock* clock, std::chrono::milliseconds sweep_interval,
                         std::shared_ptr<spdlog::logger> logger, DoneFn on_done)
    : store_(store),
      clock_(clock),
      sweep_interval_(sweep_interval),
      log_(LoggerOrDefault(std::move(logger))),
      on_done_(std::move(on_done)) {}

FlushWriter::~FlushWriter() { Stop(); }

void FlushWriter::Start() {
  try {
    thread_ = std::thread([this] { Main(); });
  } catch (const std::system_error& e) {
    SONDE_CHECK(false && "cannot start the writer thread");
  }
}

void FlushWriter::Submit(std::shared_ptr<TickBatch> batch) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = std::move(batch);
  }
  cv_.notify_one();
}

void FlushWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

FlushWriter::Stats FlushWriter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void FlushWriter::Main() {
  auto next_sweep = std::chrono::steady_clock::now() + sweep_interval_;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait_until(lock, next_sweep, [&] { return pending_ != nullptr || stop_; });
    if (pending_ != nullptr) {
      std::shared_ptr<TickBatch> batch = std::move(pending_);
      lock.unlock();
      const int64_t t0 = clock_->SteadyNs();
      batch->status = store_->Write(batch->batch, &batch->result);
      batch->write_ns = clock_->SteadyNs() - t0;
      on_done_(std::move(batch));
      lock.lock();
      continue;
    }
    if (stop_) return;
    if (std::chrono::steady_clock::now() >= next_sweep) {
      lock.unlock();
      RunSweep();
      lock.lock();
      next_sweep = std::chrono::steady_clock::now() + sweep_interval_;
    }
  }
}

// Expiry and the size cap, between writes; a sweep that stopped at its
// transaction budget continues at the next interval.
void FlushWriter::RunSweep() {
  const int64_t t0 = clock_->SteadyNs();
  SweepResult result;
  Status s = store_->Sweep(clock_->WallMs(), &result);
  const int64_t us = (clock_->SteadyNs() - t0) / 1000;
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.sweeps;
  stats_.last_sweep_us = us;
  if (!s.ok()) {
    ++stats_.sweep_errors;
    log_->error("event=sweep_failed error=\"{}\"", s.ToString());
  }
}

}  // namespace sonde::summarizer

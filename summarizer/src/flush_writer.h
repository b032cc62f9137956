// FlushWriter: the summarizer's LMDB writer thread (swap and flush,
// statsite style). The loop builds a TickBatch and Submit()s it; the thread
// runs Store::Write (one transaction per tick) and hands the batch back
// through `on_done`, which the summarizer wires to its LoopTaskQueue (a
// uv_async_send into the loop). Between batches the thread runs
// Store::Sweep every sweep_interval. Ingest never waits on LMDB: the loop
// only submits when the previous batch came back.
//
// Thread-safety: Submit() and Stop() from one thread (the loop); `on_done`
// runs on the writer thread. stats() from any thread.
#ifndef SONDE_SUMMARIZER_FLUSH_WRITER_H_
#define SONDE_SUMMARIZER_FLUSH_WRITER_H_

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sonde/clock.h"
#include "sonde/store.h"
#include "tick_batch.h"

namespace sonde::summarizer {

class FlushWriter {
 public:
  using DoneFn = std::function<void(std::shared_ptr<TickBatch>)>;

  struct Stats {
    uint64_t sweeps = 0;
    uint64_t sweep_errors = 0;
    int64_t last_sweep_us = 0;
  };

  // `store` and `clock` are not owned and must outlive the writer.
  FlushWriter(Store* store, const Clock* clock, std::chrono::milliseconds sweep_interval,
              std::shared_ptr<spdlog::logger> logger, DoneFn on_done);
  // Stops (see Stop()).
  ~FlushWriter();
  FlushWriter(const FlushWriter&) = delete;
  FlushWriter& operator=(const FlushWriter&) = delete;

  // Starts the thread. SONDE_CHECKs thread creation.
  void Start();

  // Hands a batch to the thread. REQUIRES: the previous one came back.
  void Submit(std::shared_ptr<TickBatch> batch);

  // Writes a batch already submitted, then joins the thread. Idempotent.
  void Stop();

  Stats stats() const;

 private:
  void Main();
  void RunSweep();

  Store* store_;
  const Clock* clock_;
  const std::chrono::milliseconds sweep_interval_;
  std::shared_ptr<spdlog::logger> log_;
  DoneFn on_done_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<TickBatch> pending_;  // Guarded by mu_.
  bool stop_ = false;                   // Guarded by mu_.
  Stats stats_;                         // Guarded by mu_.
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_FLUSH_WRITER_H_

// SummarizerImpl: wires the summarizer together on one libuv loop
// (docs/summarizer.md, "Threads"):
//
//   loop thread   SUB ingest (BusSubscriber) and liz POSTs -> RollupEngine;
//                 the flush timer builds a TickBatch and hands it over;
//                 /metrics, /healthz; answers deferred queries.
//   writer thread FlushWriter: Store::Write per tick, Store::Sweep now and
//                 then; returns each batch through the LoopTaskQueue.
//   query thread  ApiRoutes' QueryWorker: store reads and JSON.
//
// Stopping (Stop(), SIGINT, SIGTERM): ingest and HTTP close first, the batch
// in flight comes back, one last batch writes what is still held, then the
// writer stops and the handles close, which ends Run().
//
// Thread-safety: as Summarizer (summarizer.h).
#ifndef SONDE_SUMMARIZER_SUMMARIZER_IMPL_H_
#define SONDE_SUMMARIZER_SUMMARIZER_IMPL_H_

#include <spdlog/logger.h>
#include <uv.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "api_routes.h"
#include "bus_subscriber.h"
#include "flush_writer.h"
#include "query_service.h"
#include "rollup_engine.h"
#include "sonde/counters.h"
#include "sonde/http_server.h"
#include "sonde/log.h"
#include "sonde/loop_task_queue.h"
#include "sonde/signals.h"
#include "sonde/store.h"
#include "sonde/summarizer.h"
#include "sonde/uv_loop.h"
#include "sonde/wire.h"
#include "summarizer_metrics.h"
#include "tick_batch.h"

namespace sonde::summarizer {

class SummarizerImpl {
 public:
  explicit SummarizerImpl(SummarizerOptions options);
  ~SummarizerImpl();

  // Opens the store, resumes open windows, starts the sockets and server.
  Status Init();
  Status Run();
  void Stop();
  uint16_t http_port() const { return http_port_; }
  SummarizerCounters counters() const;

 private:
  Status OpenStore();
  Status StartHttp();
  void OnBusBatch(const BatchView& batch);
  using RejectCounts = std::array<uint64_t, kRejectReasonCount>;
  // Feeds a batch to the engine; returns the samples accepted and, when
  // `rejected` is given, sets the samples refused by reason.
  uint32_t IngestDecoded(const BatchView& batch, Counter* batches,
                         RejectCounts* rejected = nullptr);
  HttpResponse OnLizPost(const HttpRequest& request);
  HttpResponse OnMetrics();
  HttpResponse OnHealthz();
  void OnFlushTimer();
  void Flush();
  void OnWriteDone(std::shared_ptr<TickBatch> batch);
  void LogFlush(const TickBatch& batch);
  void BeginStop();
  void FinalFlush();
  void FinishStop();

  SummarizerOptions options_;
  const Clock* clock_;
  std::shared_ptr<spdlog::logger> log_;
  RateLimitedLog limited_;
  CounterRegistry registry_;
  SummarizerMetrics metrics_;

  std::unique_ptr<Store> store_;
  RollupEngine engine_;
  BatchView view_;          // Reused for every liz POST: decoding allocates nothing.
  std::string liz_buffer_;  // Reused for liz POSTs.

  UvLoop loop_;
  zmq::context_t zmq_context_;
  Status zmq_scheduling_;  // UseBatchSchedulingForZmq's outcome, for the log.
  std::unique_ptr<BusSubscriber> subscriber_;
  std::unique_ptr<LoopTaskQueue> queue_;
  std::unique_ptr<QueryService> query_service_;
  std::unique_ptr<ApiRoutes> routes_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<SignalWatcher> signals_;
  std::unique_ptr<FlushWriter> writer_;
  uv_timer_t flush_timer_;
  uv_async_t stop_async_;
  std::atomic<uint16_t> http_port_{0};

  // Loop-thread state.
  std::shared_ptr<TickBatch> spare_;  // Null while the writer has it.
  bool pending_tick_ = false;         // A tick came while the writer was busy.
  uint64_t ticks_skipped_ = 0;        // Ticks that found the writer busy, since the last flush log.
  uint64_t windows_shed_ = 0;         // Windows shed for the backlog, since the last flush log.
  bool stopping_ = false;
  bool final_submitted_ = false;
  Status last_write_status_;
  int64_t started_steady_ns_ = 0;

  std::mutex stop_mu_;
  bool loop_open_ = false;       // Guarded by stop_mu_: stop_async_ may be sent.
  bool stop_requested_ = false;  // Guarded by stop_mu_.
  bool ran_ = false;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_SUMMARIZER_IMPL_H_

// SummarizerMetrics: the summarizer's own counters (GET /metrics, names in
// docs/http-api.md), registered once in a CounterRegistry "sonde_summarizer".
// The engine keeps plain counts on the loop thread; Publish() moves their
// increase into these atomic counters after each batch, so that /metrics
// and Summarizer::counters() may read them from any thread.
//
// Thread-safety: Publish() on the loop thread; the Counter/Gauge pointers
// are safe from any thread.
#ifndef SONDE_SUMMARIZER_SUMMARIZER_METRICS_H_
#define SONDE_SUMMARIZER_SUMMARIZER_METRICS_H_

#include <array>

#include "rollup_engine.h"
#include "sonde/counters.h"
#include "sonde/store.h"

namespace sonde::summarizer {

struct SummarizerMetrics {
  // Registers every metric. `registry` must outlive this object.
  explicit SummarizerMetrics(CounterRegistry* registry);

  // Adds the engine's increase since the last call.
  void Publish(const RollupEngine& engine);

  // Registers the store's statistics (read at render time; Store::GetStats
  // is thread-safe). `store` must outlive the registry's renders.
  void AddStore(Store* store);

  CounterRegistry* registry;
  Counter* batches_bus;
  Counter* batches_http;
  Counter* samples;
  std::array<Counter*, kRejectReasonCount> rejected;
  Counter* series_created;
  Counter* series_evicted;
  Gauge* series_active;
  Gauge* windows_in_memory;
  Counter* windows_closed;
  Counter* windows_shed;
  Counter* resumed_windows;
  Counter* flushes;
  Counter* flush_errors;
  Counter* flush_windows;
  Counter* flush_series;
  Counter* flush_skipped_busy;
  Gauge* flush_duration_us;
  Gauge* flush_build_us;
  Counter* http_ingest_samples;
  Counter* http_ingest_errors;

 private:
  EngineStats published_;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_SUMMARIZER_METRICS_H_

#include "summarizer_metrics.h"

namespace sonde::summarizer {

SummarizerMetrics::SummarizerMetrics(CounterRegistry* reg) : registry(reg) {
  batches_bus =
      reg->AddCounter("batches", "Batches decoded and fed to the rollups.", {"source", "bus"});
  batches_http = reg->AddCounter("batches", "", {"source", "http"});
  samples = reg->AddCounter("samples", "Samples accepted into rollups.");
  for (int i = 0; i < kRejectReasonCount; ++i) {
    rejected[i] = reg->AddCounter("rejected", "Samples dropped, by reason.",
                                  {"reason", RejectReasonName(static_cast<RejectReason>(i))});
  }
  series_created = reg->AddCounter("series_created", "Series that appeared in memory.");
  series_evicted = reg->AddCounter("series_evicted",
                                   "Series dropped from memory once their last window closed.");
  series_active = reg->AddGauge("series_active", "Series held in memory.");
  windows_in_memory = reg->AddGauge("windows_in_memory", "Minute windows held in memory.");
  windows_closed = reg->AddCounter("windows_closed", "Minute windows written closed.");
  windows_shed = reg->AddCounter("shed_windows", "Closed windows dropped unwritten, by reason.",
                                 {"reason", "writer_backlog"});
  resumed_windows = reg->AddCounter("resumed_windows", "Open windows taken back at start.");
  flushes = reg->AddCounter("flushes", "Store writes committed (one transaction per tick).");
  flush_errors = reg->AddCounter("flush_errors", "Store writes that failed.");
  flush_windows = reg->AddCounter("flush_windows", "Windows written.");
  flush_series = reg->AddCounter("flush_series", "Latest states written.");
  flush_skipped_busy = reg->AddCounter(
      "flush_skipped_busy", "Ticks that found the writer busy (their data rides with the next).");
  flush_duration_us = reg->AddGauge("flush_duration_us", "Last store write, in microseconds.");
  flush_build_us =
      reg->AddGauge("flush_build_us", "Last batch build on the loop, in microseconds.");
  http_ingest_samples = reg->AddCounter("http_ingest_samples", "Samples posted to /api/perf.");
  http_ingest_errors = reg->AddCounter("http_ingest_errors", "Posts to /api/perf refused (400).");
}

void SummarizerMetrics::Publish(const RollupEngine& engine) {
  const EngineStats& s = engine.stats();
  samples->Inc(s.samples - published_.samples);
  for (int i = 0; i < kRejectReasonCount; ++i) {
    if (s.rejected[i] != published_.rejected[i]) {
      rejected[i]->Inc(s.rejected[i] - published_.rejected[i]);
    }
  }
  series_created->Inc(s.series_created - published_.series_created);
  series_evicted->Inc(s.series_evicted - published_.series_evicted);
  windows_closed->Inc(s.windows_closed - published_.windows_closed);
  windows_shed->Inc(s.windows_shed - published_.windows_shed);
  resumed_windows->Inc(s.resumed_windows - published_.resumed_windows);
  series_active->Set(static_cast<int64_t>(engine.series_count()));
  windows_in_memory->Set(static_cast<int64_t>(engine.windows_in_memory()));
  published_ = s;
}

void SummarizerMetrics::AddStore(Store* store) {
  struct Field {
    const char* name;
    const char* help;
    uint64_t StoreStats::*member;
    bool gauge;
  };
  static const Field kFields[] = {
      {"store_writes", "Store write transactions committed.", &StoreStats::writes, false},
      {"store_write_errors", "Store writes that failed (shed ones included).",
       &StoreStats::write_errors, false},
      {"store_windows_written", "Windows upserted.", &StoreStats::windows_written, false},
      {"store_series_registered", "New series in the catalog.", &StoreStats::series_registered,
       false},
      {"store_series_rejected", "Series ids that could not be resolved.",
       &StoreStats::series_rejected, false},
      {"store_map_grows", "Times the LMDB map grew.", &StoreStats::map_grows, false},
      {"store_batches_shed", "Batches shed at the map limit (reason map_limit).",
       &StoreStats::batches_shed, false},
      {"store_windows_shed", "Windows shed at the map limit.", &StoreStats::windows_shed, false},
      {"store_windows_expired", "Windows deleted by retention.", &StoreStats::windows_expired,
       false},
      {"store_windows_evicted", "Windows deleted for the size cap.", &StoreStats::windows_evicted,
       false},
      {"store_hosts_expired", "Hosts removed from the catalog.", &StoreStats::hosts_expired, false},
      {"store_series_expired", "Series removed from the catalog.", &StoreStats::series_expired,
       false},
      {"store_stale_readers_cleared", "Stale LMDB reader slots cleared.",
       &StoreStats::stale_readers_cleared, false},
      {"store_map_bytes", "Current LMDB map size.", &StoreStats::map_bytes, true},
      {"store_data_bytes", "Live LMDB pages in bytes.", &StoreStats::data_bytes, true},
  };
  for (const Field& f : kFields) {
    auto member = f.member;
    if (f.gauge) {
      registry->AddGaugeFunc(f.name, f.help, {}, [store, member] {
        return static_cast<int64_t>(store->GetStats().*member);
      });
    } else {
      registry->AddCounterFunc(f.name, f.help, {},
                               [store, member] { return store->GetStats().*member; });
    }
  }
}

}  // namespace sonde::summarizer

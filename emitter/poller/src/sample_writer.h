// SampleWriter: turns each TargetRecord into samples with source = the
// target (docs/poller.md, "Samples"; names in sonde/poll_metrics.h) and
// records them with Emitter::RecordFor, whose sender thread batches them per
// source and sends them without blocking the poller's loop.
//
// Per record: the poller's own samples (no tags), then, when the target is
// up, its fields, carrying the page's string fields as batch tags; the
// emitter puts each group in messages of its own. Fields and tags that break
// a wire limit are dropped and counted, never sent broken: tags keep at most
// 32 (the `preferred` keys first, then by name); keys over 64 bytes and
// values over 255 bytes are dropped; control characters in values become '?'.
//
// Ownership: owns the emitter. Thread-safety: one thread.
#ifndef SONDE_POLLER_SRC_SAMPLE_WRITER_H_
#define SONDE_POLLER_SRC_SAMPLE_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sonde/emitter.h"
#include "sonde/target_record.h"
#include "sonde/wire.h"

namespace sonde::poller {

struct SampleWriterCounters {
  uint64_t records = 0;
  uint64_t samples = 0;          // Samples queued in the emitter.
  uint64_t samples_invalid = 0;  // Fields the encoder refused (name too long, ...).
  uint64_t samples_dropped = 0;  // The emitter's queue was full.
  uint64_t tags_dropped = 0;     // String fields not sent as tags.
  uint64_t records_invalid = 0;  // Records whose source the encoder refused.
};

// The emitter options the poller sends with: `to` (sonde/endpoint.h), and a
// queue and ZeroMQ high-water mark sized for rounds of thousands of targets.
EmitterOptions SampleWriterEmitterOptions(const std::string& to);

class SampleWriter {
 public:
  // `preferred` tag keys are kept first when a page has more than 32.
  SampleWriter(std::unique_ptr<Emitter> emitter, std::vector<std::string> preferred);

  // Records the samples of `record`, stamped `timestamp_ms`.
  void Write(const fleet::TargetRecord& record, int64_t timestamp_ms);

  const SampleWriterCounters& counters() const { return counters_; }
  Emitter& emitter() { return *emitter_; }

 private:
  // Records one sample of the current record (and counts it, for Add).
  RecordResult Record(std::string_view name, double value, MetricKind kind);
  void Add(std::string_view name, double value, MetricKind kind) {
    Count(Record(name, value, kind));
  }
  void Count(RecordResult result);
  void SelectTags(const fleet::TargetRecord& record);

  std::unique_ptr<Emitter> emitter_;
  std::vector<std::string> preferred_;
  // The record being written: its source, time and (for fields) tags.
  std::string_view source_;
  int64_t timestamp_ms_ = 0;
  std::vector<TagView> tags_;
  std::vector<std::string> tag_values_;  // Sanitized copies that tags_ points into.
  std::vector<std::pair<std::string_view, std::string_view>> chosen_;
  std::string name_;  // Scratch for field sample names.
  SampleWriterCounters counters_;
};

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SRC_SAMPLE_WRITER_H_

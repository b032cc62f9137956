// SampleWriter: turns each TargetRecord into wire messages with source = the
// target (docs/poller.md, "Samples"; names in sonde/poll_metrics.h) and hands
// them to a BatchTransport.
//
// Per record: one message with the poller's own samples (no tags), then,
// when the target is up, as many messages as its fields need, each carrying
// the page's string fields as batch tags. Fields and tags that break a wire
// limit are dropped and counted, never sent broken: tags keep at most 32
// (the `preferred` keys first, then by name); keys over 64 bytes and values
// over 255 bytes are dropped; control characters in values become '?'.
//
// Ownership: owns the transport. Thread-safety: one thread.
#ifndef SONDE_POLLER_SRC_SAMPLE_WRITER_H_
#define SONDE_POLLER_SRC_SAMPLE_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "batch_transport.h"
#include "sonde/target_record.h"
#include "sonde/wire.h"

namespace sonde::poller {

struct SampleWriterCounters {
  uint64_t records = 0;
  uint64_t samples = 0;          // Samples put into messages.
  uint64_t messages = 0;         // Messages handed to the transport.
  uint64_t samples_invalid = 0;  // Fields the encoder refused (name too long, ...).
  uint64_t tags_dropped = 0;     // String fields not sent as tags.
  uint64_t records_invalid = 0;  // Records whose source the encoder refused.
};

class SampleWriter {
 public:
  // `preferred` tag keys are kept first when a page has more than 32.
  SampleWriter(std::unique_ptr<BatchTransport> transport, std::vector<std::string> preferred);

  // Encodes and sends the samples of `record`, stamped `timestamp_ms`.
  void Write(const fleet::TargetRecord& record, int64_t timestamp_ms);

  const SampleWriterCounters& counters() const { return counters_; }
  const TransportCounters& transport_counters() const { return transport_->counters(); }

 private:
  void WriteOwn(const fleet::TargetRecord& record);
  void WriteFields(const fleet::TargetRecord& record);
  // Appends one sample, sending the message and starting the next when full.
  void Add(std::string_view name, double value, MetricKind kind);
  bool Begin();
  void Send();
  void SelectTags(const fleet::TargetRecord& record);

  std::unique_ptr<BatchTransport> transport_;
  std::vector<std::string> preferred_;
  BatchBuilder builder_;
  // The message being built: its envelope, for starting a continuation.
  std::string_view source_;
  int64_t timestamp_ms_ = 0;
  std::vector<TagView> tags_;
  std::vector<std::string> tag_values_;  // Sanitized copies that tags_ points into.
  bool open_ = false;
  SampleWriterCounters counters_;
};

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SRC_SAMPLE_WRITER_H_

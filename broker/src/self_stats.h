// The broker's own counters as a batch of samples (source = broker_id), so
// that they travel the pipeline like anyone else's: every counter series
// becomes "<name_prefix><name>_total" with kind counter and the increase
// since the previous batch as its value; every gauge becomes
// "<name_prefix><name>" with kind gauge. A series' label becomes a tag.
// Counters still at zero are left out, to keep batches small.
//
// Thread-safety: one thread at a time (the loop's).
#ifndef SONDE_BROKER_SELF_STATS_H_
#define SONDE_BROKER_SELF_STATS_H_

#include <spdlog/logger.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "sonde/counters.h"
#include "sonde/wire.h"

namespace sonde::broker {

class SelfStats {
 public:
  // `registry` is not owned and must outlive this. `source` is a valid
  // batch source; `name_prefix` is e.g. "sonde.broker.".
  SelfStats(const CounterRegistry* registry, std::string source, std::string name_prefix);

  // Encodes the counters at `now_ms` as one message, valid until the next
  // call. Returns an empty view (and logs at error once) if the source or a
  // name breaks a wire limit, which only a bug can cause.
  std::string_view Encode(int64_t now_ms, spdlog::logger* log);

  // Samples in the last message encoded.
  uint32_t sample_count() const { return builder_.sample_count(); }

 private:
  // Appends every series; false at the first that fails.
  bool AppendAll();
  // Appends one sample; false when it could not be encoded or did not fit.
  bool Append(std::string_view name, double value, MetricKind kind, const TagView* tag);

  const CounterRegistry* registry_;
  std::string source_;
  std::string name_prefix_;
  BatchBuilder builder_;
  std::map<std::string, double> last_;  // Counter values at the previous Encode, by series.
  bool reported_error_ = false;
};

}  // namespace sonde::broker

#endif  // SONDE_BROKER_SELF_STATS_H_

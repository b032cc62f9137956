// LatestState: what the store keeps for every series besides its windows:
// its identity (id and canonical key), its kind, and its last value with the
// time it was taken. Health reports and fleet queries (`sonde latest`) read
// it; the catalog of a host's series is a list of these (docs/storage.md,
// "Series catalog and latest state").
//
// HostInfo: one entry of the host catalog.
//
// Thread-safety: value types.
#ifndef SONDE_LATEST_STATE_H_
#define SONDE_LATEST_STATE_H_

#include <cstdint>
#include <span>
#include <string>

#include "sonde/sample.h"
#include "sonde/series_key.h"

namespace sonde {

struct LatestState {
  SeriesId id = kNoSeriesId;  // Unique within key.host().
  SeriesKey key;
  MetricKind kind = MetricKind::kGauge;
  double value = 0;          // The last value received.
  int64_t timestamp_ms = 0;  // Its sample time, ms since the Unix epoch.

  // True when every tag in `where` is present on the key with that exact
  // value (an empty `where` matches everything).
  bool MatchesTags(std::span<const Tag> where) const {
    for (const Tag& t : where) {
      auto v = key.FindTag(t.key);
      if (!v || *v != t.value) return false;
    }
    return true;
  }

  bool operator==(const LatestState&) const = default;
};

struct HostInfo {
  std::string host;
  int64_t first_seen_ms = 0;  // Earliest sample time the store saw from it.
  int64_t last_seen_ms = 0;   // Latest sample time the store saw from it.
  bool operator==(const HostInfo&) const = default;
};

}  // namespace sonde

#endif  // SONDE_LATEST_STATE_H_

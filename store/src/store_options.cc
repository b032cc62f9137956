#include "sonde/store_options.h"

#include <string>

namespace sonde {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kTiB = uint64_t{1} << 40;

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("store option " + field + " " + why);
}

}  // namespace

Status StoreOptions::Validate() const {
  if (dir.empty()) return Bad("dir", "is empty (set the data directory)");
  if (initial_map_bytes < kMiB) return Bad("initial_map_bytes", "is below 1 MiB");
  if (max_map_bytes > kTiB) return Bad("max_map_bytes", "is above 1 TiB");
  if (initial_map_bytes > max_map_bytes) {
    return Bad("initial_map_bytes", "is above max_map_bytes");
  }
  if (size_cap_bytes > max_map_bytes) return Bad("size_cap_bytes", "is above max_map_bytes");
  if (minute_retention.count() <= 0) return Bad("minute_retention", "must be positive");
  if (hour_retention.count() <= 0) return Bad("hour_retention", "must be positive");
  if (catalog_retention < minute_retention || catalog_retention < hour_retention) {
    return Bad("catalog_retention", "must be at least minute_retention and hour_retention");
  }
  if (sweep_keys_per_txn == 0) return Bad("sweep_keys_per_txn", "must be at least 1");
  if (sweep_txns_per_call == 0) return Bad("sweep_txns_per_call", "must be at least 1");
  if (max_readers == 0 || max_readers > 4096) {
    return Bad("max_readers", "must be between 1 and 4096");
  }
  return Status::OK();
}

}  // namespace sonde

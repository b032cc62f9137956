// StoreOptions: how Store::Open opens the LMDB environment and what it
// keeps. Every field has an in-class default; Validate() checks each one.
// docs/storage.md explains the choices; docs/config.md lists the keys.
#ifndef SONDE_STORE_OPTIONS_H_
#define SONDE_STORE_OPTIONS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sonde/status.h"

namespace spdlog {
class logger;
}

namespace sonde {

struct StoreOptions {
  // The directory holding data.mdb, lock.mdb and writer.lock. A writer
  // creates it (and its parents) when missing.
  // Default: "" (REQUIRED: the caller resolves the data directory).
  std::string dir;

  // Open for queries only (the `sonde` tool, other processes). Write() and
  // Sweep() then return InvalidArgument. A reader never creates anything:
  // a missing database is NotFound.
  // Default: false (the summarizer: the one writer).
  bool read_only = false;

  // Parameters that affect size.

  // The LMDB map size at creation. The map grows (doubling) when a write
  // finds it full, up to max_map_bytes. The file only grows as data does.
  // Default: 64 MiB.
  uint64_t initial_map_bytes = uint64_t{64} << 20;

  // Hard limit on the map. A write that would need more is shed with
  // ResourceExhausted and counted (queries keep working); expiry may use a
  // small reserve above it (1/64, at least 1 MiB) so that deleting stays
  // possible when the map is full.
  // Default: 4 GiB.
  uint64_t max_map_bytes = uint64_t{4} << 30;

  // Size cap on live data (pages in use). Sweep() evicts the oldest windows,
  // minute windows first, while the data is larger. 0 disables it.
  // Default: 3 GiB (3/4 of the default max_map_bytes).
  uint64_t size_cap_bytes = uint64_t{3} << 30;

  // Retention. Changing these takes effect at the next Sweep(); nothing
  // stored is rewritten.

  // How long minute windows are kept: a window is expired once its end is at
  // least this far in the past.
  // Default: 1 h.
  std::chrono::milliseconds minute_retention = std::chrono::hours(1);

  // How long hour windows are kept (e.g. 7 days of hours: 168 h).
  // Default: 24 h.
  std::chrono::milliseconds hour_retention = std::chrono::hours(24);

  // Hosts and series whose latest sample is at least this old are removed
  // from the catalog (with their latest state). Must cover both retentions,
  // so that every stored window has its catalog entry.
  // Default: 7 days.
  std::chrono::milliseconds catalog_retention = std::chrono::hours(24 * 7);

  // Parameters that affect latency.

  // Most keys one expiry transaction deletes, so that a sweep never holds
  // the write lock (or grows the dirty page list) for long.
  // Default: 10,000.
  uint32_t sweep_keys_per_txn = 10000;

  // Most transactions one Sweep() call runs; SweepResult::more says whether
  // work was left for the next call.
  // Default: 100.
  uint32_t sweep_txns_per_call = 100;

  // Reader slots in lock.mdb shared by every process reading the database.
  // Default: 126 (LMDB's default).
  uint32_t max_readers = 126;

  // Skip fsync at commit (MDB_NOSYNC). Faster, but a machine crash (not a
  // process crash) can lose or damage recent transactions. Logged as a
  // warning when set.
  // Default: false.
  bool no_sync = false;

  // Where the store logs ("sonde.store" events). Default: nullptr (the
  // default logger).
  std::shared_ptr<spdlog::logger> logger;

  // Returns InvalidArgument naming the first bad field: dir empty;
  // initial_map_bytes below 1 MiB or above max_map_bytes; max_map_bytes above
  // 1 TiB; size_cap_bytes above max_map_bytes; a retention of zero or less;
  // catalog_retention shorter than either window retention; a sweep limit of
  // 0; max_readers of 0 or above 4096.
  Status Validate() const;
};

}  // namespace sonde

#endif  // SONDE_STORE_OPTIONS_H_

// The store's keys and record values (docs/storage.md, "Key layout"). Pure
// byte coding, no LMDB: lmdb_store.cc puts these bytes in its databases.
//
//   hosts   host                                   -> HostRecord
//   series  [u8 len][host][u64 BE id]              -> series record (LatestState)
//   minute  [u64 BE start'][u8 len][host][u64 BE id] -> RollupWindow value
//   hour    (same as minute)
// start' is the start in ms with the sign bit flipped (coding.h PutKeyTime).
//
// Thread-safety: free functions, reentrant.
#ifndef SONDE_STORE_RECORDS_H_
#define SONDE_STORE_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sonde/latest_state.h"
#include "sonde/series_key.h"
#include "sonde/status.h"

namespace sonde::store_internal {

inline constexpr uint32_t kSchemaVersion = 1;

// series: the prefix of every series key of `host`, and a full key.
void AppendHostPrefix(std::string* out, std::string_view host);
void AppendSeriesKey(std::string* out, std::string_view host, SeriesId id);
// Parses a series key; false when malformed.
bool ParseSeriesKey(std::string_view key, std::string_view* host, SeriesId* id);

// minute/hour: a window key, and the prefix of the windows of a host at one
// start.
void AppendWindowKey(std::string* out, int64_t start_ms, std::string_view host, SeriesId id);
void AppendWindowHostPrefix(std::string* out, int64_t start_ms, std::string_view host);
bool ParseWindowKey(std::string_view key, int64_t* start_ms, std::string_view* host, SeriesId* id);

// The series record: everything in a LatestState except the host and id,
// which are in the key.
void EncodeSeriesRecord(const SeriesKey& key, MetricKind kind, double value, int64_t timestamp_ms,
                        std::string* out);
// Decodes a record stored under (host, id). Corruption when damaged.
Status DecodeSeriesRecord(std::string_view host, SeriesId id, std::string_view value,
                          LatestState* out);
// True when the record stored under some id is for `key`; Corruption when
// the record is damaged. Compares without building a SeriesKey.
Result<bool> SeriesRecordMatches(std::string_view value, const SeriesKey& key);

void EncodeHostRecord(const HostInfo& info, std::string* out);
Status DecodeHostRecord(std::string_view host, std::string_view value, HostInfo* out);

}  // namespace sonde::store_internal

#endif  // SONDE_STORE_RECORDS_H_

#include "records.h"

#include <cmath>
#include <utility>

#include "coding.h"

namespace sonde::store_internal {
namespace {

constexpr uint8_t kSeriesRecordFormat = 1;
constexpr uint8_t kHostRecordFormat = 1;

// Reads the fixed part of a series record.
bool GetSeriesHeader(std::string_view* in, uint8_t* kind, double* value, uint64_t* ts) {
  uint8_t format;
  return GetByte(in, &format) && format == kSeriesRecordFormat && GetByte(in, kind) &&
         GetDouble(in, value) && GetFixed64(in, ts);
}

}  // namespace

void AppendHostPrefix(std::string* out, std::string_view host) {
  out->push_back(static_cast<char>(host.size()));
  out->append(host);
}

void AppendSeriesKey(std::string* out, std::string_view host, SeriesId id) {
  AppendHostPrefix(out, host);
  PutBigEndian64(out, id);
}

bool ParseSeriesKey(std::string_view key, std::string_view* host, SeriesId* id) {
  if (key.empty()) return false;
  const size_t len = static_cast<uint8_t>(key[0]);
  if (key.size() != 1 + len + 8) return false;
  *host = key.substr(1, len);
  *id = LoadBigEndian64(key.data() + 1 + len);
  return true;
}

void AppendWindowKey(std::string* out, int64_t start_ms, std::string_view host, SeriesId id) {
  PutKeyTime(out, start_ms);
  AppendSeriesKey(out, host, id);
}

void AppendWindowHostPrefix(std::string* out, int64_t start_ms, std::string_view host) {
  PutKeyTime(out, start_ms);
  AppendHostPrefix(out, host);
}

bool ParseWindowKey(std::string_view key, int64_t* start_ms, std::string_view* host, SeriesId* id) {
  if (key.size() < 8) return false;
  *start_ms = LoadKeyTime(key.data());
  return ParseSeriesKey(key.substr(8), host, id);
}

void EncodeSeriesRecord(const SeriesKey& key, MetricKind kind, double value, int64_t timestamp_ms,
                        std::string* out) {
  out->push_back(static_cast<char>(kSeriesRecordFormat));
  out->push_back(static_cast<char>(kind));
  PutDouble(out, value);
  PutFixed64(out, static_cast<uint64_t>(timestamp_ms));
  PutString(out, key.name());
  PutVarint64(out, key.tags().size());
  for (const Tag& t : key.tags()) {
    PutString(out, t.key);
    PutString(out, t.value);
  }
}

Status DecodeSeriesRecord(std::string_view host, SeriesId id, std::string_view value,
                          LatestState* out) {
  uint8_t kind;
  double v;
  uint64_t ts;
  std::string_view name;
  uint64_t ntags;
  if (!GetSeriesHeader(&value, &kind, &v, &ts) || kind >= kMetricKindCount ||
      !GetString(&value, SeriesKey::kMaxNameBytes, &name) || !GetVarint64(&value, &ntags) ||
      ntags > SeriesKey::kMaxTags) {
    return Status::Corruption("series record: damaged header");
  }
  Tags tags(ntags);
  for (Tag& t : tags) {
    std::string_view k, tv;
    if (!GetString(&value, SeriesKey::kMaxTagKeyBytes, &k) ||
        !GetString(&value, SeriesKey::kMaxTagValueBytes, &tv)) {
      return Status::Corruption("series record: damaged tags");
    }
    t.key.assign(k);
    t.value.assign(tv);
  }
  if (!value.empty()) return Status::Corruption("series record: trailing bytes");
  auto key = SeriesKey::Make(std::string(host), std::string(name), std::move(tags));
  if (!key) return Status::Corruption("series record: " + key.error().message());
  out->id = id;
  out->key = std::move(*key);
  out->kind = static_cast<MetricKind>(kind);
  out->value = v;
  out->timestamp_ms = static_cast<int64_t>(ts);
  return Status::OK();
}

Result<bool> SeriesRecordMatches(std::string_view value, const SeriesKey& key) {
  uint8_t kind;
  double v;
  uint64_t ts;
  std::string_view name;
  uint64_t ntags;
  if (!GetSeriesHeader(&value, &kind, &v, &ts) ||
      !GetString(&value, SeriesKey::kMaxNameBytes, &name) || !GetVarint64(&value, &ntags)) {
    return Status::Corruption("series record: damaged header");
  }
  if (name != key.name() || ntags != key.tags().size()) return false;
  for (const Tag& t : key.tags()) {
    std::string_view k, tv;
    if (!GetString(&value, SeriesKey::kMaxTagKeyBytes, &k) ||
        !GetString(&value, SeriesKey::kMaxTagValueBytes, &tv)) {
      return Status::Corruption("series record: damaged tags");
    }
    if (k != t.key || tv != t.value) return false;
  }
  return true;
}

void EncodeHostRecord(const HostInfo& info, std::string* out) {
  out->push_back(static_cast<char>(kHostRecordFormat));
  PutFixed64(out, static_cast<uint64_t>(info.first_seen_ms));
  PutFixed64(out, static_cast<uint64_t>(info.last_seen_ms));
}

Status DecodeHostRecord(std::string_view host, std::string_view value, HostInfo* out) {
  uint8_t format;
  uint64_t first, last;
  if (!GetByte(&value, &format) || format != kHostRecordFormat || !GetFixed64(&value, &first) ||
      !GetFixed64(&value, &last) || !value.empty()) {
    return Status::Corruption("host record for '" + std::string(host) + "' is damaged");
  }
  out->host.assign(host);
  out->first_seen_ms = static_cast<int64_t>(first);
  out->last_seen_ms = static_cast<int64_t>(last);
  return Status::OK();
}

}  // namespace sonde::store_internal

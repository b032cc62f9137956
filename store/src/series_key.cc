#include "sonde/series_key.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "sonde/ascii.h"

namespace sonde {
namespace {

// A small, stable 64-bit hash: 8-byte little-endian words through a
// multiply-xorshift mix, then the murmur3 finalizer. Its exact definition is
// part of the storage format (docs/storage.md, "Series ids"): changing it
// changes every id, which needs a new schema version.
constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;

uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

class Hasher {
 public:
  // Each field is length-prefixed so that ("ab","c") and ("a","bc") differ.
  void Field(std::string_view s) {
    Word(s.size());
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) Word(Load(s.data() + i, 8));
    if (i < s.size()) Word(Load(s.data() + i, s.size() - i));
  }
  uint64_t Finish() const { return Mix(h_); }

 private:
  static uint64_t Load(const char* p, size_t n) {
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(p[k])) << (8 * k);
    return v;
  }
  void Word(uint64_t w) {
    h_ ^= Mix(w + kMul);
    h_ = (h_ << 27 | h_ >> 37) * kMul + 0x52dce729;
  }
  uint64_t h_ = 0x736f6e6465000001ULL;  // "sonde", format 1.
};

Status CheckText(std::string_view what, std::string_view s, size_t max, bool allow_empty) {
  if (s.empty() && !allow_empty) return Status::InvalidArgument(std::string(what) + " is empty");
  if (s.size() > max) {
    return Status::InvalidArgument(std::string(what) + " is longer than " + std::to_string(max) +
                                   " bytes");
  }
  return Status::OK();
}

size_t StringHeap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

}  // namespace

const SeriesKey::Parts& SeriesKey::Empty() {
  static const Parts empty;
  return empty;
}

Result<SeriesKey> SeriesKey::Make(std::string host, std::string name, Tags tags) {
  SONDE_RETURN_IF_ERROR(CheckText("host", host, kMaxHostBytes, false));
  SONDE_RETURN_IF_ERROR(CheckText("metric name", name, kMaxNameBytes, false));
  if (tags.size() > kMaxTags) {
    return Status::InvalidArgument("more than " + std::to_string(kMaxTags) + " tags");
  }
  for (const Tag& t : tags) {
    SONDE_RETURN_IF_ERROR(CheckText("tag key", t.key, kMaxTagKeyBytes, false));
    SONDE_RETURN_IF_ERROR(CheckText("tag value", t.value, kMaxTagValueBytes, true));
  }
  std::sort(tags.begin(), tags.end(), [](const Tag& a, const Tag& b) { return a.key < b.key; });
  for (size_t i = 1; i < tags.size(); ++i) {
    if (tags[i].key == tags[i - 1].key) {
      return Status::InvalidArgument("duplicate tag key '" + tags[i].key + "'");
    }
  }
  SeriesKey key;
  key.name_ = std::move(name);
  key.parts_ = std::make_shared<const Parts>(Parts{std::move(host), std::move(tags)});
  return key;
}

Result<SeriesKey> SeriesKey::WithName(std::string name) const {
  SONDE_RETURN_IF_ERROR(CheckText("metric name", name, kMaxNameBytes, false));
  SeriesKey key;
  key.name_ = std::move(name);
  key.parts_ = parts_;
  return key;
}

size_t SeriesKey::OwnHeapBytes() const { return StringHeap(name_); }

size_t SeriesKey::SharedHeapBytes() const {
  // make_shared: one block with the control block (16 bytes) and the object.
  if (!parts_) return 0;
  size_t n = 16 + sizeof(Parts) + StringHeap(parts_->host) + parts_->tags.capacity() * sizeof(Tag);
  for (const Tag& t : parts_->tags) n += StringHeap(t.key) + StringHeap(t.value);
  return n;
}

std::optional<std::string_view> SeriesKey::FindTag(std::string_view key) const {
  const Tags& tags = this->tags();
  auto it = std::lower_bound(tags.begin(), tags.end(), key,
                             [](const Tag& t, std::string_view k) { return t.key < k; });
  if (it == tags.end() || it->key != key) return std::nullopt;
  return std::string_view(it->value);
}

SeriesId SeriesKey::Hash() const {
  Hasher h;
  h.Field(host());
  h.Field(name_);
  for (const Tag& t : tags()) {
    h.Field(t.key);
    h.Field(t.value);
  }
  const uint64_t id = h.Finish();
  return id == kNoSeriesId ? 1 : id;
}

std::string SeriesKey::ToString() const { return host() + "/" + NameWithTags(); }

std::string SeriesKey::NameWithTags() const {
  std::string s = name_;
  const Tags& tags = this->tags();
  if (tags.empty()) return s;
  s += '{';
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) s += ',';
    s += tags[i].key + "=" + tags[i].value;
  }
  s += '}';
  return s;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (AsciiIEquals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

}  // namespace sonde

// SeriesKey: the identity of a series (source host + metric name + tags,
// docs/design.md) in canonical form, and SeriesId, the compact id the store
// uses in its keys.
//
// Canonical form: tags sorted by key, keys unique. Two keys that name the
// same series compare equal and hash equal, whatever order the tags came in.
//
// SeriesId is a 64-bit hash of the canonical form (Hash(), stable across
// builds and machines: docs/storage.md, "Series ids"). The store keeps a
// catalog per host, so an id only has to be unique within a host; on the
// rare collision the store probes the next ids and reports the one it
// assigned (see Store::Write). Id 0 is never assigned: it means "unknown".
//
// Sharing: the host and the tags are held in one shared immutable block, so
// the keys of a host's series (made with WithName from one key) hold one
// copy of them, not one each: at a million series in memory this halves
// what the summarizer spends on keys. Copies share them too.
//
// Thread-safety: a value type (the shared parts are immutable).
#ifndef SONDE_SERIES_KEY_H_
#define SONDE_SERIES_KEY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sonde/sample.h"
#include "sonde/status.h"

namespace sonde {

using SeriesId = uint64_t;
inline constexpr SeriesId kNoSeriesId = 0;

class SeriesKey {
 public:
  // Limits, from the wire format (sonde/wire.h): a series' tags are its
  // batch's and its own merged, hence twice kMaxTagsPerLevel.
  static constexpr size_t kMaxHostBytes = 255;
  static constexpr size_t kMaxNameBytes = 255;
  static constexpr size_t kMaxTags = 64;
  static constexpr size_t kMaxTagKeyBytes = 64;
  static constexpr size_t kMaxTagValueBytes = 255;

  // An empty key (host and name empty); not valid for the store.
  SeriesKey() = default;

  // Builds the canonical key: sorts tags by key. Returns InvalidArgument for
  // an empty or over-long host or name, an empty or over-long tag key, an
  // over-long tag value, more than kMaxTags tags, or a duplicated tag key.
  static Result<SeriesKey> Make(std::string host, std::string name, Tags tags = {});

  // The key of the series `name` with this key's host and tags, sharing
  // them (no copy). InvalidArgument for an empty or over-long name.
  Result<SeriesKey> WithName(std::string name) const;

  const std::string& host() const { return (parts_ ? *parts_ : Empty()).host; }
  const std::string& name() const { return name_; }
  const Tags& tags() const { return (parts_ ? *parts_ : Empty()).tags; }  // Sorted by key.

  // Whether `other` shares this key's host and tags blocks (WithName, or a
  // copy): then they are equal without comparing strings.
  bool SharesHostAndTags(const SeriesKey& other) const { return parts_ == other.parts_; }
  // Heap bytes owned by this key alone (the name beyond the inline
  // buffer), and those of the shared host and tags block; estimates.
  size_t OwnHeapBytes() const;
  size_t SharedHeapBytes() const;

  // The value of tag `key`, or nullopt.
  std::optional<std::string_view> FindTag(std::string_view key) const;

  // The stable 64-bit id of this key (never kNoSeriesId).
  SeriesId Hash() const;

  // "host/name{k1=v1,k2=v2}" (no braces without tags). For logs and tools.
  std::string ToString() const;
  // "name{k1=v1,k2=v2}": ToString() without the host (liz's summary keys).
  std::string NameWithTags() const;

  bool operator==(const SeriesKey& other) const {
    return name_ == other.name_ && host() == other.host() && tags() == other.tags();
  }

 private:
  struct Parts {
    std::string host;
    Tags tags;
  };
  static const Parts& Empty();

  std::string name_;
  std::shared_ptr<const Parts> parts_;  // Null: an empty host and no tags.
};

// Case-insensitive (ASCII) substring match, as liz matched labels. An empty
// needle matches everything.
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle);

}  // namespace sonde

#endif  // SONDE_SERIES_KEY_H_

// TagValueLimiter: counts, per tag key, the distinct values carried by the
// series in memory, and refuses a new series that would push a key past its
// limit (one misbehaving emitter putting a request id in a tag cannot make
// the summarizer hold millions of series).
//
// Values are reference-counted by the series that carry them: evicting the
// last series with a value frees it.
//
// Thread-safety: none (the engine's loop thread).
#ifndef SONDE_SUMMARIZER_TAG_VALUE_LIMITER_H_
#define SONDE_SUMMARIZER_TAG_VALUE_LIMITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sonde/sample.h"

namespace sonde::summarizer {

class TagValueLimiter {
 public:
  // REQUIRES: max_values_per_key >= 1.
  explicit TagValueLimiter(size_t max_values_per_key) : max_(max_values_per_key) {}

  // Whether a series with these tags may be added: every value is either
  // known for its key already or its key has room for one more.
  bool Admits(const Tags& tags) const;
  // The same for one tag.
  bool AdmitsTag(std::string_view key, std::string_view value) const;

  // Counts the tags of a series added / evicted.
  void Add(const Tags& tags);
  void Remove(const Tags& tags);

  // Distinct values of `key` held now.
  size_t ValuesOf(std::string_view key) const;
  size_t keys() const { return keys_.size(); }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using ValueCounts = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;

  size_t max_;
  std::unordered_map<std::string, ValueCounts, StringHash, std::equal_to<>> keys_;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_TAG_VALUE_LIMITER_H_

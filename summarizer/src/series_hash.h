// SeriesHash: the 64-bit in-memory hash of a series (host + metric name +
// merged tags), computed from the decoded views without building a key.
//
// Not the store's SeriesId (SeriesKey::Hash is stable across builds; this
// one only has to be fast and well mixed within one process). The tag part
// is a sum of per-tag hashes, so it does not depend on tag order and a
// batch's tags are hashed once per batch; a sample's own tags replace batch
// tags with the same key (docs/summarizer.md, "Series identity").
//
// Thread-safety: pure functions.
#ifndef SONDE_SUMMARIZER_SERIES_HASH_H_
#define SONDE_SUMMARIZER_SERIES_HASH_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sonde::summarizer {

inline constexpr uint64_t kHashP0 = 0xa0761d6478bd642fULL;
inline constexpr uint64_t kHashP1 = 0xe7037ed1a0b428dbULL;
inline constexpr uint64_t kHashP2 = 0x8ebc6af09c88c6e3ULL;
inline constexpr uint64_t kHashP3 = 0x589965cc75374cc3ULL;

// 64x64 -> 128 multiply, folded (the wyhash mixer).
inline uint64_t HashMix(uint64_t a, uint64_t b) {
  const __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t HashBytes(std::string_view s, uint64_t seed) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = seed ^ HashMix(n ^ kHashP0, kHashP1);
  while (n >= 16) {
    uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
    h = HashMix(a ^ kHashP1 ^ h, b ^ kHashP2);
    p += 16;
    n -= 16;
  }
  if (n >= 8) {
    uint64_t a;
    std::memcpy(&a, p, 8);
    h = HashMix(a ^ kHashP2, h ^ kHashP3);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t a = 0;
    std::memcpy(&a, p, n);
    h = HashMix(a ^ kHashP3, h ^ kHashP0);
  }
  return HashMix(h ^ kHashP1, kHashP2);
}

// One tag's contribution to a series hash.
inline uint64_t HashTag(std::string_view key, std::string_view value) {
  return HashBytes(value, HashBytes(key, kHashP2));
}

inline uint64_t HashHost(std::string_view host) { return HashBytes(host, kHashP0); }

// Combines the parts: host hash, the metric name, the sum of HashTag over the
// merged tags and their number.
inline uint64_t HashSeries(uint64_t host_hash, std::string_view name, uint64_t tag_sum,
                           uint32_t tag_count) {
  return HashMix(HashBytes(name, host_hash) ^ tag_sum, kHashP3 + tag_count);
}

// Whether p[0, n) == q[0, n), for sizeof(Word) <= n <= 2 * sizeof(Word):
// the first and the last word (they may overlap).
template <typename Word>
inline bool SameEnds(const char* p, const char* q, size_t n) {
  Word x0, x1, y0, y1;
  std::memcpy(&x0, p, sizeof(Word));
  std::memcpy(&y0, q, sizeof(Word));
  std::memcpy(&x1, p + n - sizeof(Word), sizeof(Word));
  std::memcpy(&y1, q + n - sizeof(Word), sizeof(Word));
  return ((x0 ^ y0) | (x1 ^ y1)) == 0;
}

// a == b, inline: metric names are short, and a call to memcmp for each
// sample's name check costs more than the comparison.
inline bool SameBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16) return SameEnds<uint64_t>(a.data(), b.data(), n);
  if (n >= 4 && n < 8) return SameEnds<uint32_t>(a.data(), b.data(), n);
  return std::memcmp(a.data(), b.data(), n) == 0;
}

// The hash of a (host, tag set) scope (key_scopes.h), from the same parts.
inline uint64_t HashScope(uint64_t host_hash, uint64_t tag_sum, uint32_t tag_count) {
  return HashMix(host_hash ^ tag_sum, kHashP1 + tag_count);
}

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_SERIES_HASH_H_

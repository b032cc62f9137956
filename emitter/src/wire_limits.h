// The v1 field checks shared by the encoder and the decoder, so that both
// sides apply exactly the same limits (docs/wire-format.md, "Limits").
// Private to sonde_emitter.
#ifndef SONDE_EMITTER_SRC_WIRE_LIMITS_H_
#define SONDE_EMITTER_SRC_WIRE_LIMITS_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sonde/wire.h"

namespace sonde::wire_internal {

// HasControlByte(s): true when any byte is a control byte (< 0x20 or 0x7f).
// Names and tags are checked on every sample, so this is one of the
// decoder's hottest loops; it has an SSE2 and a portable version, both
// tested against a byte-by-byte check (tests/wire/wire_limits_test.cc).
// Forced inline: called per name and tag; out of line, the call and the
// length dispatch cost more than the scan.
#define SONDE_WIRE_LIMITS_INLINE inline __attribute__((always_inline))

SONDE_WIRE_LIMITS_INLINE bool IsControl(char c) {
  const auto b = static_cast<uint8_t>(c);
  return b < 0x20 || b == 0x7f;
}

#if defined(__SSE2__)
// 16 bytes per step: a byte b is below 0x20 exactly when min(b, 0x1f) == b
// (unsigned). Strings of 4..15 bytes are gathered into one vector from two
// overlapping loads, never reading outside the string; 1..3 bytes are
// p[0], p[n / 2] and p[n - 1].
SONDE_WIRE_LIMITS_INLINE __m128i ControlBytes(__m128i x) {
  const __m128i below_space = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
  return _mm_or_si128(below_space, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
}
SONDE_WIRE_LIMITS_INLINE bool HasControlByteSse2(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  __m128i bad;
  auto load = [p](size_t i) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)); };
  if (n >= 16) {
    // The first and the last 16 bytes (overlapping when n < 32), then any
    // bytes between them.
    bad = _mm_or_si128(ControlBytes(load(0)), ControlBytes(load(n - 16)));
    for (size_t i = 16; i + 16 < n; i += 16) bad = _mm_or_si128(bad, ControlBytes(load(i)));
  } else if (n >= 4) {
    uint64_t lo, hi;
    if (n >= 8) {
      std::memcpy(&lo, p, 8);
      std::memcpy(&hi, p + n - 8, 8);
    } else {
      uint32_t a, b;
      std::memcpy(&a, p, 4);
      std::memcpy(&b, p + n - 4, 4);
      lo = (uint64_t{b} << 32) | a;
      hi = 0x2020202020202020ULL;  // Spaces: not control bytes.
    }
    bad = ControlBytes(_mm_set_epi64x(static_cast<int64_t>(hi), static_cast<int64_t>(lo)));
  } else {
    return n != 0 && (IsControl(p[0]) || IsControl(p[n / 2]) || IsControl(p[n - 1]));
  }
  return _mm_movemask_epi8(bad) != 0;
}
#endif

// 8 bytes per step: a word has a byte below 0x20 when (x - 0x20..) & ~x has
// a high bit set, and a 0x7f byte when x ^ 0x7f.. has a zero byte (the
// classic "haszero" test). Both are exact for "is there any such byte".
SONDE_WIRE_LIMITS_INLINE bool HasControlByteSwar(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto word_has = [](uint64_t x) {
    const uint64_t y = x ^ (kOnes * 0x7f);
    return ((x - kOnes * 0x20) & ~x) | ((y - kOnes) & ~y);
  };
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t acc = 0;
  if (n >= 8) {
    size_t i = 0;
    for (; i + 8 < n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      acc |= word_has(w);
    }
    uint64_t w;  // The last 8 bytes, overlapping bytes already tested.
    std::memcpy(&w, p + n - 8, 8);
    acc |= word_has(w);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    acc = word_has((uint64_t{b} << 32) | a);
  } else {
    return n != 0 && (IsControl(p[0]) || IsControl(p[n / 2]) || IsControl(p[n - 1]));
  }
  return (acc & kHigh) != 0;
}

SONDE_WIRE_LIMITS_INLINE bool HasControlByte(std::string_view s) {
#if defined(__SSE2__)
  return HasControlByteSse2(s);
#else
  return HasControlByteSwar(s);
#endif
}

SONDE_WIRE_LIMITS_INLINE bool ValidSource(std::string_view s) {
  return !s.empty() && s.size() <= kMaxSourceBytes && !HasControlByte(s);
}
SONDE_WIRE_LIMITS_INLINE bool ValidName(std::string_view s) {
  return !s.empty() && s.size() <= kMaxNameBytes && !HasControlByte(s);
}
SONDE_WIRE_LIMITS_INLINE bool ValidTagKey(std::string_view s) {
  return !s.empty() && s.size() <= kMaxTagKeyBytes && !HasControlByte(s);
}
SONDE_WIRE_LIMITS_INLINE bool ValidTagValue(std::string_view s) {
  return s.size() <= kMaxTagValueBytes && !HasControlByte(s);
}
SONDE_WIRE_LIMITS_INLINE bool ValidTimestamp(int64_t ms) {
  return ms >= kMinTimestampMs && ms < kMaxTimestampMs;
}
SONDE_WIRE_LIMITS_INLINE bool ValidKind(MetricKind kind) {
  return static_cast<unsigned>(kind) < static_cast<unsigned>(kMetricKindCount);
}
SONDE_WIRE_LIMITS_INLINE bool Finite(double v) { return std::isfinite(v); }

// The first key that appears twice in `tags`, or nullptr. A map holds at
// most kMaxTagsPerLevel tags, usually a handful, so a quadratic scan costs
// less than hashing and allocates nothing.
SONDE_WIRE_LIMITS_INLINE const TagView* FindDuplicateKey(std::span<const TagView> tags) {
  for (size_t i = 1; i < tags.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (tags[i].key == tags[j].key) return &tags[i];
    }
  }
  return nullptr;
}

// A tags map an encoder may write: at most kMaxTagsPerLevel tags, each key
// and value valid, no key twice (the decoder's checks, in its order).
SONDE_WIRE_LIMITS_INLINE WireError CheckTags(std::span<const TagView> tags) {
  if (tags.size() > kMaxTagsPerLevel) return WireError::kTooManyTags;
  for (const TagView& tag : tags) {
    if (!ValidTagKey(tag.key) || !ValidTagValue(tag.value)) return WireError::kBadTag;
  }
  return FindDuplicateKey(tags) != nullptr ? WireError::kDuplicateTag : WireError::kOk;
}

// A message's envelope: its source, then its batch tags.
SONDE_WIRE_LIMITS_INLINE WireError CheckEnvelope(std::string_view source,
                                                 std::span<const TagView> tags) {
  if (!ValidSource(source)) return WireError::kBadSource;
  return CheckTags(tags);
}

}  // namespace sonde::wire_internal

#endif  // SONDE_EMITTER_SRC_WIRE_LIMITS_H_

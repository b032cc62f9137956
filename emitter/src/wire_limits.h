// The v1 field checks shared by the encoder and the decoder, so that both
// sides apply exactly the same limits (docs/wire-format.md, "Limits").
// Private to sonde_emitter.
#ifndef SONDE_EMITTER_SRC_WIRE_LIMITS_H_
#define SONDE_EMITTER_SRC_WIRE_LIMITS_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sonde/wire.h"

namespace sonde::wire_internal {

// True when any byte is a control byte (< 0x20 or 0x7f). Names are checked on
// every sample, so this tests 8 bytes per step: a word has a byte below 0x20
// when (x - 0x20..) & ~x has a high bit set, and a 0x7f byte when x ^ 0x7f..
// has a zero byte (the classic "haszero" test). Both tests are exact for
// "is there any such byte", which is all we ask.
inline bool HasControlByte(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto word_has = [](uint64_t x) {
    const uint64_t y = x ^ (kOnes * 0x7f);
    return (((x - kOnes * 0x20) & ~x) | ((y - kOnes) & ~y)) & kHigh;
  };
  auto byte_is = [](char c) {
    const auto b = static_cast<uint8_t>(c);
    return b < 0x20 || b == 0x7f;
  };
  const char* p = s.data();
  const size_t n = s.size();
  if (n >= 8) {
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      acc |= word_has(w);
    }
    if (i < n) {  // The last 8 bytes, overlapping bytes already tested.
      uint64_t w;
      std::memcpy(&w, p + n - 8, 8);
      acc |= word_has(w);
    }
    return acc != 0;
  }
  if (n >= 4) {  // Two 4-byte words, overlapping when n < 8.
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    const uint64_t w = (uint64_t{a} << 32) | b;
    return word_has(w) != 0;
  }
  bool bad = false;
  for (size_t i = 0; i < n; ++i) bad |= byte_is(p[i]);
  return bad;
}

inline bool ValidSource(std::string_view s) {
  return !s.empty() && s.size() <= kMaxSourceBytes && !HasControlByte(s);
}
inline bool ValidName(std::string_view s) {
  return !s.empty() && s.size() <= kMaxNameBytes && !HasControlByte(s);
}
inline bool ValidTagKey(std::string_view s) {
  return !s.empty() && s.size() <= kMaxTagKeyBytes && !HasControlByte(s);
}
inline bool ValidTagValue(std::string_view s) {
  return s.size() <= kMaxTagValueBytes && !HasControlByte(s);
}
inline bool ValidTimestamp(int64_t ms) { return ms >= kMinTimestampMs && ms < kMaxTimestampMs; }
inline bool ValidKind(MetricKind kind) {
  return static_cast<unsigned>(kind) < static_cast<unsigned>(kMetricKindCount);
}
inline bool Finite(double v) { return std::isfinite(v); }

}  // namespace sonde::wire_internal

#endif  // SONDE_EMITTER_SRC_WIRE_LIMITS_H_

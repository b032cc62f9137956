// A minimal MessagePack writer for the wire codec (private to sonde_emitter).
//
// Each Put* writes one value at `p` and returns the position after it; the
// caller has already checked the room with the matching *Size function, so
// the writer itself never checks, throws or allocates. Every value uses the
// shortest MessagePack form for it.
#ifndef SONDE_EMITTER_SRC_MSGPACK_WRITER_H_
#define SONDE_EMITTER_SRC_MSGPACK_WRITER_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "msgpack_format.h"

namespace sonde::wire_internal {

inline char* PutByte(char* p, uint8_t b) {
  *p = static_cast<char>(b);
  return p + 1;
}
template <typename T>
inline char* PutBe(char* p, T v) {
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) v = __builtin_bswap16(v);
    if constexpr (sizeof(T) == 4) v = __builtin_bswap32(v);
    if constexpr (sizeof(T) == 8) v = __builtin_bswap64(v);
  }
  std::memcpy(p, &v, sizeof v);
  return p + sizeof v;
}

inline size_t StrSize(size_t len) {
  return len + (len < 32 ? 1 : len < 256 ? 2 : len < 65536 ? 3 : 5);
}
inline char* PutStr(char* p, std::string_view s) {
  const size_t n = s.size();
  if (n < 32) {
    p = PutByte(p, static_cast<uint8_t>(kFixStrMin | n));
  } else if (n < 256) {
    p = PutByte(PutByte(p, kStr8), static_cast<uint8_t>(n));
  } else if (n < 65536) {
    p = PutBe(PutByte(p, kStr16), static_cast<uint16_t>(n));
  } else {
    p = PutBe(PutByte(p, kStr32), static_cast<uint32_t>(n));
  }
  std::memcpy(p, s.data(), n);
  return p + n;
}

inline size_t ContainerHeaderSize(uint32_t count) { return count < 16 ? 1 : count < 65536 ? 3 : 5; }
inline char* PutContainerHeader(char* p, uint8_t fix, uint8_t wide16, uint32_t count) {
  if (count < 16) return PutByte(p, static_cast<uint8_t>(fix | count));
  if (count < 65536) return PutBe(PutByte(p, wide16), static_cast<uint16_t>(count));
  return PutBe(PutByte(p, static_cast<uint8_t>(wide16 + 1)), count);
}
inline char* PutMapHeader(char* p, uint32_t count) {
  return PutContainerHeader(p, kFixMapMin, kMap16, count);
}
inline char* PutArrayHeader(char* p, uint32_t count) {
  return PutContainerHeader(p, kFixArrayMin, kArray16, count);
}

inline size_t UintSize(uint64_t v) {
  return v < 128 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : v < (uint64_t{1} << 32) ? 5 : 9;
}
inline char* PutUint(char* p, uint64_t v) {
  if (v < 128) return PutByte(p, static_cast<uint8_t>(v));
  if (v < 256) return PutByte(PutByte(p, kUint8), static_cast<uint8_t>(v));
  if (v < 65536) return PutBe(PutByte(p, kUint16), static_cast<uint16_t>(v));
  if (v < (uint64_t{1} << 32)) return PutBe(PutByte(p, kUint32), static_cast<uint32_t>(v));
  return PutBe(PutByte(p, kUint64), v);
}

inline size_t IntSize(int64_t v) {
  if (v >= 0) return UintSize(static_cast<uint64_t>(v));
  return v >= -32 ? 1 : v >= INT8_MIN ? 2 : v >= INT16_MIN ? 3 : v >= INT32_MIN ? 5 : 9;
}
inline char* PutInt(char* p, int64_t v) {
  if (v >= 0) return PutUint(p, static_cast<uint64_t>(v));
  if (v >= -32) return PutByte(p, static_cast<uint8_t>(v));  // Negative fixint.
  if (v >= INT8_MIN) return PutByte(PutByte(p, kInt8), static_cast<uint8_t>(v));
  if (v >= INT16_MIN) return PutBe(PutByte(p, kInt16), static_cast<uint16_t>(v));
  if (v >= INT32_MIN) return PutBe(PutByte(p, kInt32), static_cast<uint32_t>(v));
  return PutBe(PutByte(p, kInt64), static_cast<uint64_t>(v));
}

// A value is sent as an integer when that is exact: integral and |v| < 2^53
// (so every such double converts to int64 and back unchanged), else float64.
inline bool SendAsInt(double v, int64_t* i) {
  constexpr double kLimit = 9007199254740992.0;  // 2^53
  if (!(v > -kLimit && v < kLimit)) return false;
  *i = static_cast<int64_t>(v);
  return static_cast<double>(*i) == v;
}
inline size_t NumberSize(double v) {
  int64_t i;
  return SendAsInt(v, &i) ? IntSize(i) : 9;
}
inline char* PutNumber(char* p, double v) {
  int64_t i;
  if (SendAsInt(v, &i)) return PutInt(p, i);
  return PutBe(PutByte(p, kFloat64), std::bit_cast<uint64_t>(v));
}

}  // namespace sonde::wire_internal

#endif  // SONDE_EMITTER_SRC_MSGPACK_WRITER_H_

// A bounded MessagePack reader for the wire codec (private to sonde_emitter).
//
// Why not msgpack-c's unpacker: the decoder reads only the subset of
// MessagePack that wire format v1 uses, straight into views of the message.
// It allocates nothing, never recurses, checks every declared length against
// the bytes that remain before using it, and names each failure with a
// WireError. msgpack-c builds a zone-allocated object tree first, which costs
// an allocation and a pass per message and would not reach the decode target
// of 30 M samples/s on one core (issue #2). msgpack-c stays the oracle in
// tests/wire/.
//
// Every read checks bounds; no input makes a read go past `end`. Pointer
// arithmetic is only done with lengths already checked against remaining().
#ifndef SONDE_EMITTER_SRC_MSGPACK_READER_H_
#define SONDE_EMITTER_SRC_MSGPACK_READER_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include "msgpack_format.h"
#include "sonde/wire.h"

namespace sonde::wire_internal {

// The readers used per sample are forced inline into the decoder's loop
// (GCC otherwise keeps the larger ones out of line and the position in memory).
#define SONDE_MSGPACK_INLINE inline __attribute__((always_inline))

inline uint16_t LoadBe16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return std::endian::native == std::endian::little ? __builtin_bswap16(v) : v;
}
inline uint32_t LoadBe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return std::endian::native == std::endian::little ? __builtin_bswap32(v) : v;
}
inline uint64_t LoadBe64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
}

// Reads one message front to back. Each Read* consumes one value on kOk; on
// an error the position is unspecified and the reader must be dropped.
// Type mismatches are kWrongType, except the never-used byte 0xc1
// (kInvalidMsgpack) and the end of input (kTruncated).
class MsgpackReader {
 public:
  MsgpackReader(const uint8_t* begin, const uint8_t* end) : p_(begin), end_(end) {}

  const uint8_t* pos() const { return p_; }
  const uint8_t* end() const { return end_; }
  // Moves to `p`, just after values a caller has read and checked itself.
  // REQUIRES: pos() <= p <= end().
  void SkipTo(const uint8_t* p) { p_ = p; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool AtEnd() const { return p_ == end_; }

  // The error for a value that is not of the expected type.
  WireError Mismatch() const {
    if (p_ == end_) return WireError::kTruncated;
    return *p_ == kNeverUsed ? WireError::kInvalidMsgpack : WireError::kWrongType;
  }

  // kOk when `items` values of at least `min_bytes` each can still fit.
  WireError CheckItemsFit(uint64_t items, uint64_t min_bytes = 1) const {
    return items * min_bytes <= remaining() ? WireError::kOk : WireError::kLengthTooLarge;
  }

  // Consumes a nil and returns true, or returns false and consumes nothing.
  SONDE_MSGPACK_INLINE bool SkipNil() {
    if (p_ != end_ && *p_ == kNil) {
      ++p_;
      return true;
    }
    return false;
  }

  // Reads a map header (entries are not checked against remaining()).
  SONDE_MSGPACK_INLINE WireError ReadMapHeader(uint32_t* count) {
    if (p_ != end_ && (*p_ & 0xf0) == kFixMapMin) {
      *count = *p_++ & 0x0f;
      return WireError::kOk;
    }
    return ReadWideHeader(kMap16, count);
  }

  // Reads an array header (items are not checked against remaining()).
  SONDE_MSGPACK_INLINE WireError ReadArrayHeader(uint32_t* count) {
    if (p_ != end_ && (*p_ & 0xf0) == kFixArrayMin) {
      *count = *p_++ & 0x0f;
      return WireError::kOk;
    }
    return ReadWideHeader(kArray16, count);
  }

  // Reads a str of any width; its bytes are checked against remaining().
  SONDE_MSGPACK_INLINE WireError ReadStr(std::string_view* out) {
    if (p_ == end_) return WireError::kTruncated;
    const uint8_t b = *p_;
    uint32_t len;
    if ((b & 0xe0) == kFixStrMin) {
      len = b & 0x1f;
      ++p_;
    } else if (b >= kStr8 && b <= kStr32) {
      const size_t width = size_t{1} << (b - kStr8);  // 1, 2 or 4 length bytes.
      if (remaining() < 1 + width) return WireError::kTruncated;
      len = LoadLength(p_ + 1, width);
      p_ += 1 + width;
    } else {
      return Mismatch();
    }
    if (len > remaining()) return WireError::kLengthTooLarge;
    *out = std::string_view(reinterpret_cast<const char*>(p_), len);
    p_ += len;
    return WireError::kOk;
  }

  // Reads an unsigned integer (positive fixint, uint8..64); a signed family
  // (int8..64, negative fixint) is kWrongType even for a non-negative value.
  WireError ReadUint(uint64_t* out) {
    if (p_ == end_) return WireError::kTruncated;
    const uint8_t b = *p_;
    if (b <= kPositiveFixIntMax) {
      *out = b;
      ++p_;
      return WireError::kOk;
    }
    if (b < kUint8 || b > kUint64) return Mismatch();
    const size_t width = size_t{1} << (b - kUint8);
    if (remaining() < 1 + width) return WireError::kTruncated;
    *out = LoadUnsigned(p_ + 1, width);
    p_ += 1 + width;
    return WireError::kOk;
  }

  // Reads any integer (fixint, uint8..64, int8..64). A uint64 above INT64_MAX
  // reads as INT64_MAX (every wire field has a smaller upper bound) and sets
  // *overflow when given.
  SONDE_MSGPACK_INLINE WireError ReadInt(int64_t* out, bool* overflow = nullptr) {
    if (p_ == end_) return WireError::kTruncated;
    const uint8_t b = *p_;
    if (overflow != nullptr) *overflow = false;
    if (b <= kPositiveFixIntMax || b >= kNegativeFixIntMin) {
      *out = static_cast<int8_t>(b);
      ++p_;
      return WireError::kOk;
    }
    if (b < kUint8 || b > kInt64) return Mismatch();
    const size_t width = size_t{1} << ((b - kUint8) & 3);
    if (remaining() < 1 + width) return WireError::kTruncated;
    const uint8_t* q = p_ + 1;
    p_ += 1 + width;
    if (b <= kUint64) {
      const uint64_t u = LoadUnsigned(q, width);
      constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
      *out = static_cast<int64_t>(u > kMax ? kMax : u);
      if (overflow != nullptr) *overflow = u > kMax;
    } else {
      *out = LoadSigned(q, width);
    }
    return WireError::kOk;
  }

  // Reads any integer or float as a double (not checked for finiteness).
  SONDE_MSGPACK_INLINE WireError ReadNumber(double* out) {
    if (p_ == end_) return WireError::kTruncated;
    const uint8_t b = *p_;
    if (b <= kPositiveFixIntMax || b >= kNegativeFixIntMin) {
      *out = static_cast<int8_t>(b);
      ++p_;
      return WireError::kOk;
    }
    if (b == kFloat64) {
      if (remaining() < 9) return WireError::kTruncated;
      *out = std::bit_cast<double>(LoadBe64(p_ + 1));
      p_ += 9;
      return WireError::kOk;
    }
    if (b == kFloat32) {
      if (remaining() < 5) return WireError::kTruncated;
      *out = std::bit_cast<float>(LoadBe32(p_ + 1));
      p_ += 5;
      return WireError::kOk;
    }
    if (b >= kUint8 && b <= kUint64) {
      const size_t width = size_t{1} << (b - kUint8);
      if (remaining() < 1 + width) return WireError::kTruncated;
      *out = static_cast<double>(LoadUnsigned(p_ + 1, width));
      p_ += 1 + width;
      return WireError::kOk;
    }
    if (b >= kInt8 && b <= kInt64) {
      const size_t width = size_t{1} << (b - kInt8);
      if (remaining() < 1 + width) return WireError::kTruncated;
      *out = static_cast<double>(LoadSigned(p_ + 1, width));
      p_ += 1 + width;
      return WireError::kOk;
    }
    return Mismatch();
  }

  // Skips one value of any type. `depth` is the nesting depth a container
  // would have at this position (the envelope map is depth 1); a container
  // deeper than kMaxDepth is kTooDeep. Iterative: a fixed stack of pending
  // item counts, one per level, so no input can exhaust the call stack.
  WireError SkipValue(int depth);

 private:
  static uint32_t LoadLength(const uint8_t* q, size_t width) {
    return width == 1 ? *q : width == 2 ? LoadBe16(q) : LoadBe32(q);
  }
  static uint64_t LoadUnsigned(const uint8_t* q, size_t width) {
    return width == 8 ? LoadBe64(q) : LoadLength(q, width);
  }
  static int64_t LoadSigned(const uint8_t* q, size_t width) {
    switch (width) {
      case 1:
        return static_cast<int8_t>(*q);
      case 2:
        return static_cast<int16_t>(LoadBe16(q));
      case 4:
        return static_cast<int32_t>(LoadBe32(q));
      default:
        return static_cast<int64_t>(LoadBe64(q));
    }
  }

  // map16/map32 (base kMap16) or array16/array32 (base kArray16).
  WireError ReadWideHeader(uint8_t base, uint32_t* count) {
    if (p_ == end_) return WireError::kTruncated;
    const uint8_t b = *p_;
    if (b != base && b != base + 1) return Mismatch();
    const size_t width = b == base ? 2 : 4;
    if (remaining() < 1 + width) return WireError::kTruncated;
    *count = LoadLength(p_ + 1, width);
    p_ += 1 + width;
    return WireError::kOk;
  }

  // Skips a payload of `len` bytes after a header of `header` bytes.
  WireError SkipSized(size_t header, size_t len_width, size_t extra) {
    if (remaining() < header) return WireError::kTruncated;
    const uint64_t len = (len_width ? LoadLength(p_ + 1, len_width) : 0) + uint64_t{extra};
    p_ += header;
    if (len > remaining()) return WireError::kLengthTooLarge;
    p_ += len;
    return WireError::kOk;
  }

  // Skips one value that is not a container; sets *items (and *is_map) when
  // it is a container header instead, consuming only the header.
  WireError SkipScalarOrHeader(uint32_t* items, bool* is_container, bool* is_map);

  const uint8_t* p_;
  const uint8_t* end_;
};

inline WireError MsgpackReader::SkipScalarOrHeader(uint32_t* items, bool* is_container,
                                                   bool* is_map) {
  *is_container = false;
  if (p_ == end_) return WireError::kTruncated;
  const uint8_t b = *p_;
  if (b <= kPositiveFixIntMax || b >= kNegativeFixIntMin) return SkipSized(1, 0, 0);
  if ((b & 0xe0) == kFixStrMin) return SkipSized(1, 0, b & 0x1f);
  if ((b & 0xf0) == kFixMapMin || (b & 0xf0) == kFixArrayMin) {
    *is_container = true;
    *is_map = (b & 0xf0) == kFixMapMin;
    *items = b & 0x0f;
    ++p_;
    return WireError::kOk;
  }
  switch (b) {
    case kNil:
    case kFalse:
    case kTrue:
      return SkipSized(1, 0, 0);
    case kBin8:
    case kStr8:
      return SkipSized(2, 1, 0);
    case kBin16:
    case kStr16:
      return SkipSized(3, 2, 0);
    case kBin32:
    case kStr32:
      return SkipSized(5, 4, 0);
    case kExt8:
      return SkipSized(2, 1, 1);  // Length, then a type byte.
    case kExt16:
      return SkipSized(3, 2, 1);
    case kExt32:
      return SkipSized(5, 4, 1);
    case kFloat32:
      return SkipSized(1, 0, 4);
    case kFloat64:
      return SkipSized(1, 0, 8);
    case kUint8:
    case kInt8:
      return SkipSized(1, 0, 1);
    case kUint16:
    case kInt16:
      return SkipSized(1, 0, 2);
    case kUint32:
    case kInt32:
      return SkipSized(1, 0, 4);
    case kUint64:
    case kInt64:
      return SkipSized(1, 0, 8);
    case kFixExt1:
      return SkipSized(1, 0, 2);  // Type byte + data.
    case kFixExt2:
      return SkipSized(1, 0, 3);
    case kFixExt4:
      return SkipSized(1, 0, 5);
    case kFixExt8:
      return SkipSized(1, 0, 9);
    case kFixExt16:
      return SkipSized(1, 0, 17);
    case kArray16:
    case kArray32:
    case kMap16:
    case kMap32: {
      *is_container = true;
      *is_map = b >= kMap16;
      return ReadWideHeader(*is_map ? kMap16 : kArray16, items);
    }
    default:
      return WireError::kInvalidMsgpack;  // 0xc1, the one never-used byte.
  }
}

inline WireError MsgpackReader::SkipValue(int depth) {
  // pending[i]: values still to skip in the container open at level i; level
  // 0 is the caller's container, holding just the value to skip.
  uint32_t pending[kMaxDepth + 1];
  int level = 0;
  pending[0] = 1;
  const int base_depth = depth - 1;  // Depth of the caller's container.
  while (level >= 0) {
    if (pending[level] == 0) {
      --level;
      continue;
    }
    --pending[level];
    uint32_t items = 0;
    bool is_container = false;
    bool is_map = false;
    WireError e = SkipScalarOrHeader(&items, &is_container, &is_map);
    if (e != WireError::kOk) return e;
    if (!is_container) continue;
    if (base_depth + level + 1 > kMaxDepth) return WireError::kTooDeep;
    const uint64_t values = is_map ? uint64_t{items} * 2 : items;
    if (values > remaining()) return WireError::kLengthTooLarge;
    pending[++level] = static_cast<uint32_t>(values);  // <= remaining() < 2^32.
  }
  return WireError::kOk;
}

}  // namespace sonde::wire_internal

#endif  // SONDE_EMITTER_SRC_MSGPACK_READER_H_

// Byte coding helpers for the store's persisted formats (docs/storage.md):
// little-endian fixed-width values, LEB128 varints, zigzag, and big-endian
// integers for keys (so that memcmp order is numeric order).
//
// Decoders take a std::string_view* and consume what they read; they return
// false, leaving *in unspecified, when the bytes end early or a varint is
// malformed. They never read past the view.
//
// Thread-safety: free functions, reentrant.
#ifndef SONDE_STORE_CODING_H_
#define SONDE_STORE_CODING_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sonde::store_internal {

inline void PutFixed64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (8 * i));
  out->append(buf, 8);
}

inline void PutDouble(std::string* out, double v) { PutFixed64(out, std::bit_cast<uint64_t>(v)); }

// Big-endian, for keys: memcmp order equals unsigned numeric order.
inline void PutBigEndian64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (56 - 8 * i));
  out->append(buf, 8);
}

inline uint64_t LoadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Timestamps in keys: the sign bit is flipped so that negative times sort
// before positive ones under memcmp.
inline void PutKeyTime(std::string* out, int64_t ms) {
  PutBigEndian64(out, static_cast<uint64_t>(ms) ^ (uint64_t{1} << 63));
}
inline int64_t LoadKeyTime(const char* p) {
  return static_cast<int64_t>(LoadBigEndian64(p) ^ (uint64_t{1} << 63));
}

inline void PutVarint64(std::string* out, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline void PutString(std::string* out, std::string_view s) {
  PutVarint64(out, s.size());
  out->append(s);
}

inline bool GetFixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 7; i >= 0; --i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  *v = r;
  in->remove_prefix(8);
  return true;
}

inline bool GetDouble(std::string_view* in, double* v) {
  uint64_t bits;
  if (!GetFixed64(in, &bits)) return false;
  *v = std::bit_cast<double>(bits);
  return true;
}

inline bool GetByte(std::string_view* in, uint8_t* v) {
  if (in->empty()) return false;
  *v = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

// Rejects varints longer than 10 bytes and 10-byte ones that overflow.
inline bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (size_t i = 0; i < in->size() && i < 10; ++i) {
    uint64_t b = static_cast<uint8_t>((*in)[i]);
    if (i == 9 && b > 1) return false;
    r |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      *v = r;
      in->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

// A length-prefixed string of at most max_len bytes; *s views into the input.
inline bool GetString(std::string_view* in, size_t max_len, std::string_view* s) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > max_len || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace sonde::store_internal

#endif  // SONDE_STORE_CODING_H_

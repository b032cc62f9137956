// MessagePack format bytes (https://github.com/msgpack/msgpack/blob/master/spec.md),
// shared by the wire codec's reader and writer. Private to sonde_emitter.
#ifndef SONDE_EMITTER_SRC_MSGPACK_FORMAT_H_
#define SONDE_EMITTER_SRC_MSGPACK_FORMAT_H_

#include <cstdint>

namespace sonde::wire_internal {

inline constexpr uint8_t kPositiveFixIntMax = 0x7f;
inline constexpr uint8_t kFixMapMin = 0x80;    // 0x80..0x8f: map of 0..15 entries.
inline constexpr uint8_t kFixArrayMin = 0x90;  // 0x90..0x9f: array of 0..15 items.
inline constexpr uint8_t kFixStrMin = 0xa0;    // 0xa0..0xbf: str of 0..31 bytes.
inline constexpr uint8_t kNil = 0xc0;
inline constexpr uint8_t kNeverUsed = 0xc1;
inline constexpr uint8_t kFalse = 0xc2;
inline constexpr uint8_t kTrue = 0xc3;
inline constexpr uint8_t kBin8 = 0xc4;
inline constexpr uint8_t kBin16 = 0xc5;
inline constexpr uint8_t kBin32 = 0xc6;
inline constexpr uint8_t kExt8 = 0xc7;
inline constexpr uint8_t kExt16 = 0xc8;
inline constexpr uint8_t kExt32 = 0xc9;
inline constexpr uint8_t kFloat32 = 0xca;
inline constexpr uint8_t kFloat64 = 0xcb;
inline constexpr uint8_t kUint8 = 0xcc;
inline constexpr uint8_t kUint16 = 0xcd;
inline constexpr uint8_t kUint32 = 0xce;
inline constexpr uint8_t kUint64 = 0xcf;
inline constexpr uint8_t kInt8 = 0xd0;
inline constexpr uint8_t kInt16 = 0xd1;
inline constexpr uint8_t kInt32 = 0xd2;
inline constexpr uint8_t kInt64 = 0xd3;
inline constexpr uint8_t kFixExt1 = 0xd4;
inline constexpr uint8_t kFixExt2 = 0xd5;
inline constexpr uint8_t kFixExt4 = 0xd6;
inline constexpr uint8_t kFixExt8 = 0xd7;
inline constexpr uint8_t kFixExt16 = 0xd8;
inline constexpr uint8_t kStr8 = 0xd9;
inline constexpr uint8_t kStr16 = 0xda;
inline constexpr uint8_t kStr32 = 0xdb;
inline constexpr uint8_t kArray16 = 0xdc;
inline constexpr uint8_t kArray32 = 0xdd;
inline constexpr uint8_t kMap16 = 0xde;
inline constexpr uint8_t kMap32 = 0xdf;
inline constexpr uint8_t kNegativeFixIntMin = 0xe0;  // 0xe0..0xff: -32..-1.

}  // namespace sonde::wire_internal

#endif  // SONDE_EMITTER_SRC_MSGPACK_FORMAT_H_

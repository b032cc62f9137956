// Test helpers for the wire codec: build v1 messages in any MessagePack shape
// with msgpack-c (the oracle), random samples with a fixed seed, and hex.
#ifndef SONDE_TESTS_WIRE_WIRE_TEST_MESSAGES_H_
#define SONDE_TESTS_WIRE_WIRE_TEST_MESSAGES_H_

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <msgpack.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "sonde/wire.h"

namespace sonde::wire_test {

inline std::string FromHex(std::string_view hex) {
  std::string out;
  int nibbles = 0;
  unsigned byte = 0;
  for (char c : hex) {
    if (c == ' ' || c == '\n') continue;
    const unsigned v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    byte = byte << 4 | v;
    if (++nibbles % 2 == 0) {
      out.push_back(static_cast<char>(byte));
      byte = 0;
    }
  }
  return out;
}

inline std::string ToHex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out.push_back(' ');
    const auto b = static_cast<uint8_t>(bytes[i]);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

// A MessagePack output: msgpack::packer for ordinary values, Raw() for
// shapes a packer never chooses (a short str as str16, a map32 header, ...).
struct Out {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk{buf};

  void Raw(std::string_view bytes) { buf.write(bytes.data(), bytes.size()); }
  void Hex(std::string_view hex) { Raw(FromHex(hex)); }
  void Str(std::string_view s) {
    pk.pack_str(static_cast<uint32_t>(s.size()));
    pk.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
  }
  // str8/str16/str32 (width 1, 2, 4) regardless of length.
  void WideStr(std::string_view s, int width) {
    const auto n = static_cast<uint32_t>(s.size());
    if (width == 1) {
      Raw({"\xd9", 1});
      Byte(static_cast<uint8_t>(n));
    } else if (width == 2) {
      Raw({"\xda", 1});
      Be(n, 2);
    } else {
      Raw({"\xdb", 1});
      Be(n, 4);
    }
    Raw(s);
  }
  // map16/map32 or array16/array32 headers regardless of count.
  void WideMap(uint32_t n, int width) {
    Byte(width == 2 ? 0xde : 0xdf);
    Be(n, width);
  }
  void WideArray(uint32_t n, int width) {
    Byte(width == 2 ? 0xdc : 0xdd);
    Be(n, width);
  }
  void Byte(uint8_t b) { buf.write(reinterpret_cast<const char*>(&b), 1); }
  void Be(uint64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::string str() const { return std::string(buf.data(), buf.size()); }
};

using Writer = std::function<void(Out&)>;

inline Writer Int(int64_t v) {
  return [v](Out& o) { o.pk.pack_int64(v); };
}
inline Writer Uint(uint64_t v) {
  return [v](Out& o) { o.pk.pack_uint64(v); };
}
// Always a float64 (msgpack-c's pack_double writes integral values as ints).
inline Writer Dbl(double v) {
  return [v](Out& o) {
    o.Byte(0xcb);
    o.Be(std::bit_cast<uint64_t>(v), 8);
  };
}
inline Writer Str(std::string v) {
  return [v](Out& o) { o.Str(v); };
}
inline Writer Nil() {
  return [](Out& o) { o.pk.pack_nil(); };
}
inline Writer Hex(std::string hex) {
  return [hex](Out& o) { o.Hex(hex); };
}
// An array of the given items, packed with the shortest header.
inline Writer Arr(std::vector<Writer> items) {
  return [items](Out& o) {
    o.pk.pack_array(static_cast<uint32_t>(items.size()));
    for (const Writer& w : items) w(o);
  };
}
// A str -> str map.
inline Writer StrMap(std::vector<std::pair<std::string, std::string>> kv) {
  return [kv](Out& o) {
    o.pk.pack_map(static_cast<uint32_t>(kv.size()));
    for (const auto& [k, v] : kv) {
      o.Str(k);
      o.Str(v);
    }
  };
}

inline constexpr int64_t kT = 1700000000000;  // 2023-11-14T22:13:20Z.

// An envelope as an ordered list of fields; `key` is packed with the
// shortest str unless key_writer is set.
struct Field {
  std::string key;
  Writer value;
  Writer key_writer = nullptr;
};
using Fields = std::vector<Field>;

// A valid envelope holding one sample ["cpu", 12.5].
inline Fields GoodFields() {
  return {{"v", Int(1)},
          {"type", Str("batch")},
          {"src", Str("web-01")},
          {"t", Int(kT)},
          {"s", Arr({Arr({Str("cpu"), Dbl(12.5)})})}};
}
inline Fields Replace(Fields f, const std::string& key, Writer value) {
  for (Field& field : f) {
    if (field.key == key) {
      field.value = std::move(value);
      return f;
    }
  }
  f.push_back({key, std::move(value)});
  return f;
}
inline Fields Remove(Fields f, const std::string& key) {
  std::erase_if(f, [&](const Field& field) { return field.key == key; });
  return f;
}
inline std::string Pack(const Fields& fields) {
  Out o;
  o.pk.pack_map(static_cast<uint32_t>(fields.size()));
  for (const Field& f : fields) {
    if (f.key_writer) {
      f.key_writer(o);
    } else {
      o.Str(f.key);
    }
    f.value(o);
  }
  return o.str();
}
// A valid envelope whose "s" holds exactly `sample`.
inline std::string WithSample(Writer sample) {
  return Pack(Replace(GoodFields(), "s", Arr({std::move(sample)})));
}

// True when msgpack-c unpacks the whole message as one object under limits
// no accepted v1 message can exceed.
inline bool OracleAccepts(std::string_view message) {
  const msgpack::unpack_limit limit(/*array=*/kMaxSamplesPerBatch, /*map=*/kMaxMessageBytes / 2,
                                    /*str=*/kMaxMessageBytes, /*bin=*/kMaxMessageBytes,
                                    /*ext=*/kMaxMessageBytes, /*depth=*/kMaxDepth);
  try {
    size_t offset = 0;
    msgpack::object_handle oh =
        msgpack::unpack(message.data(), message.size(), offset, nullptr, nullptr, limit);
    return offset == message.size();
  } catch (const std::exception&) {
    return false;
  }
}

// Random samples for round trips and mutation seeds; deterministic per seed.
class SampleGenerator {
 public:
  explicit SampleGenerator(uint64_t seed) : rng_(seed) {}

  // A printable string (with some UTF-8 bytes) of min..max bytes.
  std::string Text(size_t min, size_t max) {
    std::string s(Uniform(min, max), 'x');
    for (char& c : s) {
      c = static_cast<char>(Uniform(0, 9) == 0 ? Uniform(0x80, 0xff) : Uniform(0x20, 0x7e));
    }
    return s;
  }

  double Value() {
    switch (Uniform(0, 6)) {
      case 0:
        return static_cast<double>(static_cast<int64_t>(rng_()) >> Uniform(0, 63));
      case 1:
        return -0.0;
      case 2:
        return std::ldexp(1.0, 53) + (Uniform(0, 1) ? 2.0 : -1.0);
      case 3:
        return static_cast<double>(std::uniform_real_distribution<float>(-1e6, 1e6)(rng_));
      default: {
        double v;
        do {  // Any finite bit pattern: denormals, huge, tiny.
          v = std::bit_cast<double>(static_cast<uint64_t>(rng_()));
        } while (!std::isfinite(v));
        return v;
      }
    }
  }

  Tags RandomTags(size_t max_count) {
    Tags tags;
    const size_t n = Uniform(0, max_count);
    for (size_t i = 0; i < n; ++i) {
      // Distinct keys: a random prefix plus the index.
      tags.push_back({Text(1, kMaxTagKeyBytes - 3) + std::to_string(i), Text(0, 40)});
    }
    return tags;
  }

  Sample RandomSample() {
    Sample s;
    s.name = Text(1, Uniform(0, 3) ? 40 : kMaxNameBytes);
    s.value = Value();
    s.kind = static_cast<MetricKind>(Uniform(0, kMetricKindCount - 1));
    s.timestamp_ms = Uniform(0, 1) ? 0 : Uniform(kMinTimestampMs, kMaxTimestampMs - 1);
    s.tags = RandomTags(Uniform(0, 4) ? 3 : kMaxTagsPerLevel);
    return s;
  }

  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

}  // namespace sonde::wire_test

#endif  // SONDE_TESTS_WIRE_WIRE_TEST_MESSAGES_H_

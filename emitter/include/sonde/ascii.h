// ASCII case folding for names that come off the wire or out of config:
// metric names, tag keys, status-page fields, rule keys.
//
// ASCII only, on purpose: these names must fold the same way on every host
// and in every process, whatever locale the process runs under, so that a
// key matched on one side matches on the other. Only 'A'..'Z' change; every
// other byte (UTF-8 included) is kept as is.
//
// Thread-safety: pure functions.
#ifndef SONDE_ASCII_H_
#define SONDE_ASCII_H_

#include <string>
#include <string_view>

namespace sonde {

// 'A'..'Z' -> 'a'..'z'; any other byte unchanged.
constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// `text` with AsciiLower applied to every byte.
inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// True when `a` and `b` are equal after AsciiLower; no allocation.
constexpr bool AsciiIEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace sonde

#endif  // SONDE_ASCII_H_

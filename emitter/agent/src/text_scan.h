// Allocation-free scanning of /proc text: whitespace-separated tokens and
// lines as string_views, numbers with std::from_chars.
#ifndef SONDE_AGENT_TEXT_SCAN_H_
#define SONDE_AGENT_TEXT_SCAN_H_

#include <charconv>
#include <cstdint>
#include <string_view>

namespace sonde::agent {

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Removes and returns the text up to the next '\n' (without it).
inline std::string_view NextLine(std::string_view* text) {
  size_t end = text->find('\n');
  std::string_view line = text->substr(0, end);
  text->remove_prefix(end == std::string_view::npos ? text->size() : end + 1);
  return line;
}

// Removes and returns the next run of non-blank characters; "" at the end.
inline std::string_view NextToken(std::string_view* text) {
  size_t i = 0;
  while (i < text->size() && IsBlank((*text)[i])) ++i;
  size_t j = i;
  while (j < text->size() && !IsBlank((*text)[j])) ++j;
  std::string_view token = text->substr(i, j - i);
  text->remove_prefix(j);
  return token;
}

// The whole token as an unsigned or floating-point number.
inline bool ParseU64(std::string_view token, uint64_t* out) {
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), *out);
  return ec == std::errc() && end == token.data() + token.size() && !token.empty();
}

inline bool ParseDouble(std::string_view token, double* out) {
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), *out);
  return ec == std::errc() && end == token.data() + token.size() && !token.empty();
}

}  // namespace sonde::agent

#endif  // SONDE_AGENT_TEXT_SCAN_H_

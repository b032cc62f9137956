#include "text_format.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <limits>

namespace sonde::tools {

namespace {

// Drops trailing zeros after a decimal point, and the point itself.
std::string TrimZeros(std::string s) {
  if (s.find('.') == std::string::npos || s.find('e') != std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::tm UtcTm(int64_t ms) {
  // Floor, so that times before 1970 land in the right second.
  int64_t seconds = ms / 1000;
  if (ms % 1000 < 0) --seconds;
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm = {};
  gmtime_r(&t, &tm);
  return tm;
}

// Reads exactly `n` digits from the front of *text.
bool ReadDigits(std::string_view* text, size_t n, int* out) {
  if (text->size() < n) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = (*text)[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  text->remove_prefix(n);
  *out = v;
  return true;
}

bool ReadChar(std::string_view* text, char c) {
  if (text->empty() || text->front() != c) return false;
  text->remove_prefix(1);
  return true;
}

std::optional<int64_t> ParseIsoTime(std::string_view text) {
  std::tm tm = {};
  int ms = 0;
  if (!ReadDigits(&text, 4, &tm.tm_year) || !ReadChar(&text, '-') ||
      !ReadDigits(&text, 2, &tm.tm_mon) || !ReadChar(&text, '-') ||
      !ReadDigits(&text, 2, &tm.tm_mday)) {
    return std::nullopt;
  }
  if (!ReadChar(&text, 'T') && !ReadChar(&text, ' ')) return std::nullopt;
  if (!ReadDigits(&text, 2, &tm.tm_hour) || !ReadChar(&text, ':') ||
      !ReadDigits(&text, 2, &tm.tm_min) || !ReadChar(&text, ':') ||
      !ReadDigits(&text, 2, &tm.tm_sec)) {
    return std::nullopt;
  }
  if (ReadChar(&text, '.') && !ReadDigits(&text, 3, &ms)) return std::nullopt;
  ReadChar(&text, 'Z');
  if (!text.empty() || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  const double a = std::fabs(v);
  if (a >= 1e6) {
    static constexpr const char* kSuffixes[] = {"k", "M", "G", "T", "P", "E"};
    int i = -1;
    double scaled = v;
    while (std::fabs(scaled) >= 1000 && i < 5) {
      scaled /= 1000;
      ++i;
    }
    // 3 significant digits; rounding may carry to 1000 (999.5k -> "1000k"): fine.
    const int decimals = std::fabs(scaled) >= 100 ? 0 : std::fabs(scaled) >= 10 ? 1 : 2;
    return TrimZeros(fmt::format("{:.{}f}", scaled, decimals)) + kSuffixes[i];
  }
  if (v == std::trunc(v)) return fmt::format("{:.0f}", v);
  if (a >= 100) return TrimZeros(fmt::format("{:.1f}", v));
  if (a >= 1) return TrimZeros(fmt::format("{:.2f}", v));
  return fmt::format("{:.3g}", v);
}

std::string FormatExact(double v) {
  if (std::isnan(v)) return "";
  return fmt::format("{}", v);
}

std::string FormatIsoTime(int64_t ms) {
  const std::tm tm = UtcTm(ms);
  const int64_t frac = ((ms % 1000) + 1000) % 1000;
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (frac != 0) out += fmt::format(".{:03}", frac);
  return out + "Z";
}

std::string FormatMinute(int64_t ms) {
  const std::tm tm = UtcTm(ms);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min);
}

std::string FormatAge(int64_t age_ms) {
  if (age_ms < 0) {
    return "-" + FormatAge(age_ms == std::numeric_limits<int64_t>::min()
                               ? std::numeric_limits<int64_t>::max()
                               : -age_ms);
  }
  const int64_t s = age_ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return s % 60 ? fmt::format("{}m{}s", s / 60, s % 60) : fmt::format("{}m", s / 60);
  if (s < 86400) {
    const int64_t m = s / 60 % 60;
    return m ? fmt::format("{}h{}m", s / 3600, m) : fmt::format("{}h", s / 3600);
  }
  const int64_t h = s / 3600 % 24;
  return h ? fmt::format("{}d{}h", s / 86400, h) : fmt::format("{}d", s / 86400);
}

int64_t AgeMs(int64_t now_ms, int64_t then_ms) {
  int64_t age = 0;
  if (!__builtin_sub_overflow(now_ms, then_ms, &age)) return age;
  return then_ms < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

std::string FormatTags(const Tags& tags) {
  std::string out;
  for (const Tag& tag : tags) {
    if (!out.empty()) out += ',';
    out += tag.key;
    out += '=';
    out += tag.value;
  }
  return out;
}

std::optional<int64_t> ParseTime(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || ptr != text.data() + text.size() || seconds > int64_t{1} << 40) {
      return std::nullopt;
    }
    return seconds * 1000;
  }
  return ParseIsoTime(text);
}

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return std::nullopt;
  // strtod rather than from_chars: a leading '+' is fine and so is hex.
  const std::string copy(text);
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace sonde::tools

// ExactNumber: the shortest text that reads back as `v` ("90", "72.5", not
// "90.000000"): levels as the rules wrote them, in messages and reasons.
#ifndef SONDE_TOOLS_HEALTH_SRC_EXACT_NUMBER_H_
#define SONDE_TOOLS_HEALTH_SRC_EXACT_NUMBER_H_

#include <charconv>
#include <string>
#include <system_error>

namespace sonde::health {

inline std::string ExactNumber(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

}  // namespace sonde::health

#endif  // SONDE_TOOLS_HEALTH_SRC_EXACT_NUMBER_H_

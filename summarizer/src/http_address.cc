#include "http_address.h"

#include <charconv>

namespace sonde::summarizer {

Status ParseHttpAddress(std::string_view text, HttpAddress* out) {
  const std::string bad =
      "--http: expected host:port (e.g. 127.0.0.1:7780), not '" + std::string(text) + "'";
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return Status::InvalidArgument(bad);
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Status::InvalidArgument(bad + " (write IPv6 addresses in brackets)");
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return Status::InvalidArgument(bad);
  }
  out->host = host.empty() ? "127.0.0.1" : std::string(host);
  out->port = static_cast<uint16_t>(value);
  return Status::OK();
}

}  // namespace sonde::summarizer

// "host:port" for --http, as HttpServerOptions wants it.
// Thread-safety: pure functions.
#ifndef SONDE_SUMMARIZER_HTTP_ADDRESS_H_
#define SONDE_SUMMARIZER_HTTP_ADDRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sonde/status.h"

namespace sonde::summarizer {

struct HttpAddress {
  std::string host;
  uint16_t port = 0;
};

// Parses "127.0.0.1:7780", "[::1]:7780" or ":7780" (meaning 127.0.0.1).
// InvalidArgument naming the problem otherwise.
Status ParseHttpAddress(std::string_view text, HttpAddress* out);

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_HTTP_ADDRESS_H_

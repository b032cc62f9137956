// HttpGet: one HTTP GET with libcurl, for `sonde --url`. This file is the
// one adapter for libcurl: its error codes become a Status here.
//
// Thread-safety: safe from any thread once main() has started (curl's
// global init runs once, on first use).
#ifndef SONDE_TOOLS_SONDE_HTTP_CLIENT_H_
#define SONDE_TOOLS_SONDE_HTTP_CLIENT_H_

#include <cstdint>
#include <string>

#include "sonde/status.h"

namespace sonde::tools {

struct HttpReply {
  long status = 0;  // HTTP status code.
  std::string body;
};

// GETs `url`, following no redirects, within `timeout_ms`, keeping at most
// `max_body_bytes` of body. Any HTTP status is a reply; errors are for the
// transport:
//   InvalidArgument    a malformed URL or an unsupported scheme;
//   Unavailable        could not connect, or timed out;
//   ResourceExhausted  the body is over max_body_bytes;
//   IOError            anything else curl reports (its message included).
Result<HttpReply> HttpGet(const std::string& url, int64_t timeout_ms,
                          size_t max_body_bytes = size_t{256} << 20);

// `text` with every byte outside [A-Za-z0-9-._~] as %XX, for one path
// segment or query value.
std::string UrlEncode(std::string_view text);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_HTTP_CLIENT_H_

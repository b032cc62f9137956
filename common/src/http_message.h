// Internal to sonde_common: the bytes of HTTP/1.1 responses.
#ifndef SONDE_COMMON_HTTP_MESSAGE_H_
#define SONDE_COMMON_HTTP_MESSAGE_H_

#include <ctime>
#include <string>
#include <string_view>

#include "sonde/http_server.h"

namespace sonde::internal {

// "OK", "Not Found", ...; "Unknown" for codes without a phrase here.
const char* HttpStatusText(int status);

// Whether a response with this status carries no body (1xx, 204, 304).
bool StatusHasNoBody(int status);

// Appends the status line and headers of `response` (Content-Type, extra
// headers, Content-Length, Date, Connection) and the blank line.
// `keep_alive_header` adds "Connection: keep-alive" (for HTTP/1.0 clients).
void AppendResponseHead(std::string* out, const HttpResponse& response, size_t body_length,
                        bool close, bool keep_alive_header, std::string_view date);

// An IMF-fixdate for the Date header ("Sun, 06 Nov 1994 08:49:37 GMT"),
// recomputed at most once per second.
class HttpDateCache {
 public:
  std::string_view Get();

 private:
  time_t second_ = -1;
  std::string text_;
};

}  // namespace sonde::internal

#endif  // SONDE_COMMON_HTTP_MESSAGE_H_

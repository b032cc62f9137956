#include "http_message.h"

#include "sonde/json_util.h"

namespace sonde {
namespace {

std::optional<std::string_view> FindPair(
    const std::vector<std::pair<std::string, std::string>>& pairs, std::string_view name) {
  for (const auto& [k, v] : pairs) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace

std::string_view HttpRequest::Param(std::string_view name) const {
  return FindPair(params, name).value_or(std::string_view());
}

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
  return FindPair(query, name);
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  return FindPair(headers, name);
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Error(int status, std::string_view message) {
  return Json(status, JsonError(message));
}

namespace internal {

const char* HttpStatusText(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

bool StatusHasNoBody(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

void AppendResponseHead(std::string* out, const HttpResponse& response, size_t body_length,
                        bool close, bool keep_alive_header, std::string_view date) {
  out->append("HTTP/1.1 ");
  out->append(std::to_string(response.status));
  out->push_back(' ');
  out->append(HttpStatusText(response.status));
  out->append("\r\n");
  if (!response.content_type.empty() && !StatusHasNoBody(response.status)) {
    out->append("Content-Type: ").append(response.content_type).append("\r\n");
  }
  for (const auto& [name, value] : response.headers) {
    out->append(name).append(": ").append(value).append("\r\n");
  }
  if (!StatusHasNoBody(response.status)) {
    out->append("Content-Length: ").append(std::to_string(body_length)).append("\r\n");
  }
  out->append("Date: ").append(date).append("\r\n");
  if (close) {
    out->append("Connection: close\r\n");
  } else if (keep_alive_header) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
}

std::string_view HttpDateCache::Get() {
  const time_t now = time(nullptr);
  if (now != second_) {
    second_ = now;
    tm t;
    gmtime_r(&now, &t);
    char buf[64];
    const size_t n = strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &t);
    text_.assign(buf, n);
  }
  return text_;
}

}  // namespace internal
}  // namespace sonde

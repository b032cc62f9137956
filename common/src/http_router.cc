#include "http_router.h"

namespace sonde::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits "/a/b/" into {"a", "b"}: the leading '/' and one trailing '/' are
// dropped; "/" gives no segments.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool SegmentsMatch(const HttpRouter::Route& route, const std::vector<std::string>& segments) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto& [capture, text] = route.segments[i];
    if (capture ? segments[i].empty() : segments[i] != text) return false;
  }
  return true;
}

}  // namespace

bool UrlDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool ParseQuery(std::string_view query, std::vector<std::pair<std::string, std::string>>* out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    std::string key, value;
    if (!UrlDecode(item.substr(0, eq), true, &key)) return false;
    if (eq != std::string_view::npos && !UrlDecode(item.substr(eq + 1), true, &value)) {
      return false;
    }
    out->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

void HttpRouter::Add(std::string_view method, std::string_view pattern, HttpServer::Handler handler,
                     HttpServer::DeferredHandler deferred) {
  Route route;
  route.method = std::string(method);
  for (std::string_view seg : SplitPath(pattern)) {
    const bool capture = !seg.empty() && seg.front() == ':';
    route.segments.emplace_back(capture, std::string(capture ? seg.substr(1) : seg));
  }
  route.handler = std::move(handler);
  route.deferred = std::move(deferred);
  routes_.push_back(std::move(route));
}

HttpRouter::Match HttpRouter::Find(std::string_view method, std::string_view raw_path,
                                   std::vector<std::pair<std::string, std::string>>* params) const {
  Match match;
  std::vector<std::string> segments;
  for (std::string_view raw : SplitPath(raw_path)) {
    std::string decoded;
    // In a path '+' is a literal plus; only queries use it for spaces.
    if (!UrlDecode(raw, /*plus_is_space=*/false, &decoded)) {
      match.outcome = Outcome::kBadPath;
      return match;
    }
    segments.push_back(std::move(decoded));
  }
  const Route* get_route = nullptr;
  std::vector<std::string_view> allowed;
  for (const Route& route : routes_) {
    if (!SegmentsMatch(route, segments)) continue;
    if (route.method == method) {
      match.route = &route;
      break;
    }
    if (route.method == "GET" && get_route == nullptr) get_route = &route;
    allowed.push_back(route.method);
  }
  if (match.route == nullptr && method == "HEAD") match.route = get_route;
  if (match.route != nullptr) {
    match.outcome = Outcome::kFound;
    params->clear();
    for (size_t i = 0; i < segments.size(); ++i) {
      const auto& [capture, name] = match.route->segments[i];
      if (capture) params->emplace_back(name, std::move(segments[i]));
    }
    return match;
  }
  if (allowed.empty()) return match;  // kNotFound
  match.outcome = Outcome::kMethodNotAllowed;
  if (get_route != nullptr) allowed.push_back("HEAD");
  for (size_t i = 0; i < allowed.size(); ++i) {
    bool seen = false;
    for (size_t j = 0; j < i; ++j) seen = seen || allowed[j] == allowed[i];
    if (seen) continue;
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += allowed[i];
  }
  return match;
}

}  // namespace sonde::internal

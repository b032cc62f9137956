// Internal to sonde_common: route matching and URL decoding for HttpServer.
#ifndef SONDE_COMMON_HTTP_ROUTER_H_
#define SONDE_COMMON_HTTP_ROUTER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sonde/http_server.h"

namespace sonde::internal {

// Decodes %XX escapes (and '+' as a space when plus_is_space) into *out.
// Returns false on a malformed escape ("%", "%4", "%zz").
bool UrlDecode(std::string_view in, bool plus_is_space, std::string* out);

// Parses "a=1&b=x+y&c" into decoded pairs (c -> ""), appended to *out.
// Returns false on a malformed escape.
bool ParseQuery(std::string_view query, std::vector<std::pair<std::string, std::string>>* out);

class HttpRouter {
 public:
  struct Route {
    std::string method;
    // One entry per segment: a literal, or a capture name when capture.
    std::vector<std::pair<bool, std::string>> segments;
    HttpServer::Handler handler;  // Exactly one of these is set.
    HttpServer::DeferredHandler deferred;
  };

  enum class Outcome { kFound, kNotFound, kMethodNotAllowed, kBadPath };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;  // kFound only.
    std::string allow;             // kMethodNotAllowed: "GET, HEAD".
  };

  void Add(std::string_view method, std::string_view pattern, HttpServer::Handler handler,
           HttpServer::DeferredHandler deferred);

  // Matches `raw_path` (not decoded; no query). On kFound fills *params
  // with the decoded captures. HEAD falls back to a GET route.
  Match Find(std::string_view method, std::string_view raw_path,
             std::vector<std::pair<std::string, std::string>>* params) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace sonde::internal

#endif  // SONDE_COMMON_HTTP_ROUTER_H_

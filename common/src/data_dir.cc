#include "sonde/data_dir.h"

#include <cstdlib>

namespace sonde {
namespace {

const char* NonEmpty(const char* v) { return (v != nullptr && v[0] != '\0') ? v : nullptr; }

}  // namespace

Result<std::string> DefaultDataDir(const std::function<const char*(const char*)>& getenv_fn) {
  if (const char* dir = NonEmpty(getenv_fn("SONDE_DATA_DIR"))) return std::string(dir);
  // The XDG base directory spec says relative paths are invalid and must
  // be ignored.
  if (const char* xdg = NonEmpty(getenv_fn("XDG_STATE_HOME")); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/sonde";
  }
  if (const char* home = NonEmpty(getenv_fn("HOME"))) {
    return std::string(home) + "/.local/state/sonde";
  }
  return Status::NotFound(
      "no data directory: set SONDE_DATA_DIR, XDG_STATE_HOME or HOME, or pass --data-dir");
}

Result<std::string> DefaultDataDir() {
  return DefaultDataDir([](const char* name) -> const char* { return std::getenv(name); });
}

}  // namespace sonde

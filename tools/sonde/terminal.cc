#include "terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace sonde::tools {

namespace {

// A positive integer from the environment, or 0.
int EnvInt(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr) return 0;
  int value = 0;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  return ec == std::errc() && ptr == end && value > 0 ? value : 0;
}

}  // namespace

int TerminalWidth() {
  struct winsize ws = {};
  if (StdoutIsTerminal() && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  if (int columns = EnvInt("COLUMNS"); columns > 0) return columns;
  return 80;
}

bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

bool UseColor(std::string_view mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return StdoutIsTerminal();
}

}  // namespace sonde::tools

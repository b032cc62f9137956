// What `sonde` needs to know about the terminal it prints to: its width
// (tables fit it) and whether colour is wanted.
//
// Thread-safety: reads the environment and stdout's state; call from main's
// thread.
#ifndef SONDE_TOOLS_SONDE_TERMINAL_H_
#define SONDE_TOOLS_SONDE_TERMINAL_H_

#include <string_view>

namespace sonde::tools {

// The width to fit tables to: the terminal's columns when stdout is a
// terminal (ioctl TIOCGWINSZ), else $COLUMNS when it is a positive number,
// else 80.
int TerminalWidth();

// Whether stdout is a terminal.
bool StdoutIsTerminal();

// Whether to colour output for --color `mode` ("auto", "always", "never"):
// "auto" colours only when stdout is a terminal, $NO_COLOR is unset or
// empty, and $TERM is not "dumb".
bool UseColor(std::string_view mode);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_TERMINAL_H_

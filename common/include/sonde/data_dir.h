// Where Sonde keeps its state when no --data-dir is given.
//
// Thread-safety: reads the environment; do not call while another thread
// calls setenv().
#ifndef SONDE_DATA_DIR_H_
#define SONDE_DATA_DIR_H_

#include <functional>
#include <string>

#include "sonde/status.h"

namespace sonde {

// Returns, first match wins:
//   $SONDE_DATA_DIR                  (as given)
//   $XDG_STATE_HOME/sonde            (XDG: only when absolute)
//   $HOME/.local/state/sonde
// Empty variables count as unset. Returns NotFound when none applies (no
// HOME). The directory is not created.
Result<std::string> DefaultDataDir();

// As above with an injected environment lookup (returns nullptr for unset),
// for tests.
Result<std::string> DefaultDataDir(const std::function<const char*(const char*)>& getenv_fn);

}  // namespace sonde

#endif  // SONDE_DATA_DIR_H_

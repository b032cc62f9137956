// ProcFile: a /proc file kept open and re-read from offset 0 on each tick,
// into a buffer that only grows. The whole point is to make a reading cost
// one or two pread(2) calls and no allocation.
//
// Thread-safety: one thread at a time.
#ifndef SONDE_AGENT_PROC_FILE_H_
#define SONDE_AGENT_PROC_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "sonde/status.h"

namespace sonde::agent {

class ProcFile {
 public:
  // Opens `path` read-only. Returns IOError "open <path>: <strerror>".
  static Result<ProcFile> Open(std::string path);

  ProcFile(ProcFile&& other) noexcept;
  ProcFile& operator=(ProcFile&& other) noexcept;
  ProcFile(const ProcFile&) = delete;
  ProcFile& operator=(const ProcFile&) = delete;
  ~ProcFile();

  // Reads the whole file from offset 0. The view is valid until the next
  // Read() or the destruction of this object. Returns IOError on failure.
  Result<std::string_view> Read();

  const std::string& path() const { return path_; }

 private:
  ProcFile(int fd, std::string path);

  int fd_ = -1;
  std::string path_;
  std::vector<char> buffer_;
};

// `root` joined with `path` (which starts with '/'), without doubling the
// slash: JoinRoot("/", "/proc/stat") is "/proc/stat".
std::string JoinRoot(const std::string& root, std::string_view path);

}  // namespace sonde::agent

#endif  // SONDE_AGENT_PROC_FILE_H_

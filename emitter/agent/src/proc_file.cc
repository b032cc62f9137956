#include "proc_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace sonde::agent {
namespace {

constexpr size_t kInitialBufferBytes = 4096;

Status Errno(std::string_view what, const std::string& path, int err) {
  std::string message(what);
  message += ' ';
  message += path;
  message += ": ";
  message += std::strerror(err);
  return Status::IOError(message);
}

}  // namespace

ProcFile::ProcFile(int fd, std::string path)
    : fd_(fd), path_(std::move(path)), buffer_(kInitialBufferBytes) {}

ProcFile::ProcFile(ProcFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      buffer_(std::move(other.buffer_)) {}

ProcFile& ProcFile::operator=(ProcFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

ProcFile::~ProcFile() {
  if (fd_ >= 0) close(fd_);
}

Result<ProcFile> ProcFile::Open(std::string path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path, errno);
  return ProcFile(fd, std::move(path));
}

Result<std::string_view> ProcFile::Read() {
  // /proc files have no size; read until EOF, doubling the buffer when a
  // file outgrows it (e.g. /proc/stat after CPUs come online).
  size_t length = 0;
  for (;;) {
    if (length == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    ssize_t n = pread(fd_, buffer_.data() + length, buffer_.size() - length,
                      static_cast<off_t>(length));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("read", path_, errno);
    }
    if (n == 0) break;
    length += static_cast<size_t>(n);
  }
  return std::string_view(buffer_.data(), length);
}

std::string JoinRoot(const std::string& root, std::string_view path) {
  std::string joined = root;
  while (!joined.empty() && joined.back() == '/') joined.pop_back();
  if (path.empty() || path.front() != '/') joined += '/';
  joined += path;
  return joined;
}

}  // namespace sonde::agent

// Helpers shared by the tests: temp dirs, waiting on conditions with a
// deadline (never sleeps as synchronization), binary paths.
#ifndef SONDE_TESTS_TESTUTIL_H_
#define SONDE_TESTS_TESTUTIL_H_

#include <chrono>
#include <functional>
#include <string>

namespace sonde::testing {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Polls `condition` every millisecond until it is true or `timeout` passes.
// Returns whether it became true.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Absolute path of a binary built by this tree, e.g. BinaryPath("sonde-broker").
std::string BinaryPath(const std::string& name);

// Milliseconds since the Unix epoch, now.
int64_t NowMs();

}  // namespace sonde::testing

#endif  // SONDE_TESTS_TESTUTIL_H_

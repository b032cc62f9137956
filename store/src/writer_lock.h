// WriterLock: the file DIR/writer.lock, held with flock(LOCK_EX) by the one
// process writing the store, so that a second writer is refused with a clear
// message instead of both writing. The kernel drops the lock when the process
// dies (kill -9 included), so a crash never leaves a stale lock.
//
// Thread-safety: not shared; owned by one LmdbStore.
#ifndef SONDE_STORE_WRITER_LOCK_H_
#define SONDE_STORE_WRITER_LOCK_H_

#include <string>

#include "sonde/status.h"

namespace sonde::store_internal {

class WriterLock {
 public:
  WriterLock() = default;
  ~WriterLock();
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // Takes the lock on dir/writer.lock (creating the file) and records this
  // process's pid in it. Returns Unavailable naming the holder's pid when
  // another open file description holds it, IOError when the file cannot be
  // opened.
  Status Acquire(const std::string& dir);

 private:
  int fd_ = -1;
};

}  // namespace sonde::store_internal

#endif  // SONDE_STORE_WRITER_LOCK_H_

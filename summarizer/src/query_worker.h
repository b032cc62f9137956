// QueryWorker: one thread that runs HTTP queries (store reads and JSON
// rendering) off the loop, so that a big query never stalls ingest. Tasks
// run in the order posted; at most max_pending wait.
//
// Thread-safety: Post() and Stop() from any thread; tasks run on the worker.
#ifndef SONDE_SUMMARIZER_QUERY_WORKER_H_
#define SONDE_SUMMARIZER_QUERY_WORKER_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace sonde::summarizer {

class QueryWorker {
 public:
  // Starts the thread. SONDE_CHECKs thread creation.
  explicit QueryWorker(size_t max_pending = 1024);
  ~QueryWorker();  // Stop().
  QueryWorker(const QueryWorker&) = delete;
  QueryWorker& operator=(const QueryWorker&) = delete;

  // Queues `task`; false (task dropped) when max_pending tasks wait already
  // or after Stop().
  bool Post(std::function<void()> task);

  // Lets the running task finish, drops the queued ones and joins.
  // Idempotent.
  void Stop();

 private:
  void Main();

  const size_t max_pending_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // Guarded by mu_.
  bool stop_ = false;                        // Guarded by mu_.
  std::thread thread_;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_QUERY_WORKER_H_

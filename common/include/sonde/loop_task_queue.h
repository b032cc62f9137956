// LoopTaskQueue: the way into a libuv loop from other threads.
//
//   auto queue = sonde::LoopTaskQueue::Start(loop);       // on the loop thread
//   worker: (*queue)->Post([responder, rows] { responder->Send(...); });
//
// Tasks run on the loop thread, in the order posted, batched behind one
// uv_async_send (libuv coalesces wake-ups). After Close() starts, Post()
// returns false and the task is dropped (destroyed on the posting thread).
// Tasks still queued at Close() are destroyed without running.
//
// Lifecycle: see sonde/uv_loop.h. The async handle is unref'd: a queue does
// not keep the loop alive by itself.
// Thread-safety: Post() from any thread; Start/Close/destructor on the loop
// thread. Post() may race with Close() safely, but not with the destructor:
// stop posting threads before destroying the queue.
#ifndef SONDE_LOOP_TASK_QUEUE_H_
#define SONDE_LOOP_TASK_QUEUE_H_

#include <uv.h>

#include <functional>
#include <memory>

#include "sonde/status.h"

namespace sonde {

class LoopTaskQueue {
 public:
  // Returns IOError when libuv refuses the async handle.
  static Result<std::unique_ptr<LoopTaskQueue>> Start(uv_loop_t* loop);

  ~LoopTaskQueue();
  LoopTaskQueue(const LoopTaskQueue&) = delete;
  LoopTaskQueue& operator=(const LoopTaskQueue&) = delete;

  // Queues `task` to run on the loop thread. Returns false (task dropped)
  // after Close(). Never blocks beyond a short mutex.
  bool Post(std::function<void()> task);

  // Closes the handle; `on_closed` (may be empty) runs once it is closed.
  void Close(std::function<void()> on_closed = {});

  struct Impl;

 private:
  explicit LoopTaskQueue(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace sonde

#endif  // SONDE_LOOP_TASK_QUEUE_H_

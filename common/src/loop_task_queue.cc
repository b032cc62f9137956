#include "sonde/loop_task_queue.h"

#include <deque>
#include <mutex>
#include <utility>

#include "sonde/uv_loop.h"

namespace sonde {

struct LoopTaskQueue::Impl {
  std::mutex mu;
  std::deque<std::function<void()>> tasks;  // Guarded by mu.
  bool closed = false;                      // Guarded by mu.
  uv_async_t* async = nullptr;              // Freed by its close callback.
  std::function<void()> on_closed;

  // The async handle's data: keeps Impl alive until the close callback.
  struct HandleRef {
    std::shared_ptr<Impl> impl;
  };

  static void OnAsync(uv_async_t* handle) {
    Impl* self = static_cast<HandleRef*>(handle->data)->impl.get();
    std::deque<std::function<void()>> batch;
    {
      std::lock_guard<std::mutex> lock(self->mu);
      if (self->closed) return;
      batch.swap(self->tasks);
    }
    for (auto& task : batch) {
      task();
      // A task may close the queue; the rest are then dropped unrun.
      std::lock_guard<std::mutex> lock(self->mu);
      if (self->closed) break;
    }
  }

  static void OnClose(uv_handle_t* handle) {
    auto* ref = static_cast<HandleRef*>(handle->data);
    auto done = std::move(ref->impl->on_closed);
    delete ref;
    delete reinterpret_cast<uv_async_t*>(handle);
    if (done) done();
  }
};

Result<std::unique_ptr<LoopTaskQueue>> LoopTaskQueue::Start(uv_loop_t* loop) {
  auto impl = std::make_shared<Impl>();
  auto* async = new uv_async_t;
  if (int rc = uv_async_init(loop, async, Impl::OnAsync); rc != 0) {
    delete async;
    return UvStatus(rc, "uv_async_init");
  }
  async->data = new Impl::HandleRef{impl};
  uv_unref(reinterpret_cast<uv_handle_t*>(async));
  impl->async = async;
  return std::unique_ptr<LoopTaskQueue>(new LoopTaskQueue(std::move(impl)));
}

LoopTaskQueue::~LoopTaskQueue() { Close(); }

bool LoopTaskQueue::Post(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  if (impl_->closed) {
    lock.unlock();
    return false;  // `task` is destroyed here, on the posting thread.
  }
  impl_->tasks.push_back(std::move(task));
  // Sent under the lock so that Close() cannot free the handle meanwhile.
  uv_async_send(impl_->async);
  return true;
}

void LoopTaskQueue::Close(std::function<void()> on_closed) {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->closed) return;
    impl_->closed = true;
    dropped.swap(impl_->tasks);
  }
  impl_->on_closed = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(impl_->async), Impl::OnClose);
}

}  // namespace sonde

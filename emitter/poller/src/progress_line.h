// ProgressLine: "polling 4512/10000  failed 12  in flight 500  waiting 4988"
// redrawn in place on stderr five times a second during a round, and erased
// when the round ends. Drawn only when stderr is a terminal, so that logs,
// pipes and files never see it.
//
// Lifecycle: Close() before the loop closes. Thread-safety: loop thread.
#ifndef SONDE_POLLER_SRC_PROGRESS_LINE_H_
#define SONDE_POLLER_SRC_PROGRESS_LINE_H_

#include <uv.h>

#include <functional>

#include "sonde/poller.h"

namespace sonde::poller {

class ProgressLine {
 public:
  // `enabled` false (or stderr not a terminal) makes every call a no-op.
  ProgressLine(uv_loop_t* loop, bool enabled);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Starts redrawing `read()`'s progress until Stop().
  void Start(std::function<RoundProgress()> read);
  void Stop();
  void Close();

 private:
  static void OnTick(uv_timer_t* timer);
  void Draw();

  bool enabled_;
  bool drawn_ = false;
  uv_timer_t timer_;
  std::function<RoundProgress()> read_;
};

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SRC_PROGRESS_LINE_H_

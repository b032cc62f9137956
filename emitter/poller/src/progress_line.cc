#include "progress_line.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace sonde::poller {
namespace {
constexpr uint64_t kRedrawMs = 200;
}  // namespace

ProgressLine::ProgressLine(uv_loop_t* loop, bool enabled)
    : enabled_(enabled && isatty(STDERR_FILENO) == 1) {
  if (!enabled_) return;
  uv_timer_init(loop, &timer_);
  timer_.data = this;
  // The line is decoration: it must never keep the loop alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&timer_));
}

void ProgressLine::Start(std::function<RoundProgress()> read) {
  if (!enabled_) return;
  read_ = std::move(read);
  uv_timer_start(&timer_, &ProgressLine::OnTick, kRedrawMs, kRedrawMs);
}

void ProgressLine::Stop() {
  if (!enabled_) return;
  uv_timer_stop(&timer_);
  if (drawn_) std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

void ProgressLine::Close() {
  if (!enabled_) return;
  Stop();
  enabled_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
}

void ProgressLine::OnTick(uv_timer_t* timer) { static_cast<ProgressLine*>(timer->data)->Draw(); }

void ProgressLine::Draw() {
  const RoundProgress p = read_();
  if (p.targets == 0) return;
  std::string line = fmt::format("\r\033[Kpolling {}/{}  failed {}  in flight {}  waiting {}",
                                 p.done, p.targets, p.failed, p.in_flight, p.waiting);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace sonde::poller

#include "sonde/clock.h"

#include <time.h>

namespace sonde {

const Clock* Clock::Real() {
  static const SystemClock clock;
  return &clock;
}

int64_t SystemClock::WallMs() const {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t SystemClock::SteadyNs() const {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace sonde

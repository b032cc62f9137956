#include "sonde/clock.h"

#include <gtest/gtest.h>

namespace sonde {
namespace {

TEST(FakeClock, AdvancesBothReadings) {
  FakeClock clock(1000, 5);
  clock.AdvanceMs(250);
  EXPECT_EQ(clock.WallMs(), 1250);
  EXPECT_EQ(clock.SteadyNs(), 5 + 250000000);
  clock.SetWallMs(0);  // A wall-clock jump leaves steady time alone.
  EXPECT_EQ(clock.WallMs(), 0);
  EXPECT_EQ(clock.SteadyNs(), 5 + 250000000);
  const Clock* real = Clock::Real();
  EXPECT_GT(real->WallMs(), 1700000000000);
  const int64_t a = real->SteadyNs();
  EXPECT_GE(real->SteadyNs(), a);
}

}  // namespace
}  // namespace sonde

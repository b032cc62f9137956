#include "sonde/data_dir.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sonde {
namespace {

Result<std::string> DirWith(const std::map<std::string, std::string>& env) {
  return DefaultDataDir([&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(DefaultDataDir, SondeDataDirWins) {
  EXPECT_EQ(
      *DirWith({{"SONDE_DATA_DIR", "/srv/sonde"}, {"XDG_STATE_HOME", "/x"}, {"HOME", "/home/u"}}),
      "/srv/sonde");
}

TEST(DefaultDataDir, ThenXdgStateHome) {
  EXPECT_EQ(*DirWith({{"XDG_STATE_HOME", "/x/state"}, {"HOME", "/home/u"}}), "/x/state/sonde");
  // Empty counts as unset; a relative XDG path is invalid per the spec.
  EXPECT_EQ(*DirWith({{"SONDE_DATA_DIR", ""}, {"XDG_STATE_HOME", "rel"}, {"HOME", "/home/u"}}),
            "/home/u/.local/state/sonde");
}

TEST(DefaultDataDir, ThenHome) {
  EXPECT_EQ(*DirWith({{"HOME", "/home/u"}}), "/home/u/.local/state/sonde");
}

TEST(DefaultDataDir, NothingSetIsNotFound) {
  auto dir = DirWith({});
  ASSERT_FALSE(dir.has_value());
  EXPECT_TRUE(dir.error().IsNotFound());
}

TEST(DefaultDataDir, ReadsTheRealEnvironment) {
  setenv("SONDE_DATA_DIR", "/tmp/sonde-env-test", 1);
  EXPECT_EQ(*DefaultDataDir(), "/tmp/sonde-env-test");
  unsetenv("SONDE_DATA_DIR");
}

}  // namespace
}  // namespace sonde

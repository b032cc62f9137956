#include <gtest/gtest.h>

#include <cstdio>

#include "query_fixture.h"

namespace sonde::testing {
namespace {

using QueryCli = QueryFixture;

TEST_F(QueryCli, DumpForDev) {
  const std::vector<std::vector<std::string>> cmds = {
      {"hosts"}, {"hosts", "--format", "json"}, {"hosts", "--format", "csv"},
      {"metrics", "web-01"}, {"metrics", "web-01", "--format", "json"}, {"metrics", "web-01", "--format", "csv"},
      {"get", "web-01"}, {"get", "web-01", "CPU"}, {"get", "web-01", "--windows"}, {"get", "web-01", "cpu", "--format", "json"},
      {"get", "web-01", "req", "--format", "csv"}, {"get", "web-01", "--res", "hour"}, {"get", "web-01", "--since", "2m"},
      {"latest"}, {"latest", "--where", "dc=east", "--sort", "-value"}, {"latest", "--columns", "host,metric,core,value", "--where", "metric=cpu"},
      {"latest", "--format", "json", "--limit", "2"}, {"latest", "--format", "csv"},
      {"get", "nope"}, {"get", "web-01", "xyz"}, {"metrics", "nope"}, {"latest", "--metric", "zzz"}, {"get", "web-01", "--since", "10x"},
  };
  for (const auto& c : cmds) {
    RunResult r = Sonde(c, 100);
    std::string line;
    for (const auto& a : c) line += a + " ";
    std::printf("=== %s-> %d\n%s--- err\n%s", line.c_str(), r.exit_code, r.out.c_str(), r.err.c_str());
  }
  RunResult r = Sonde({"get", "web-01"}, 60);
  std::printf("=== narrow -> %d\n%s--- err\n%s", r.exit_code, r.out.c_str(), r.err.c_str());
  r = Sonde({"latest"}, 50);
  std::printf("=== narrow latest -> %d\n%s--- err\n%s", r.exit_code, r.out.c_str(), r.err.c_str());
  r = SondeRaw({"hosts", "--db", "/nonexistent/x"});
  std::printf("=== nodb -> %d\n%s--- err\n%s", r.exit_code, r.out.c_str(), r.err.c_str());
}

}  // namespace
}  // namespace sonde::testing

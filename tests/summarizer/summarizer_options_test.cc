// SummarizerOptions::Validate: each check, and the --http address parser.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "http_address.h"
#include "sonde/summarizer.h"

namespace sonde::summarizer {
namespace {

SummarizerOptions Valid() {
  SummarizerOptions o;
  o.data_dir = "/tmp/x";
  return o;
}

TEST(SummarizerOptions, DefaultsWithADataDirAreValid) {
  EXPECT_TRUE(Valid().Validate().ok());
  SummarizerOptions o;
  EXPECT_TRUE(o.Validate().IsInvalidArgument());  // data_dir is required.
  EXPECT_EQ(o.from, std::vector<std::string>{"tcp://127.0.0.1:7702"});
  EXPECT_EQ(o.http, "127.0.0.1:7780");
  EXPECT_EQ(o.flush_interval, std::chrono::seconds(1));
  EXPECT_EQ(o.lateness, std::chrono::minutes(2));
  EXPECT_EQ(o.minute_retention, std::chrono::hours(1));
  EXPECT_EQ(o.hour_retention, std::chrono::hours(24));
}

TEST(SummarizerOptions, EachCheckNamesItsFlag) {
  using std::chrono::milliseconds;
  const std::vector<std::pair<std::string, std::function<void(SummarizerOptions*)>>> cases = {
      {"--from", [](SummarizerOptions* o) { o->from.clear(); }},
      {"--from", [](SummarizerOptions* o) { o->from = {"udp://127.0.0.1:1"}; }},
      {"--from", [](SummarizerOptions* o) { o->from = {"tcp://127.0.0.1"}; }},
      {"--data-dir", [](SummarizerOptions* o) { o->data_dir.clear(); }},
      {"--http", [](SummarizerOptions* o) { o->http = "localhost"; }},
      {"--http", [](SummarizerOptions* o) { o->http = "127.0.0.1:99999"; }},
      {"--flush-interval", [](SummarizerOptions* o) { o->flush_interval = milliseconds(5); }},
      {"--flush-interval", [](SummarizerOptions* o) { o->flush_interval = milliseconds(61000); }},
      {"--lateness", [](SummarizerOptions* o) { o->lateness = milliseconds(-1); }},
      {"--lateness", [](SummarizerOptions* o) { o->lateness = std::chrono::hours(2); }},
      {"--max-future", [](SummarizerOptions* o) { o->max_future = milliseconds(-1); }},
      {"--minute-retention",
       [](SummarizerOptions* o) { o->minute_retention = milliseconds(59999); }},
      {"--hour-retention",
       [](SummarizerOptions* o) { o->hour_retention = std::chrono::minutes(59); }},
      {"--sweep-interval", [](SummarizerOptions* o) { o->sweep_interval = milliseconds(999); }},
      {"--max-db-size", [](SummarizerOptions* o) { o->max_db_size = 1000; }},
      {"--max-db-size", [](SummarizerOptions* o) { o->max_db_size = uint64_t{2} << 40; }},
      {"--max-series", [](SummarizerOptions* o) { o->max_series = 0; }},
      {"--max-tag-values", [](SummarizerOptions* o) { o->max_tag_values = 0; }},
      {"--max-windows", [](SummarizerOptions* o) { o->max_windows = 0; }},
      {"--sub-hwm", [](SummarizerOptions* o) { o->sub_hwm = 0; }},
  };
  for (const auto& [flag, mutate] : cases) {
    SummarizerOptions o = Valid();
    mutate(&o);
    Status s = o.Validate();
    EXPECT_TRUE(s.IsInvalidArgument()) << flag;
    EXPECT_NE(s.message().find(flag), std::string::npos) << s.message();
  }
  SummarizerOptions o = Valid();
  o.http = "";  // Disables HTTP.
  EXPECT_TRUE(o.Validate().ok());
  o.from = {"ipc:///tmp/sonde.pub", "tcp://10.0.0.1:7702"};
  EXPECT_TRUE(o.Validate().ok());
}

TEST(HttpAddress, Parses) {
  HttpAddress a;
  ASSERT_TRUE(ParseHttpAddress("127.0.0.1:7780", &a).ok());
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 7780);
  ASSERT_TRUE(ParseHttpAddress("[::1]:0", &a).ok());
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 0);
  ASSERT_TRUE(ParseHttpAddress(":80", &a).ok());
  EXPECT_EQ(a.host, "127.0.0.1");
  for (const char* bad : {"", "host", "host:", "host:x", "::1:80", "h:65536", "h:-1"}) {
    EXPECT_TRUE(ParseHttpAddress(bad, &a).IsInvalidArgument()) << bad;
  }
}

}  // namespace
}  // namespace sonde::summarizer

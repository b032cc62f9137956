#include "sonde/store_options.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace sonde {
namespace {

StoreOptions Valid() {
  StoreOptions o;
  o.dir = "/tmp/sonde";
  return o;
}

TEST(StoreOptions, DefaultsAreValidOnceDirIsSet) {
  EXPECT_TRUE(StoreOptions().Validate().IsInvalidArgument());  // dir is required.
  EXPECT_TRUE(Valid().Validate().ok());
  StoreOptions week = Valid();
  week.hour_retention = std::chrono::hours(24 * 7);  // 7 days of hours.
  EXPECT_TRUE(week.Validate().ok());
}

TEST(StoreOptions, EachCheckRejects) {
  using Mutate = std::function<void(StoreOptions*)>;
  const std::vector<std::pair<std::string, Mutate>> cases = {
      {"dir", [](StoreOptions* o) { o->dir.clear(); }},
      {"initial_map_bytes", [](StoreOptions* o) { o->initial_map_bytes = 4096; }},
      {"max_map_bytes", [](StoreOptions* o) { o->max_map_bytes = uint64_t{2} << 40; }},
      {"initial_map_bytes",
       [](StoreOptions* o) {
         o->initial_map_bytes = uint64_t{8} << 20;
         o->max_map_bytes = uint64_t{4} << 20;
         o->size_cap_bytes = 0;
       }},
      {"size_cap_bytes", [](StoreOptions* o) { o->size_cap_bytes = o->max_map_bytes + 1; }},
      {"minute_retention", [](StoreOptions* o) { o->minute_retention = {}; }},
      {"hour_retention", [](StoreOptions* o) { o->hour_retention = std::chrono::hours(-1); }},
      {"catalog_retention", [](StoreOptions* o) { o->catalog_retention = std::chrono::hours(2); }},
      {"catalog_retention",
       [](StoreOptions* o) { o->minute_retention = std::chrono::hours(24 * 8); }},
      {"sweep_keys_per_txn", [](StoreOptions* o) { o->sweep_keys_per_txn = 0; }},
      {"sweep_txns_per_call", [](StoreOptions* o) { o->sweep_txns_per_call = 0; }},
      {"max_readers", [](StoreOptions* o) { o->max_readers = 0; }},
      {"max_readers", [](StoreOptions* o) { o->max_readers = 5000; }},
  };
  for (const auto& [field, mutate] : cases) {
    StoreOptions o = Valid();
    mutate(&o);
    const Status s = o.Validate();
    EXPECT_TRUE(s.IsInvalidArgument()) << field;
    EXPECT_NE(s.message().find(field), std::string::npos) << field << ": " << s.ToString();
  }
}

}  // namespace
}  // namespace sonde

// The bus framing: topic and meta frames (sonde/wire.h, "Bus").
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "sonde/wire.h"
#include "wire_test_messages.h"

namespace sonde {
namespace {

using namespace wire_test;  // NOLINT: test vocabulary.

std::string Meta(const BusMeta& meta) {
  char buf[128];
  const size_t n = EncodeBusMeta(meta, buf, sizeof buf);
  EXPECT_GT(n, 0u);
  return std::string(buf, n);
}

TEST(WireBus, TopicIsSourceThenNul) {
  char buf[16];
  ASSERT_EQ(EncodeBusTopic("web-01", buf, sizeof buf), 7u);
  EXPECT_EQ(std::string(buf, 7), std::string("web-01\0", 7));
  EXPECT_EQ(EncodeBusTopic("web-01", buf, 6), 0u);
  EXPECT_EQ(EncodeBusTopic("web-01", buf, 7), 7u);
}

TEST(WireBus, MetaHasTheDocumentedBytes) {
  EXPECT_EQ(ToHex(Meta({"b1", 1, kT})), "94 01 a2 62 31 01 cf 00 00 01 8b cf e5 68 00");
  EXPECT_EQ(ToHex(Meta({"", 0, -1})), "94 01 a0 00 ff");
}

TEST(WireBus, MetaRoundTrips) {
  const std::string id64(kMaxBrokerIdBytes, 'b');
  const BusMeta cases[] = {
      {"broker-1", 1, kT},
      {"", 0, 0},
      {id64, std::numeric_limits<uint64_t>::max(), std::numeric_limits<int64_t>::max()},
      {"b", 300, std::numeric_limits<int64_t>::min()},
      {"b", uint64_t{1} << 40, -5},
  };
  for (const BusMeta& in : cases) {
    SCOPED_TRACE(in.sequence);
    const std::string frame = Meta(in);
    EXPECT_TRUE(OracleAccepts(frame));
    BusMeta out;
    ASSERT_EQ(DecodeBusMeta(frame, &out), WireError::kOk);
    EXPECT_EQ(out.broker_id, in.broker_id);
    EXPECT_EQ(out.sequence, in.sequence);
    EXPECT_EQ(out.received_ms, in.received_ms);
  }
}

TEST(WireBus, EncodeMetaRefusesLongIdsAndSmallBuffers) {
  char buf[128];
  const std::string id65(kMaxBrokerIdBytes + 1, 'b');
  EXPECT_EQ(EncodeBusMeta({id65, 1, kT}, buf, sizeof buf), 0u);
  const std::string full = Meta({"broker-1", 12345, kT});
  for (size_t cap = 0; cap < full.size(); ++cap) {
    EXPECT_EQ(EncodeBusMeta({"broker-1", 12345, kT}, buf, cap), 0u) << cap;
  }
}

TEST(WireBus, DecodeMetaIsStrict) {
  struct Case {
    const char* what;
    std::string frame;
    WireError want;
  };
  const std::string good = Meta({"b1", 7, kT});
  using W = WireError;
  const Case cases[] = {
      {"empty", "", W::kEmpty},
      {"not an array", FromHex("84 01 02 03 04"), W::kWrongType},
      {"3 items", FromHex("93 01 a1 62 01"), W::kWrongType},
      {"5 items", FromHex("95 01 a1 62 01 01 01"), W::kWrongType},
      {"version 2", FromHex("94 02 a1 62 01 01"), W::kBadVersion},
      {"version as str", FromHex("94 a1 31 a1 62 01 01"), W::kWrongType},
      {"broker id int", FromHex("94 01 05 01 01"), W::kWrongType},
      {"broker id 65 bytes",
       [] {
         Out o;
         o.pk.pack_array(4);
         o.pk.pack_int(1);
         o.Str(std::string(kMaxBrokerIdBytes + 1, 'b'));
         o.pk.pack_int(1);
         o.pk.pack_int(1);
         return o.str();
       }(),
       W::kBadSource},
      {"negative sequence", FromHex("94 01 a1 62 ff 01"), W::kWrongType},
      {"signed sequence", FromHex("94 01 a1 62 d0 05 01"), W::kWrongType},
      {"sequence float", FromHex("94 01 a1 62 cb 3f f0 00 00 00 00 00 00 01"), W::kWrongType},
      {"received_ms nil", FromHex("94 01 a1 62 01 c0"), W::kWrongType},
      {"received_ms beyond int64", FromHex("94 01 a1 62 01 cf ff ff ff ff ff ff ff ff"),
       W::kBadTimestamp},
      {"0xc1", FromHex("94 01 a1 62 01 c1"), W::kInvalidMsgpack},
      {"trailing", good + "x", W::kTrailingBytes},
      {"broker id past the end", FromHex("94 01 d9 40 62"), W::kLengthTooLarge},
      {"truncated", good.substr(0, good.size() - 1), W::kTruncated},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    BusMeta out;
    EXPECT_STREQ(WireErrorName(DecodeBusMeta(c.frame, &out)), WireErrorName(c.want));
  }
  for (size_t n = 1; n < good.size(); ++n) {
    BusMeta out;
    EXPECT_NE(DecodeBusMeta(good.substr(0, n), &out), WireError::kOk) << n;
  }
}

}  // namespace
}  // namespace sonde

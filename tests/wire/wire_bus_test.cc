// The bus framing: topic, meta and payload frames (sonde/wire.h, "Bus").
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

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
  EXPECT_EQ(ToHex(Meta({"b1", 1, kT, 3})), "95 02 a2 62 31 01 cf 00 00 01 8b cf e5 68 00 03");
  EXPECT_EQ(ToHex(Meta({"", 0, -1, 1})), "95 02 a0 00 ff 01");
}

TEST(WireBus, MetaRoundTrips) {
  const std::string id64(kMaxBrokerIdBytes, 'b');
  const BusMeta cases[] = {
      {"broker-1", 1, kT, 1},
      {"", 0, 0, 2},
      {id64, std::numeric_limits<uint64_t>::max(), std::numeric_limits<int64_t>::max(),
       kMaxBusMessages},
      {"b", 300, std::numeric_limits<int64_t>::min(), 300},
      {"b", uint64_t{1} << 40, -5, 1},
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
    EXPECT_EQ(out.message_count, in.message_count);
  }
}

TEST(WireBus, EncodeMetaRefusesLongIdsAndSmallBuffers) {
  char buf[128];
  const std::string id65(kMaxBrokerIdBytes + 1, 'b');
  EXPECT_EQ(EncodeBusMeta({id65, 1, kT}, buf, sizeof buf), 0u);
  EXPECT_EQ(EncodeBusMeta({"b", 1, kT, 0}, buf, sizeof buf), 0u);
  EXPECT_EQ(EncodeBusMeta({"b", 1, kT, kMaxBusMessages + 1}, buf, sizeof buf), 0u);
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
  const std::string good = Meta({"b1", 7, kT, 2});
  using W = WireError;
  const Case cases[] = {
      {"empty", "", W::kEmpty},
      {"not an array", FromHex("85 01 02 03 04 05"), W::kWrongType},
      {"4 items (v1)", FromHex("94 01 a1 62 01 01"), W::kWrongType},
      {"6 items", FromHex("96 02 a1 62 01 01 01 01"), W::kWrongType},
      {"version 1", FromHex("95 01 a1 62 01 01 01"), W::kBadVersion},
      {"version as str", FromHex("95 a1 32 a1 62 01 01 01"), W::kWrongType},
      {"broker id int", FromHex("95 02 05 01 01 01"), W::kWrongType},
      {"broker id 65 bytes",
       [] {
         Out o;
         o.pk.pack_array(5);
         o.pk.pack_int(2);
         o.Str(std::string(kMaxBrokerIdBytes + 1, 'b'));
         o.pk.pack_int(1);
         o.pk.pack_int(1);
         o.pk.pack_int(1);
         return o.str();
       }(),
       W::kBadSource},
      {"negative sequence", FromHex("95 02 a1 62 ff 01 01"), W::kWrongType},
      {"signed sequence", FromHex("95 02 a1 62 d0 05 01 01"), W::kWrongType},
      {"sequence float", FromHex("95 02 a1 62 cb 3f f0 00 00 00 00 00 00 01 01"), W::kWrongType},
      {"received_ms nil", FromHex("95 02 a1 62 01 c0 01"), W::kWrongType},
      {"received_ms beyond int64", FromHex("95 02 a1 62 01 cf ff ff ff ff ff ff ff ff 01"),
       W::kBadTimestamp},
      {"count 0", FromHex("95 02 a1 62 01 01 00"), W::kEmpty},
      {"count negative", FromHex("95 02 a1 62 01 01 ff"), W::kWrongType},
      {"count nil", FromHex("95 02 a1 62 01 01 c0"), W::kWrongType},
      {"count over the limit", FromHex("95 02 a1 62 01 01 cd 08 01"), W::kTooManySamples},
      {"0xc1", FromHex("95 02 a1 62 01 c1 01"), W::kInvalidMsgpack},
      {"trailing", good + "x", W::kTrailingBytes},
      {"broker id past the end", FromHex("95 02 d9 40 62"), W::kLengthTooLarge},
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

// A valid message from `source` with `count` gauges.
std::string Message(std::string_view source, int count) {
  std::vector<Sample> samples;
  for (int i = 0; i < count; ++i) {
    samples.push_back({.name = "m" + std::to_string(i),
                       .value = 1.5 + i,
                       .timestamp_ms = 0,
                       .kind = MetricKind::kGauge,
                       .tags = {}});
  }
  std::string out;
  EXPECT_EQ(EncodeBatch(source, kT, {{"dc", "eu1"}}, samples, &out), WireError::kOk);
  return out;
}

TEST(WireBus, NextSequenceNamesGapsAndRestarts) {
  auto step = [](uint64_t last, uint64_t seq) {
    const BusSequenceStep s = NextBusSequence(last, seq);
    return std::make_pair(s.missed, s.restarted);
  };
  EXPECT_EQ(step(4, 5), std::make_pair(uint64_t{0}, false));  // In order.
  EXPECT_EQ(step(2, 5), std::make_pair(uint64_t{2}, false));  // 3 and 4 lost.
  EXPECT_EQ(step(9, 1), std::make_pair(uint64_t{0}, true));   // Restarted, nothing lost.
  EXPECT_EQ(step(9, 3), std::make_pair(uint64_t{2}, true));   // Restarted; 1 and 2 lost.
  EXPECT_EQ(step(5, 5), std::make_pair(uint64_t{4}, true));   // A repeat is a restart too.
}

TEST(WireBus, SplitPayloadGivesEachMessageInOrder) {
  const std::string a = Message("web-01", 1), b = Message("web-01", 3), c = Message("web-01", 2);
  const std::string payload = a + b + c;  // Outlives the views into it.
  std::vector<BusMessage> out;
  ASSERT_EQ(SplitBusPayload(payload, 3, &out), WireError::kOk);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].message, a);
  EXPECT_EQ(out[1].message, b);
  EXPECT_EQ(out[2].message, c);
  EXPECT_EQ(out[1].source, "web-01");
  EXPECT_EQ(out[0].sample_count + out[1].sample_count + out[2].sample_count, 6u);
  ASSERT_EQ(SplitBusPayload(b, 1, &out), WireError::kOk);  // Reused: cleared first.
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].sample_count, 3u);
}

TEST(WireBus, SplitPayloadIsStrict) {
  struct Case {
    const char* what;
    std::string payload;
    uint32_t count;
    WireError want;
  };
  const std::string a = Message("web-01", 2), b = Message("web-01", 1);
  using W = WireError;
  const Case cases[] = {
      {"empty", "", 1, W::kEmpty},
      {"fewer messages than counted", a + b, 3, W::kTruncated},
      {"more messages than counted", a + b, 1, W::kTrailingBytes},
      {"cut inside the second", a + b.substr(0, b.size() - 1), 2, W::kLengthTooLarge},
      {"junk after", a + "x", 1, W::kTrailingBytes},
      {"two sources", a + Message("web-02", 1), 2, W::kBadSource},
      {"a malformed message", a + WithSample(Arr({Str("m")})), 2, W::kBadSample},
      {"not a map", a + FromHex("a1 78"), 2, W::kWrongType},
      {"0xc1", a + FromHex("c1"), 2, W::kInvalidMsgpack},
      {"over the payload limit", std::string(kMaxBusPayloadBytes + 1, 'x'), 1, W::kOversized},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<BusMessage> out;
    EXPECT_STREQ(WireErrorName(SplitBusPayload(c.payload, c.count, &out)), WireErrorName(c.want));
  }
  const std::string both = a + b;
  for (size_t n = 1; n < both.size(); ++n) {
    std::vector<BusMessage> out;
    EXPECT_NE(SplitBusPayload(both.substr(0, n), 2, &out), WireError::kOk) << n;
  }
}

// DecodeBusPayload must accept exactly what SplitBusPayload accepts, name
// the same error, and on success give what DecodeBatch gives per message.
void ExpectSameAsSplit(std::string_view payload, uint32_t count, BusBatches* out) {
  std::vector<BusMessage> split;
  const WireError want = SplitBusPayload(payload, count, &split);
  const WireError got = DecodeBusPayload(payload, count, out);
  ASSERT_STREQ(WireErrorName(got), WireErrorName(want));
  if (got != WireError::kOk) {
    EXPECT_TRUE(out->batches().empty());
    return;
  }
  ASSERT_EQ(out->batches().size(), split.size());
  for (size_t i = 0; i < split.size(); ++i) {
    BatchView alone;
    ASSERT_EQ(DecodeBatch(split[i].message, &alone), WireError::kOk);
    const BatchView& b = out->batches()[i];
    EXPECT_EQ(b.source, alone.source);
    EXPECT_EQ(b.timestamp_ms, alone.timestamp_ms);
    EXPECT_EQ(b.samples.size(), split[i].sample_count);
    EXPECT_EQ(ToSamples(b), ToSamples(alone)) << i;
  }
}

TEST(WireBus, DecodePayloadGivesEachBatchInOrder) {
  const std::string a = Message("web-01", 1), b = Message("web-01", 3), c = Message("web-01", 2);
  const std::string payload = a + b + c;
  BusBatches out;
  ASSERT_EQ(DecodeBusPayload(payload, 3, &out), WireError::kOk);
  ASSERT_EQ(out.batches().size(), 3u);
  EXPECT_EQ(out.batches()[0].samples.size(), 1u);
  EXPECT_EQ(out.batches()[1].samples.size(), 3u);
  EXPECT_EQ(out.batches()[2].samples.size(), 2u);
  EXPECT_EQ(out.batches()[1].source, "web-01");
  EXPECT_EQ(out.batches()[2].tags.Find("dc"), "eu1");
  EXPECT_EQ(out.batches()[2].samples[1].name, "m1");
  EXPECT_EQ(out.batches()[2].samples[1].timestamp_ms, kT);  // The batch's time.
  ExpectSameAsSplit(payload, 3, &out);
  ASSERT_EQ(DecodeBusPayload(b, 1, &out), WireError::kOk);  // Reused: one batch now.
  ASSERT_EQ(out.batches().size(), 1u);
  EXPECT_EQ(out.batches()[0].samples.size(), 3u);
  // A rejected payload leaves nothing to use.
  EXPECT_EQ(DecodeBusPayload(b + "x", 1, &out), WireError::kTrailingBytes);
  EXPECT_TRUE(out.batches().empty());
}

TEST(WireBus, DecodePayloadResolvesTimesPerMessage) {
  // "s" before "t": each message's samples take their own batch's time.
  Fields late = GoodFields();
  std::swap(late[3], late[4]);
  const std::string first = Pack(Replace(late, "t", Int(kT + 5)));
  const std::string second = Pack(late);
  BusBatches out;
  ASSERT_EQ(DecodeBusPayload(first + second, 2, &out), WireError::kOk);
  EXPECT_EQ(out.batches()[0].samples[0].timestamp_ms, kT + 5);
  EXPECT_EQ(out.batches()[1].samples[0].timestamp_ms, kT);
}

TEST(WireBus, DecodePayloadAgreesWithSplitOnBadPayloads) {
  const std::string a = Message("web-01", 2), b = Message("web-01", 1);
  const std::pair<std::string, uint32_t> cases[] = {
      {"", 1},
      {a + b, 3},
      {a + b, 1},
      {a + b, 0},
      {a + b.substr(0, b.size() - 1), 2},
      {a + "x", 1},
      {a + Message("web-02", 1), 2},
      {a + WithSample(Arr({Str("m")})), 2},
      {a + FromHex("a1 78"), 2},
      {a + FromHex("c1"), 2},
      {std::string(kMaxBusPayloadBytes + 1, 'x'), 1},
      // A message whose first fault (bad version) comes before its end.
      {a + Pack(Replace(GoodFields(), "v", Int(2))), 2},
      {a + Pack(Replace(GoodFields(), "v", Int(2))).substr(0, 20), 2},
      // A samples count that reaches into the next message.
      {Pack(Replace(GoodFields(), "s", Hex("92 92 a1 61 01"))) + b, 2},
      {Pack(Remove(GoodFields(), "src")) + b, 2},
  };
  BusBatches out;
  for (size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(i);
    ExpectSameAsSplit(cases[i].first, cases[i].second, &out);
  }
  // Every prefix, and every byte of a bundle changed to a few values.
  const std::string both = a + b;
  for (size_t n = 0; n <= both.size(); ++n) {
    SCOPED_TRACE(n);
    ExpectSameAsSplit(both.substr(0, n), 2, &out);
  }
  for (size_t i = 0; i < both.size(); ++i) {
    for (const uint8_t v :
         {0x00, 0x01, 0x7f, 0x80, 0x90, 0x93, 0xa0, 0xc0, 0xc1, 0xcb, 0xdc, 0xff}) {
      std::string m = both;
      m[i] = static_cast<char>(v);
      SCOPED_TRACE(i);
      ExpectSameAsSplit(m, 2, &out);
    }
  }
}

}  // namespace
}  // namespace sonde

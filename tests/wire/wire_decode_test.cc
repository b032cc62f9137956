// DecodeBatch / ValidateBatch: accepted shapes built with msgpack-c, a table
// of rejected inputs with a case for every WireError, tags and ToSamples.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sonde/wire.h"
#include "wire_test_messages.h"

namespace sonde {
namespace {

using namespace wire_test;  // NOLINT: test vocabulary.

// Decodes with both entry points, checks that they agree, and returns the
// DecodeBatch result.
WireError DecodeBoth(std::string_view message, BatchView* out) {
  const WireError decoded = DecodeBatch(message, out);
  std::string_view source;
  uint32_t count = 0;
  const WireError validated = ValidateBatch(message, &source, &count);
  EXPECT_EQ(WireErrorName(decoded), std::string(WireErrorName(validated)));
  if (decoded == WireError::kOk && validated == WireError::kOk) {
    EXPECT_EQ(source, out->source);
    EXPECT_EQ(count, out->samples.size());
  }
  return decoded;
}

// A decoded message that keeps the bytes its views point into.
struct Decoded {
  explicit Decoded(std::string m) : message(std::move(m)) { error = DecodeBoth(message, &batch); }
  std::string message;
  BatchView batch;
  WireError error;
};

WireError Decode(std::string_view message) {
  BatchView batch;
  return DecodeBoth(message, &batch);
}

std::string Repeat(char c, size_t n) { return std::string(n, c); }

Tags TagsOf(TagsView view) {
  Tags out;
  for (const TagView& t : view) out.push_back({std::string(t.key), std::string(t.value)});
  return out;
}

// A valid message padded to exactly `size` bytes with an unknown "pad": bin16.
std::string PaddedTo(size_t size) {
  auto with_pad = [](size_t n) {
    return Pack(Replace(GoodFields(), "pad", [n](Out& o) {
      o.Byte(0xc5);
      o.Be(n, 2);
      o.Raw(std::string(n, 'p'));
    }));
  };
  const size_t base = with_pad(1000).size();
  return with_pad(1000 + size - base);
}

// ---------------------------------------------------------------- accepted

TEST(WireDecode, AcceptsTheMinimalMessage) {
  const Decoded d(Pack(GoodFields()));
  ASSERT_EQ(d.error, WireError::kOk);
  const BatchView& b = d.batch;
  EXPECT_EQ(b.source, "web-01");
  EXPECT_EQ(b.timestamp_ms, kT);
  EXPECT_TRUE(b.tags.empty());
  ASSERT_EQ(b.samples.size(), 1u);
  EXPECT_EQ(b.samples[0].name, "cpu");
  EXPECT_EQ(b.samples[0].value, 12.5);
  EXPECT_EQ(b.samples[0].kind, MetricKind::kGauge);
  EXPECT_EQ(b.samples[0].timestamp_ms, kT);
  EXPECT_TRUE(b.samples[0].tags.empty());
}

TEST(WireDecode, AcceptsEveryKeyOrder) {
  Fields fields = GoodFields();
  fields.push_back({"tags", StrMap({{"dc", "eu"}})});
  std::vector<int> order = {0, 1, 2, 3, 4, 5};
  int permutations = 0;
  do {
    Fields shuffled;
    for (int i : order) shuffled.push_back(fields[i]);
    const Decoded d(Pack(shuffled));
    ASSERT_EQ(d.error, WireError::kOk);
    const BatchView& b = d.batch;
    EXPECT_EQ(b.samples.at(0).timestamp_ms, kT);  // Resolved even when "s" precedes "t".
    EXPECT_EQ(b.tags.Find("dc"), "eu");
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(permutations, 720);
}

TEST(WireDecode, ResolvesNilTimestampsWhenSamplesComeBeforeT) {
  const std::string m = Pack({{"s", Arr({Arr({Str("a"), Int(1), Nil(), Nil()}),
                                         Arr({Str("b"), Int(2), Int(1), Int(kT + 5)})})},
                              {"v", Int(1)},
                              {"type", Str("batch")},
                              {"src", Str("h")},
                              {"t", Int(kT)}});
  BatchView b;
  ASSERT_EQ(DecodeBoth(m, &b), WireError::kOk);
  EXPECT_EQ(b.samples[0].timestamp_ms, kT);
  EXPECT_EQ(b.samples[1].timestamp_ms, kT + 5);
  EXPECT_EQ(b.samples[1].kind, MetricKind::kCounter);
}

TEST(WireDecode, AcceptsAllSampleShapes) {
  const std::string m =
      Pack(Replace(GoodFields(), "s",
                   Arr({Arr({Str("g"), Int(-7)}), Arr({Str("c"), Int(3), Int(1)}),
                        Arr({Str("t"), Dbl(0.25), Int(2), Int(kT - 1000)}),
                        Arr({Str("n"), Int(0), Nil(), Nil(), Nil()}),
                        Arr({Str("x"), Int(1), Nil(), Nil(), StrMap({{"k", "v"}, {"e", ""}})}),
                        Arr({Str("e"), Int(1), Int(0), Nil(), StrMap({})})})));
  BatchView b;
  ASSERT_EQ(DecodeBoth(m, &b), WireError::kOk);
  ASSERT_EQ(b.samples.size(), 6u);
  EXPECT_EQ(b.samples[0].value, -7);
  EXPECT_EQ(b.samples[1].kind, MetricKind::kCounter);
  EXPECT_EQ(b.samples[2].kind, MetricKind::kTiming);
  EXPECT_EQ(b.samples[2].timestamp_ms, kT - 1000);
  EXPECT_EQ(b.samples[3].kind, MetricKind::kGauge);
  EXPECT_EQ(b.samples[3].timestamp_ms, kT);
  EXPECT_EQ(TagsOf(b.samples[4].tags), (Tags{{"k", "v"}, {"e", ""}}));
  EXPECT_EQ(b.samples[4].tags.Find("e"), "");
  EXPECT_EQ(b.samples[4].tags.Find("zz"), std::nullopt);
  EXPECT_TRUE(b.samples[5].tags.empty());
}

// Every integer width for v, t, ts, kind and value; float32 values.
TEST(WireDecode, AcceptsEveryNumberEncoding) {
  struct Case {
    const char* what;
    Writer value;
    double want;
  };
  const std::vector<Case> values = {
      {"pos fixint", Hex("7f"), 127},
      {"neg fixint", Hex("e0"), -32},
      {"uint8", Hex("cc ff"), 255},
      {"uint16", Hex("cd 01 00"), 256},
      {"uint32", Hex("ce 00 01 00 00"), 65536},
      {"uint64", Hex("cf ff ff ff ff ff ff ff ff"), 18446744073709551615.0},
      {"int8", Hex("d0 80"), -128},
      {"int16", Hex("d1 80 00"), -32768},
      {"int32", Hex("d2 80 00 00 00"), -2147483648.0},
      {"int64", Hex("d3 80 00 00 00 00 00 00 00"), -9223372036854775808.0},
      {"int8 positive", Hex("d0 05"), 5},
      {"float32", [](Out& o) { o.pk.pack_float(1.5f); }, 1.5},
      {"float64", Dbl(-2.75), -2.75},
      {"float64 denormal", Dbl(4.9e-324), 4.9e-324},
  };
  for (const Case& c : values) {
    SCOPED_TRACE(c.what);
    const Decoded d(WithSample(Arr({Str("m"), c.value})));
    ASSERT_EQ(d.error, WireError::kOk);
    const BatchView& b = d.batch;
    EXPECT_EQ(b.samples[0].value, c.want);
  }
  // Timestamps in fixed widths, signed and unsigned.
  for (const Writer& t : {Writer([](Out& o) { o.pk.pack_fix_uint64(kT); }),
                          Writer([](Out& o) { o.pk.pack_fix_int64(kT); })}) {
    const Decoded batch_t(Pack(Replace(GoodFields(), "t", t)));
    ASSERT_EQ(batch_t.error, WireError::kOk);
    EXPECT_EQ(batch_t.batch.timestamp_ms, kT);
    const Decoded sample_t(WithSample(Arr({Str("m"), Int(1), Int(0), t})));
    ASSERT_EQ(sample_t.error, WireError::kOk);
    EXPECT_EQ(sample_t.batch.samples[0].timestamp_ms, kT);
  }
  // v and kind in wider forms.
  for (const char* one :
       {"01", "cc 01", "cd 00 01", "ce 00 00 00 01", "d0 01", "d3 00 00 00 00 00 00 00 01"}) {
    SCOPED_TRACE(one);
    EXPECT_EQ(Decode(Pack(Replace(GoodFields(), "v", Hex(one)))), WireError::kOk);
    const Decoded d(WithSample(Arr({Str("m"), Int(1), Hex(one)})));
    ASSERT_EQ(d.error, WireError::kOk);
    const BatchView& b = d.batch;
    EXPECT_EQ(b.samples[0].kind, MetricKind::kCounter);
  }
}

// str8/16/32 for keys, names, sources and tags; map16/32 and array16/32.
TEST(WireDecode, AcceptsWideStringAndContainerHeaders) {
  for (int width : {1, 2, 4}) {
    SCOPED_TRACE(width);
    auto wide = [width](std::string s) {
      return Writer([s, width](Out& o) { o.WideStr(s, width); });
    };
    Fields f = GoodFields();
    for (Field& field : f) field.key_writer = wide(field.key);
    f = Replace(f, "src", wide("web-01"));
    f = Replace(f, "type", wide("batch"));
    f = Replace(f, "tags", [&](Out& o) {
      o.pk.pack_map(1);
      wide("dc")(o);
      wide("eu-west")(o);
    });
    f = Replace(f, "s", Arr({Arr({wide("cpu"), Int(1), Nil(), Nil(), [&](Out& o) {
                                    o.pk.pack_map(1);
                                    wide("k")(o);
                                    wide("")(o);
                                  }})}));
    const Decoded d(Pack(f));
    ASSERT_EQ(d.error, WireError::kOk);
    const BatchView& b = d.batch;
    EXPECT_EQ(b.source, "web-01");
    EXPECT_EQ(b.samples[0].name, "cpu");
    EXPECT_EQ(b.tags.Find("dc"), "eu-west");
    EXPECT_EQ(TagsOf(b.samples[0].tags), (Tags{{"k", ""}}));
  }
  for (int width : {2, 4}) {
    SCOPED_TRACE(width);
    Out o;
    o.WideMap(6, width);
    o.Str("v");
    o.pk.pack_int(1);
    o.Str("type");
    o.Str("batch");
    o.Str("src");
    o.Str("h");
    o.Str("t");
    o.pk.pack_int64(kT);
    o.Str("tags");
    o.WideMap(1, width);
    o.Str("a");
    o.Str("b");
    o.Str("s");
    o.WideArray(2, width);
    for (int i = 0; i < 2; ++i) {
      o.WideArray(5, width);
      o.Str("m");
      o.pk.pack_int(i);
      o.pk.pack_nil();
      o.pk.pack_nil();
      o.WideMap(1, width);
      o.Str("k");
      o.Str("v");
    }
    const Decoded d(o.str());
    ASSERT_EQ(d.error, WireError::kOk);
    const BatchView& b = d.batch;
    ASSERT_EQ(b.samples.size(), 2u);
    EXPECT_EQ(b.samples[1].value, 1);
    EXPECT_EQ(b.samples[1].tags.Find("k"), "v");
    EXPECT_EQ(b.tags.Find("a"), "b");
  }
}

// Length bytes of str8/16 headers (0x01, 0x05, ...) are not text.
TEST(WireDecode, AcceptsTagMapsMixingHeaderWidths) {
  const Decoded d(WithSample(Arr({Str("m"), Int(1), Nil(), Nil(), [](Out& o) {
                                    o.pk.pack_map(4);
                                    o.Str("a");
                                    o.WideStr("v", 1);
                                    o.WideStr("bb", 2);
                                    o.Str("w");
                                    o.Str("c");
                                    o.Str("");
                                    o.WideStr("d", 4);
                                    o.WideStr("12345", 1);
                                  }})));
  ASSERT_EQ(d.error, WireError::kOk);
  EXPECT_EQ(TagsOf(d.batch.samples[0].tags),
            (Tags{{"a", "v"}, {"bb", "w"}, {"c", ""}, {"d", "12345"}}));
}

TEST(WireDecode, SkipsUnknownKeysOfEveryType) {
  const std::vector<std::pair<const char*, Writer>> unknown = {
      {"int", Int(-5)},
      {"nil", Nil()},
      {"bool", Hex("c3")},
      {"float", Dbl(1.5)},
      {"str", Str("later")},
      {"bin",
       [](Out& o) {
         o.pk.pack_bin(3);
         o.pk.pack_bin_body("abc", 3);
       }},
      {"ext",
       [](Out& o) {
         o.pk.pack_ext(5, 7);
         o.pk.pack_ext_body("abcde", 5);
       }},
      {"fixext", Hex("95 d4 01 00 d5 01 00 00 d6 01 00 00 00 00 d7 01 00 00 00 00 00 00 00 00"
                     " d8 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")},
      {"nested to kMaxDepth", Arr({Arr({Arr({Int(1), Str("x")}), StrMap({{"a", "b"}})})})},
      {"map of arrays",
       [](Out& o) {
         o.pk.pack_map(2);
         o.pk.pack_int(1);  // Keys of unknown values need not be strings.
         Arr({Int(1), Arr({})})(o);
         o.Str("k");
         o.pk.pack_map(0);
       }},
  };
  for (const auto& [what, value] : unknown) {
    SCOPED_TRACE(what);
    // Unknown keys before and after the known ones.
    Fields f = GoodFields();
    f.insert(f.begin(), {"zz_before", value});
    f.push_back({"x-future", value});
    const std::string m = Pack(f);
    BatchView b;
    ASSERT_EQ(DecodeBoth(m, &b), WireError::kOk);
    EXPECT_EQ(b.samples.size(), 1u);
    EXPECT_TRUE(OracleAccepts(m));
  }
}

TEST(WireDecode, AcceptsEmptyBatchesAndLimitsExactly) {
  EXPECT_EQ(Decode(Pack(Replace(GoodFields(), "s", Arr({})))), WireError::kOk);
  const std::string max_message = PaddedTo(kMaxMessageBytes);
  ASSERT_EQ(max_message.size(), kMaxMessageBytes);
  EXPECT_EQ(Decode(max_message), WireError::kOk);

  std::vector<std::pair<std::string, std::string>> tags;
  for (size_t i = 0; i < kMaxTagsPerLevel; ++i) {
    tags.push_back({Repeat('k', kMaxTagKeyBytes - 2) + std::to_string(i + 10),
                    Repeat('v', kMaxTagValueBytes)});
  }
  Fields f = Replace(GoodFields(), "src", Str(Repeat('h', kMaxSourceBytes)));
  f = Replace(f, "tags", StrMap(tags));
  f = Replace(f, "s",
              Arr({Arr({Str(Repeat('n', kMaxNameBytes)), Int(1), Int(2), Int(kMaxTimestampMs - 1),
                        StrMap(tags)}),
                   Arr({Str("lo"), Int(1), Nil(), Int(kMinTimestampMs)})}));
  const Decoded d(Pack(f));
  ASSERT_EQ(d.error, WireError::kOk);
  const BatchView& b = d.batch;
  EXPECT_EQ(b.tags.size(), kMaxTagsPerLevel);
  EXPECT_EQ(b.samples[0].tags.size(), kMaxTagsPerLevel);
  EXPECT_EQ(b.samples[1].timestamp_ms, kMinTimestampMs);
  EXPECT_TRUE(OracleAccepts(Pack(f)));

  // 65535 samples of 4 bytes each do not fit in 64 KiB, but the count does:
  // a batch of kMaxSamplesPerBatch small samples is only over the byte limit.
  Out o;
  o.pk.pack_map(5);
  for (const auto& [k, v] : std::vector<std::pair<const char*, Writer>>{
           {"v", Int(1)}, {"type", Str("batch")}, {"src", Str("h")}, {"t", Int(kT)}}) {
    o.Str(k);
    v(o);
  }
  o.Str("s");
  o.WideArray(16000, 2);
  for (int i = 0; i < 16000; ++i) o.Hex("92 a1 61 01");
  EXPECT_EQ(Decode(o.str()), WireError::kOk);
}

// Every value UTF-8 or not is bytes; only control bytes are refused.
TEST(WireDecode, AcceptsNonAsciiBytesInStrings) {
  const Decoded d(WithSample(Arr({Str("temp.\xc2\xb0"
                                      "C"),
                                  Int(1)})));
  ASSERT_EQ(d.error, WireError::kOk);
  const BatchView& b = d.batch;
  EXPECT_EQ(b.samples[0].name,
            "temp.\xc2\xb0"
            "C");
  EXPECT_EQ(Decode(WithSample(Arr({Str("\xff\xfe"), Int(1)}))), WireError::kOk);
}

TEST(WireDecode, ReusesSampleCapacity) {
  const std::string big =
      Pack(Replace(GoodFields(), "s", Arr(std::vector<Writer>(100, Arr({Str("m"), Int(1)})))));
  BatchView b;
  ASSERT_EQ(DecodeBatch(big, &b), WireError::kOk);
  const SampleView* data = b.samples.data();
  const size_t capacity = b.samples.capacity();
  ASSERT_EQ(DecodeBatch(Pack(GoodFields()), &b), WireError::kOk);
  EXPECT_EQ(b.samples.size(), 1u);
  ASSERT_EQ(DecodeBatch(big, &b), WireError::kOk);
  EXPECT_EQ(b.samples.data(), data);
  EXPECT_EQ(b.samples.capacity(), capacity);
}

TEST(WireDecode, ValidateBatchAcceptsNullOutputs) {
  EXPECT_EQ(ValidateBatch(Pack(GoodFields()), nullptr, nullptr), WireError::kOk);
  uint32_t count = 99;
  EXPECT_EQ(ValidateBatch(Pack(Replace(GoodFields(), "s", Arr({}))), nullptr, &count),
            WireError::kOk);
  EXPECT_EQ(count, 0u);
}

// A map of kMaxTagsPerLevel distinct keys of `size` bytes that share their
// first byte: key i carries the unique byte 'A' + i, at the last position or
// spread over the positions, on a filler of 'k'.
std::vector<std::pair<std::string, std::string>> SameShapeKeys(size_t size, bool spread) {
  std::vector<std::pair<std::string, std::string>> kv;
  for (size_t i = 0; i < kMaxTagsPerLevel; ++i) {
    std::string key(size, 'k');
    key[spread ? 1 + i % (size - 1) : size - 1] = static_cast<char>('A' + i);
    kv.push_back({key, "v"});
  }
  return kv;
}

std::string WithSampleTags(const std::vector<std::pair<std::string, std::string>>& kv) {
  return WithSample(Arr({Str("m"), Int(1), Nil(), Nil(), StrMap(kv)}));
}

// Maps larger than the pairwise check's limit are checked by hash: keys
// alike in length and first byte are still told apart, at every length the
// hash reads differently (packed, one word, chunks, str8).
TEST(WireDecode, TellsApartMaxTagsOfOneLengthAndFirstByte) {
  for (size_t size : {2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64}) {
    for (bool spread : {false, true}) {
      SCOPED_TRACE(testing::Message() << "size " << size << (spread ? " spread" : " last"));
      auto kv = SameShapeKeys(size, spread);
      const Decoded d(WithSampleTags(kv));
      ASSERT_EQ(d.error, WireError::kOk);
      EXPECT_EQ(d.batch.samples[0].tags.size(), kMaxTagsPerLevel);

      kv.back().first = kv[kv.size() - 2].first;  // The last pair equal.
      EXPECT_EQ(Decode(WithSampleTags(kv)), WireError::kDuplicateTag);
      kv.back().first = kv.front().first;  // The first and the last.
      EXPECT_EQ(Decode(WithSampleTags(kv)), WireError::kDuplicateTag);
    }
  }
}

// Random maps of 1 to kMaxTagsPerLevel 3-byte keys over an alphabet that
// grows with the count, so that about half of them repeat a key, on both
// sides of the pairwise limit: the decoder rejects exactly those that
// std::set finds a repeat in.
TEST(WireDecode, FindsRepeatedTagKeysLikeASet) {
  std::mt19937 rng(7);
  int large_repeated = 0, large_distinct = 0;
  for (int round = 0; round < 3000; ++round) {
    const size_t count = 1 + rng() % kMaxTagsPerLevel;
    const size_t letters = 2 + count / 4;
    std::vector<std::pair<std::string, std::string>> kv;
    std::set<std::string> distinct;
    for (size_t i = 0; i < count; ++i) {
      std::string key(3, 'a');
      for (char& c : key) c = static_cast<char>('a' + rng() % letters);
      distinct.insert(key);
      kv.push_back({key, ""});
    }
    const bool repeated = distinct.size() < count;
    if (count > 8) ++(repeated ? large_repeated : large_distinct);
    SCOPED_TRACE(round);
    EXPECT_EQ(Decode(WithSampleTags(kv)), repeated ? WireError::kDuplicateTag : WireError::kOk);
  }
  EXPECT_GT(large_repeated, 500);
  EXPECT_GT(large_distinct, 500);
}

// ---------------------------------------------------------------- rejected

struct Rejected {
  std::string what;
  std::string message;
  WireError want;
};

std::vector<Rejected> RejectedInputs() {
  const std::string good = Pack(GoodFields());
  auto field = [](const std::string& key, Writer v) { return Pack(Replace(GoodFields(), key, v)); };
  auto sample = [](std::vector<Writer> items) { return WithSample(Arr(std::move(items))); };
  auto sample_tags = [&](Writer tags) {
    return sample({Str("m"), Int(1), Nil(), Nil(), std::move(tags)});
  };
  // The same, with plenty of bytes after the tags (the decoder reads tags
  // differently when they cannot run past the end).
  auto sample_tags_mid = [](Writer tags) {
    return Pack(
        Replace(Replace(GoodFields(), "s", Arr({Arr({Str("m"), Int(1), Nil(), Nil(), tags})})),
                "zz-pad", Str(std::string(300, 'p'))));
  };
  std::vector<std::pair<std::string, std::string>> too_many;
  for (size_t i = 0; i <= kMaxTagsPerLevel; ++i) too_many.push_back({"k" + std::to_string(i), ""});
  // {key: first, "other": "x", key: second}: a map that repeats `key`.
  auto dup_tags = [](std::string key, std::string first, std::string second) {
    return Writer([key, first, second](Out& o) {
      o.pk.pack_map(3);
      o.Str(key);
      o.Str(first);
      o.Str("other");
      o.Str("x");
      o.Str(key);
      o.Str(second);
    });
  };
  // kMaxTagsPerLevel distinct keys of one length and first byte (which the
  // duplicate check's cheap prefilters cannot tell apart), the last made
  // equal to the one before it.
  auto max_tags_last_pair_equal = [](size_t key_size) {
    std::vector<std::pair<std::string, std::string>> kv = SameShapeKeys(key_size, false);
    kv.back().first = kv[kv.size() - 2].first;
    return StrMap(kv);
  };
  auto nested = [](int levels) {  // [[...[1]...]] with `levels` arrays.
    return Writer([levels](Out& o) {
      for (int i = 0; i < levels; ++i) o.pk.pack_array(1);
      o.pk.pack_int(1);
    });
  };
  using W = WireError;
  return {
      {"empty", "", W::kEmpty},

      {"oversized garbage", std::string(kMaxMessageBytes + 1, '\x80'), W::kOversized},
      {"oversized valid", PaddedTo(kMaxMessageBytes + 1), W::kOversized},

      {"truncated last byte", good.substr(0, good.size() - 1), W::kTruncated},
      {"truncated map16 header", FromHex("de 00"), W::kTruncated},
      {"truncated float64", sample({Str("m"), Hex("cb 40 29 00")}), W::kTruncated},
      {"truncated str16 header", FromHex("81 da 00"), W::kTruncated},
      {"truncated mid-map", FromHex("82 a1 76 01 a1 74"), W::kTruncated},
      {"truncated uint64 t", FromHex("81 a1 74 cf 00 00"), W::kTruncated},

      {"5-byte map32 of 4G entries", FromHex("df ff ff ff ff"), W::kLengthTooLarge},
      {"map16 of 65535 entries", FromHex("de ff ff a1 76 01"), W::kLengthTooLarge},
      {"samples array32 declaring 65535", field("s", Hex("dd 00 00 ff ff 92 a1 61 01")),
       W::kLengthTooLarge},
      {"name str32 declaring 4G", sample({Hex("db ff ff ff ff 61"), Int(1)}), W::kLengthTooLarge},
      {"src str16 past the end", FromHex("81 a3 73 72 63 da 01 00 61 62"), W::kLengthTooLarge},
      {"unknown bin32 of 4G", field("x", Hex("c6 ff ff ff ff")), W::kLengthTooLarge},
      {"unknown array32 of 4G", field("x", Hex("dd ff ff ff ff")), W::kLengthTooLarge},
      {"unknown map32 of 4G", field("x", Hex("df ff ff ff ff")), W::kLengthTooLarge},
      {"unknown ext32 of 4G", field("x", Hex("c9 ff ff ff ff 01")), W::kLengthTooLarge},
      {"tags map16 past the end", field("tags", Hex("de 00 1f")), W::kLengthTooLarge},

      {"0xc1 alone", FromHex("c1"), W::kInvalidMsgpack},
      {"0xc1 as a key", FromHex("81 c1 01"), W::kInvalidMsgpack},
      {"0xc1 as the value", sample({Str("m"), Hex("c1")}), W::kInvalidMsgpack},
      {"0xc1 as the kind", sample({Str("m"), Int(1), Hex("c1")}), W::kInvalidMsgpack},
      {"0xc1 inside an unknown value", field("x", Arr({Int(1), Hex("c1")})), W::kInvalidMsgpack},

      {"envelope is an array", FromHex("91 01"), W::kWrongType},
      {"envelope is a 4G array32", FromHex("dd ff ff ff ff"), W::kWrongType},
      {"envelope is nil", FromHex("c0"), W::kWrongType},
      {"integer key", Pack(GoodFields()).replace(1, 2, FromHex("01")), W::kWrongType},
      {"v is a string", field("v", Str("1")), W::kWrongType},
      {"v is a float", field("v", Dbl(1.0)), W::kWrongType},
      {"type is an int", field("type", Int(1)), W::kWrongType},
      {"src is an int", field("src", Int(1)), W::kWrongType},
      {"src is bin",
       field("src",
             [](Out& o) {
               o.pk.pack_bin(1);
               o.pk.pack_bin_body("h", 1);
             }),
       W::kWrongType},
      {"t is a float", field("t", Dbl(1.7e12)), W::kWrongType},
      {"t is a string", field("t", Str("1700000000000")), W::kWrongType},
      {"tags is a string", field("tags", Str("dc=eu")), W::kWrongType},
      {"tags is nil", field("tags", Nil()), W::kWrongType},
      {"s is a map", field("s", StrMap({})), W::kWrongType},
      {"s is nil", field("s", Nil()), W::kWrongType},
      {"sample is a map", field("s", Arr({StrMap({{"a", "b"}})})), W::kWrongType},
      {"sample is an int", field("s", Arr({Int(1)})), W::kWrongType},
      {"name is an int", sample({Int(1), Int(1)}), W::kWrongType},
      {"value is a string", sample({Str("m"), Str("1")}), W::kWrongType},
      {"value is nil", sample({Str("m"), Nil()}), W::kWrongType},
      {"value is bool", sample({Str("m"), Hex("c3")}), W::kWrongType},
      {"ts is a string", sample({Str("m"), Int(1), Int(0), Str("now")}), W::kWrongType},
      {"ts is a float", sample({Str("m"), Int(1), Int(0), Dbl(1.7e12)}), W::kWrongType},
      {"sample tags is an array", sample_tags(Arr({Str("a"), Str("b")})), W::kWrongType},
      {"tag value is an int", sample_tags([](Out& o) {
         o.pk.pack_map(1);
         o.Str("k");
         o.pk.pack_int(1);
       }),
       W::kWrongType},
      {"tag key is an int",
       field("tags",
             [](Out& o) {
               o.pk.pack_map(1);
               o.pk.pack_int(1);
               o.Str("v");
             }),
       W::kWrongType},
      {"tag value is nil", sample_tags([](Out& o) {
         o.pk.pack_map(1);
         o.Str("k");
         o.pk.pack_nil();
       }),
       W::kWrongType},

      {"unknown value nested 5 deep", field("x", nested(4)), W::kTooDeep},
      {"depth bomb of 10000 arrays", field("x", nested(10000)), W::kTooDeep},
      {"depth bomb of maps", field("x", Hex("81 a1 61 81 a1 61 81 a1 61 81 a1 61 80")),
       W::kTooDeep},
      {"empty container too deep", field("x", Hex("91 91 91 90")), W::kTooDeep},

      {"one trailing byte", good + std::string(1, '\0'), W::kTrailingBytes},
      {"two messages", good + good, W::kTrailingBytes},

      {"v is 2", field("v", Int(2)), W::kBadVersion},
      {"v is 0", field("v", Int(0)), W::kBadVersion},
      {"v is -1", field("v", Int(-1)), W::kBadVersion},
      {"v is uint64 max", field("v", Uint(std::numeric_limits<uint64_t>::max())), W::kBadVersion},
      {"v is 1 + 2^32", field("v", Uint((uint64_t{1} << 32) + 1)), W::kBadVersion},

      {"type is Batch", field("type", Str("Batch")), W::kUnknownType},
      {"type is empty", field("type", Str("")), W::kUnknownType},
      {"type is batch\\0", field("type", Str(std::string("batch\0", 6))), W::kUnknownType},

      {"empty map", FromHex("80"), W::kMissingField},
      {"no v", Pack(Remove(GoodFields(), "v")), W::kMissingField},
      {"no type", Pack(Remove(GoodFields(), "type")), W::kMissingField},
      {"no src", Pack(Remove(GoodFields(), "src")), W::kMissingField},
      {"no t", Pack(Remove(GoodFields(), "t")), W::kMissingField},
      {"no s", Pack(Remove(GoodFields(), "s")), W::kMissingField},

      {"v twice", Pack([] {
         auto f = GoodFields();
         f.push_back(f[0]);
         return f;
       }()),
       W::kDuplicateField},
      {"s twice", Pack([] {
         auto f = GoodFields();
         f.push_back(f[4]);
         return f;
       }()),
       W::kDuplicateField},
      {"tags twice", Pack([] {
         auto f = Replace(GoodFields(), "tags", StrMap({}));
         f.push_back(f.back());
         return f;
       }()),
       W::kDuplicateField},

      {"src empty", field("src", Str("")), W::kBadSource},
      {"src too long", field("src", Str(Repeat('h', kMaxSourceBytes + 1))), W::kBadSource},
      {"src with newline", field("src", Str("web\n01")), W::kBadSource},
      {"src with DEL", field("src", Str("web\x7f")), W::kBadSource},
      {"src with NUL", field("src", Str(std::string("web\0", 4))), W::kBadSource},

      {"name empty", sample({Str(""), Int(1)}), W::kBadName},
      {"name too long", sample({Str(Repeat('n', kMaxNameBytes + 1)), Int(1)}), W::kBadName},
      {"name with tab", sample({Str("a\tb"), Int(1)}), W::kBadName},
      {"name with control at 9", sample({Str("abcdefgh\x01xyz"), Int(1)}), W::kBadName},
      {"name with DEL at the end", sample({Str(Repeat('a', 40) + "\x7f"), Int(1)}), W::kBadName},

      {"tag key empty", sample_tags(StrMap({{"", "v"}})), W::kBadTag},
      {"tag key too long", sample_tags(StrMap({{Repeat('k', kMaxTagKeyBytes + 1), "v"}})),
       W::kBadTag},
      {"tag value too long", sample_tags(StrMap({{"k", Repeat('v', kMaxTagValueBytes + 1)}})),
       W::kBadTag},
      {"tag value with newline", sample_tags(StrMap({{"k", "a\nb"}})), W::kBadTag},
      {"batch tag key with ESC", field("tags", StrMap({{"k\x1b", "v"}})), W::kBadTag},
      {"control in a fixstr key before a str8 value", sample_tags([](Out& o) {
         o.pk.pack_map(2);
         o.Str("a\x01");
         o.WideStr("v", 1);
         o.Str("b");
         o.Str("w");
       }),
       W::kBadTag},
      {"control in a str16 value between fixstrs", sample_tags([](Out& o) {
         o.pk.pack_map(2);
         o.Str("a");
         o.WideStr("x\ny", 2);
         o.Str("b");
         o.Str("w");
       }),
       W::kBadTag},
      {"control in the last fixstr after a str8", sample_tags([](Out& o) {
         o.pk.pack_map(2);
         o.WideStr("a", 1);
         o.Str("v");
         o.Str("b");
         o.Str("w\x7f");
       }),
       W::kBadTag},

      {"mid: tag key empty", sample_tags_mid(StrMap({{"a", "b"}, {"", "v"}})), W::kBadTag},
      {"mid: tag value with DEL", sample_tags_mid(StrMap({{"a", "b"}, {"k", "v\x7f"}})),
       W::kBadTag},
      {"mid: control in a key before a str8 value", sample_tags_mid([](Out& o) {
         o.pk.pack_map(2);
         o.Str("a\x1f");
         o.WideStr("v", 1);
         o.Str("b");
         o.Str("w");
       }),
       W::kBadTag},
      {"mid: tag value is an int", sample_tags_mid([](Out& o) {
         o.pk.pack_map(1);
         o.Str("k");
         o.pk.pack_int(1);
       }),
       W::kWrongType},
      {"33 sample tags", sample_tags(StrMap(too_many)), W::kTooManyTags},
      {"33 batch tags", field("tags", StrMap(too_many)), W::kTooManyTags},
      {"sample tags map32 of 4G", sample_tags(Hex("df ff ff ff ff")), W::kTooManyTags},

      {"65536 samples declared", field("s", Hex("dd 00 01 00 00 92 a1 61 01")), W::kTooManySamples},
      {"4G samples declared", field("s", Hex("dd ff ff ff ff")), W::kTooManySamples},

      {"sample of 1 item", sample({Str("m")}), W::kBadSample},
      {"sample of 0 items", field("s", Arr({Arr({})})), W::kBadSample},
      {"sample of 6 items", sample({Str("m"), Int(1), Nil(), Nil(), Nil(), Nil()}), W::kBadSample},
      {"sample array32 of 4G", field("s", Arr({Hex("dd ff ff ff ff")})), W::kBadSample},
      {"sample depth bomb", field("s", nested(1000)), W::kBadSample},

      {"NaN", sample({Str("m"), Dbl(std::nan(""))}), W::kNonFinite},
      {"+inf", sample({Str("m"), Dbl(HUGE_VAL)}), W::kNonFinite},
      {"-inf", sample({Str("m"), Dbl(-HUGE_VAL)}), W::kNonFinite},
      {"float32 NaN", sample({Str("m"), Hex("ca 7f c0 00 00")}), W::kNonFinite},
      {"float32 -inf", sample({Str("m"), Hex("ca ff 80 00 00")}), W::kNonFinite},

      {"t zero", field("t", Int(0)), W::kBadTimestamp},
      {"t in seconds", field("t", Int(1700000000)), W::kBadTimestamp},
      {"t one ms before 2000", field("t", Int(kMinTimestampMs - 1)), W::kBadTimestamp},
      {"t at 2100 (exclusive)", field("t", Int(kMaxTimestampMs)), W::kBadTimestamp},
      {"t negative", field("t", Int(-kT)), W::kBadTimestamp},
      {"t uint64 max", field("t", Uint(std::numeric_limits<uint64_t>::max())), W::kBadTimestamp},
      {"ts in microseconds", sample({Str("m"), Int(1), Int(0), Int(kT * 1000)}), W::kBadTimestamp},
      {"ts zero", sample({Str("m"), Int(1), Int(0), Int(0)}), W::kBadTimestamp},

      {"kind 3", sample({Str("m"), Int(1), Int(3)}), W::kBadKind},
      {"kind -1", sample({Str("m"), Int(1), Int(-1)}), W::kBadKind},
      {"kind 256", sample({Str("m"), Int(1), Int(256)}), W::kBadKind},
      {"kind as a string", sample({Str("m"), Int(1), Str("gauge")}), W::kBadKind},
      {"kind as a float", sample({Str("m"), Int(1), Dbl(1.0)}), W::kBadKind},
      {"kind as bool", sample({Str("m"), Int(1), Hex("c2")}), W::kBadKind},

      // A key twice in one map: the store would refuse the series.
      {"sample tag key twice", sample_tags(dup_tags("k", "a", "b")), W::kDuplicateTag},
      {"sample tag twice, same value", sample_tags(dup_tags("k", "a", "a")), W::kDuplicateTag},
      {"batch tag key twice", field("tags", dup_tags("service", "a", "b")), W::kDuplicateTag},
      {"mid: sample tag key twice", sample_tags_mid(dup_tags("k", "a", "b")), W::kDuplicateTag},
      {"32 tags, the last pair equal", sample_tags(max_tags_last_pair_equal(3)), W::kDuplicateTag},
      {"mid: 32 tags, the last pair equal", sample_tags_mid(max_tags_last_pair_equal(3)),
       W::kDuplicateTag},
      {"32 batch tags, the last pair equal", field("tags", max_tags_last_pair_equal(9)),
       W::kDuplicateTag},
      {"32 str8 tags, the last pair equal", sample_tags(max_tags_last_pair_equal(kMaxTagKeyBytes)),
       W::kDuplicateTag},
      {"tag key twice, as fixstr and str8", sample_tags([](Out& o) {
         o.pk.pack_map(3);
         o.Str("k");
         o.Str("a");
         o.Str("x");
         o.Str("y");
         o.WideStr("k", 1);
         o.Str("b");
       }),
       W::kDuplicateTag},
      {"tag key twice, then a bad tag", sample_tags([](Out& o) {
         o.pk.pack_map(3);
         o.Str("k");
         o.Str("a");
         o.Str("k");
         o.Str("b");
         o.Str("");
         o.Str("v");
       }),
       W::kBadTag},
  };
}

TEST(WireDecode, RejectsTable) {
  for (const Rejected& r : RejectedInputs()) {
    SCOPED_TRACE(r.what);
    BatchView b;
    EXPECT_STREQ(WireErrorName(DecodeBoth(r.message, &b)), WireErrorName(r.want));
  }
}

TEST(WireDecode, RejectsTableCoversEveryReason) {
  std::set<WireError> covered;
  for (const Rejected& r : RejectedInputs()) covered.insert(r.want);
  for (int i = 1; i < kWireErrorCount; ++i) {
    EXPECT_TRUE(covered.count(static_cast<WireError>(i)))
        << "no rejected input for " << WireErrorName(static_cast<WireError>(i));
  }
}

TEST(WireDecode, RejectsEveryTruncationOfAValidMessage) {
  const std::string m = Pack(Replace(
      Replace(GoodFields(), "tags", StrMap({{"dc", "eu"}})), "s",
      Arr({Arr({Str("latency"), Dbl(0.5), Int(2), Int(kT), StrMap({{"route", "/api"}})})})));
  ASSERT_EQ(Decode(m), WireError::kOk);
  for (size_t n = 0; n < m.size(); ++n) {
    SCOPED_TRACE(n);
    const WireError e = Decode(m.substr(0, n));
    EXPECT_TRUE(e == WireError::kEmpty || e == WireError::kTruncated ||
                e == WireError::kLengthTooLarge)
        << WireErrorName(e);
  }
}

TEST(WireErrorName, IsStableAndDistinct) {
  EXPECT_STREQ(WireErrorName(WireError::kLengthTooLarge), "length_too_large");
  EXPECT_STREQ(WireErrorName(WireError::kBadKind), "bad_kind");
  std::set<std::string> names;
  for (int i = 0; i < kWireErrorCount; ++i) {
    const std::string name = WireErrorName(static_cast<WireError>(i));
    EXPECT_NE(name, "unknown");
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kWireErrorCount));
}

// ---------------------------------------------------------------- ToSamples

TEST(WireToSamples, MergesBatchTagsSampleTagsWinSortedByKey) {
  const std::string m =
      Pack(Replace(Replace(GoodFields(), "tags", StrMap({{"service", "auth"}, {"dc", "eu"}})), "s",
                   Arr({Arr({Str("a"), Int(1)}), Arr({Str("b"), Dbl(2.5), Int(1), Int(kT + 1),
                                                      StrMap({{"dc", "us"}, {"zone", "z1"}})})})));
  BatchView b;
  ASSERT_EQ(DecodeBoth(m, &b), WireError::kOk);
  const std::vector<Sample> got = ToSamples(b);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (Sample{"a", 1, kT, MetricKind::kGauge, {{"dc", "eu"}, {"service", "auth"}}}));
  // "dc" in both maps is the override, not a duplicate (one map holding it
  // twice is rejected: RejectsTable, duplicate_tag).
  EXPECT_EQ(got[1], (Sample{"b",
                            2.5,
                            kT + 1,
                            MetricKind::kCounter,
                            {{"dc", "us"}, {"service", "auth"}, {"zone", "z1"}}}));
}

TEST(WireToSamples, EmptyBatchGivesNoSamples) {
  const Decoded d(Pack(Replace(GoodFields(), "s", Arr({}))));
  ASSERT_EQ(d.error, WireError::kOk);
  EXPECT_TRUE(ToSamples(d.batch).empty());
}

// ---------------------------------------------------------------- oracle

// msgpack-c under tight limits unpacks everything the decoder accepts.
TEST(WireDecode, OracleAcceptsWhatTheDecoderAccepts) {
  EXPECT_TRUE(OracleAccepts(Pack(GoodFields())));
  EXPECT_TRUE(OracleAccepts(PaddedTo(kMaxMessageBytes)));
  // A value at the deepest level the decoder allows.
  const std::string deep = Pack(Replace(GoodFields(), "x", Arr({Arr({Arr({Int(1)})})})));
  ASSERT_EQ(Decode(deep), WireError::kOk);
  EXPECT_TRUE(OracleAccepts(deep));
  // And the oracle's own limits are tight: one level deeper is refused.
  EXPECT_FALSE(OracleAccepts(Pack(Replace(GoodFields(), "x", Arr({Arr({Arr({Arr({})})})})))));
  EXPECT_FALSE(OracleAccepts(FromHex("dd ff ff ff ff")));
}

}  // namespace
}  // namespace sonde

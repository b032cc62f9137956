// EncodeSample, BatchBuilder and EncodeBatch: exact bytes, limits, and round
// trips through DecodeBatch (fixed cases and randomized with a fixed seed).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "sonde/wire.h"
#include "wire_test_messages.h"

namespace sonde {
namespace {

using namespace wire_test;  // NOLINT: test vocabulary.

SampleRef Ref(std::string_view name, double value, int64_t ts = 0,
              MetricKind kind = MetricKind::kGauge, std::span<const TagView> tags = {}) {
  return SampleRef{name, value, ts, kind, tags};
}

std::string Encode(const SampleRef& s) {
  std::vector<char> buf(kMaxSampleBytes);
  size_t written = 0;
  const WireError e = EncodeSample(s, buf.data(), buf.size(), &written);
  EXPECT_EQ(e, WireError::kOk) << WireErrorName(e);
  return std::string(buf.data(), written);
}

WireError EncodeError(const SampleRef& s) {
  std::vector<char> buf(kMaxSampleBytes);
  size_t written = 0;
  return EncodeSample(s, buf.data(), buf.size(), &written);
}

// The worked example of docs/wire-format.md; keep the two in step.
constexpr char kExampleHex[] =
    "86 a1 76 01 a4 74 79 70 65 a5 62 61 74 63 68 a3 "
    "73 72 63 a6 77 65 62 2d 30 31 a1 74 cf 00 00 01 "
    "8b cf e5 68 00 a4 74 61 67 73 81 a7 73 65 72 76 "
    "69 63 65 a4 61 75 74 68 a1 73 dd 00 00 00 03 92 "
    "a8 63 70 75 2e 75 74 69 6c cb 40 29 00 00 00 00 "
    "00 00 93 ad 68 74 74 70 2e 72 65 71 75 65 73 74 "
    "73 2a 01 95 af 68 74 74 70 2e 6c 61 74 65 6e 63 "
    "79 5f 6d 73 cb 40 0a 00 00 00 00 00 00 02 cf 00 "
    "00 01 8b cf e5 68 fa 81 a5 72 6f 75 74 65 a6 2f "
    "6c 6f 67 69 6e";

TEST(WireEncode, WorkedExampleHasTheDocumentedBytes) {
  const std::vector<Sample> samples = {
      {"cpu.util", 12.5, 0, MetricKind::kGauge, {}},
      {"http.requests", 42, 0, MetricKind::kCounter, {}},
      {"http.latency_ms", 3.25, 1700000000250, MetricKind::kTiming, {{"route", "/login"}}},
  };
  std::string out;
  ASSERT_EQ(EncodeBatch("web-01", 1700000000000, {{"service", "auth"}}, samples, &out),
            WireError::kOk);
  EXPECT_EQ(ToHex(out), kExampleHex);
  EXPECT_EQ(out.size(), 149u);
  EXPECT_TRUE(OracleAccepts(out));
}

TEST(WireEncode, SampleUsesTheShortestArray) {
  const TagView tags[] = {{"k", "v"}};
  EXPECT_EQ(ToHex(Encode(Ref("cpu", 12.5))), "92 a3 63 70 75 cb 40 29 00 00 00 00 00 00");
  EXPECT_EQ(ToHex(Encode(Ref("c", 3, 0, MetricKind::kCounter))), "93 a1 63 03 01");
  EXPECT_EQ(ToHex(Encode(Ref("t", 1, kT, MetricKind::kGauge))),
            "94 a1 74 01 00 cf 00 00 01 8b cf e5 68 00");
  // A time of 0 ("the batch's") is nil when tags follow.
  EXPECT_EQ(ToHex(Encode(Ref("g", 1, 0, MetricKind::kGauge, tags))),
            "95 a1 67 01 00 c0 81 a1 6b a1 76");
}

TEST(WireEncode, ValuesAreIntegersWhenExact) {
  struct Case {
    double value;
    const char* hex;
  };
  const Case cases[] = {
      {0, "00"},
      {-0.0, "00"},
      {127, "7f"},
      {128, "cc 80"},
      {65535, "cd ff ff"},
      {65536, "ce 00 01 00 00"},
      {4294967296.0, "cf 00 00 00 01 00 00 00 00"},
      {-1, "ff"},
      {-32, "e0"},
      {-33, "d0 df"},
      {-129, "d1 ff 7f"},
      {-32769, "d2 ff ff 7f ff"},
      {-2147483649.0, "d3 ff ff ff ff 7f ff ff ff"},
      {9007199254740991.0, "cf 00 1f ff ff ff ff ff ff"},  // 2^53 - 1.
      {9007199254740992.0, "cb 43 40 00 00 00 00 00 00"},  // 2^53: float64.
      {-9007199254740992.0, "cb c3 40 00 00 00 00 00 00"},
      {0.5, "cb 3f e0 00 00 00 00 00 00"},
      {1e300, "cb 7e 37 e4 3c 88 00 75 9c"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    const std::string bytes = Encode(Ref("m", c.value));
    EXPECT_EQ(ToHex(bytes.substr(3)), c.hex);
  }
}

TEST(WireEncode, SampleRejectsEachBrokenLimit) {
  std::vector<TagView> too_many(kMaxTagsPerLevel + 1, TagView{"k", "v"});
  const std::string long_name(kMaxNameBytes + 1, 'n');
  const std::string long_key(kMaxTagKeyBytes + 1, 'k');
  const std::string long_value(kMaxTagValueBytes + 1, 'v');
  const TagView empty_key[] = {{"", "v"}};
  const TagView bad_key[] = {{long_key, "v"}};
  const TagView bad_value[] = {{"k", long_value}};
  const TagView control_value[] = {{"k", "a\nb"}};
  const std::string long_ok(40, 'v');  // A str8: its tags are checked string by string.
  const TagView control_key_long_value[] = {{"k", long_ok}, {"k\x02", "v"}};
  const std::string long_bad = long_ok + "\x7f";
  const TagView control_in_long_value[] = {{"k", long_bad}};
  using W = WireError;
  EXPECT_EQ(EncodeError(Ref("", 1)), W::kBadName);
  EXPECT_EQ(EncodeError(Ref(long_name, 1)), W::kBadName);
  EXPECT_EQ(EncodeError(Ref("a\x01", 1)), W::kBadName);
  EXPECT_EQ(EncodeError(Ref("m", std::nan(""))), W::kNonFinite);
  EXPECT_EQ(EncodeError(Ref("m", HUGE_VAL)), W::kNonFinite);
  EXPECT_EQ(EncodeError(Ref("m", -HUGE_VAL)), W::kNonFinite);
  EXPECT_EQ(EncodeError(Ref("m", 1, 1)), W::kBadTimestamp);
  EXPECT_EQ(EncodeError(Ref("m", 1, kMaxTimestampMs)), W::kBadTimestamp);
  EXPECT_EQ(EncodeError(Ref("m", 1, -kT)), W::kBadTimestamp);
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, static_cast<MetricKind>(3))), W::kBadKind);
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, MetricKind::kGauge, too_many)), W::kTooManyTags);
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, MetricKind::kGauge, empty_key)), W::kBadTag);
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, MetricKind::kGauge, bad_key)), W::kBadTag);
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, MetricKind::kGauge, bad_value)), W::kBadTag);
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, MetricKind::kGauge, control_value)), W::kBadTag);
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, MetricKind::kGauge, control_key_long_value)), W::kBadTag);
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, MetricKind::kGauge, control_in_long_value)), W::kBadTag);
  // A key twice is refused as the decoder refuses it, and after the checks
  // of the text, in the decoder's order.
  const TagView dup[] = {{"k", "a"}, {"x", "y"}, {"k", "b"}};
  const TagView dup_and_control[] = {{"k", "a"}, {"k", "b\n"}};
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, MetricKind::kGauge, dup)), W::kDuplicateTag);
  EXPECT_EQ(EncodeError(Ref("m", 1, 0, MetricKind::kGauge, dup_and_control)), W::kBadTag);
}

TEST(WireEncode, SampleIsOversizedForEverySmallerBuffer) {
  const TagView tags[] = {{"route", "/login"}};
  const SampleRef s = Ref("http.latency", 0.5, kT, MetricKind::kTiming, tags);
  const std::string full = Encode(s);
  for (size_t cap = 0; cap < full.size(); ++cap) {
    std::string buf(full.size(), '#');
    size_t written = 12345;
    EXPECT_EQ(EncodeSample(s, buf.data(), cap, &written), WireError::kOversized);
    EXPECT_EQ(buf, std::string(full.size(), '#'));  // Nothing written.
    EXPECT_EQ(written, 12345u);
  }
}

TEST(WireEncode, LargestSampleIsExactlyMaxSampleBytes) {
  std::vector<std::string> keys, values;
  std::vector<TagView> tags;
  for (size_t i = 0; i < kMaxTagsPerLevel; ++i) {
    keys.push_back(std::string(kMaxTagKeyBytes - 2, 'k') + std::to_string(10 + i));
    values.push_back(std::string(kMaxTagValueBytes, 'v'));
  }
  for (size_t i = 0; i < kMaxTagsPerLevel; ++i) tags.push_back({keys[i], values[i]});
  const std::string name(kMaxNameBytes, 'n');
  const std::string bytes = Encode(Ref(name, 0.1, kMaxTimestampMs - 1, MetricKind::kTiming, tags));
  EXPECT_EQ(bytes.size(), kMaxSampleBytes);
}

TEST(WireBatchBuilder, BuildsADecodableBatchWithinMaxBytes) {
  BatchBuilder builder(kDefaultUdpBatchBytes);
  const TagView batch_tags[] = {{"service", "auth"}};
  ASSERT_EQ(builder.Begin("web-01", kT, batch_tags), WireError::kOk);
  char buf[kMaxSampleBytes];
  uint32_t appended = 0;
  for (;; ++appended) {
    const std::string name = "svc.api.latency_p" + std::to_string(appended);
    size_t written = 0;
    ASSERT_EQ(EncodeSample(Ref(name, appended * 0.5), buf, sizeof buf, &written), WireError::kOk);
    if (!builder.Append({buf, written})) break;
    EXPECT_LE(builder.size(), kDefaultUdpBatchBytes);
  }
  EXPECT_EQ(builder.sample_count(), appended);
  EXPECT_GT(appended, 30u);
  const std::string_view message = builder.Finish();
  EXPECT_LE(message.size(), kDefaultUdpBatchBytes);
  BatchView b;
  ASSERT_EQ(DecodeBatch(message, &b), WireError::kOk);
  ASSERT_EQ(b.samples.size(), appended);
  EXPECT_EQ(b.samples.back().name, "svc.api.latency_p" + std::to_string(appended - 1));
  EXPECT_EQ(b.tags.Find("service"), "auth");
  EXPECT_TRUE(OracleAccepts(message));
}

TEST(WireBatchBuilder, BeginRejectsBadEnvelopesAndRestarts) {
  BatchBuilder builder(64);
  const std::vector<TagView> too_many(kMaxTagsPerLevel + 1, TagView{"k", "v"});
  const TagView bad_tag[] = {{"k\n", "v"}};
  EXPECT_EQ(builder.Begin("", kT, {}), WireError::kBadSource);
  EXPECT_EQ(builder.Begin("a\x7f", kT, {}), WireError::kBadSource);
  EXPECT_EQ(builder.Begin(std::string(kMaxSourceBytes + 1, 'h'), kT, {}), WireError::kBadSource);
  EXPECT_EQ(builder.Begin("h", 0, {}), WireError::kBadTimestamp);
  EXPECT_EQ(builder.Begin("h", kT, too_many), WireError::kTooManyTags);
  EXPECT_EQ(builder.Begin("h", kT, bad_tag), WireError::kBadTag);
  const TagView dup[] = {{"service", "a"}, {"service", "b"}};
  EXPECT_EQ(builder.Begin("h", kT, dup), WireError::kDuplicateTag);
  EXPECT_EQ(builder.Begin(std::string(kMaxSourceBytes, 'h'), kT, {}), WireError::kOversized);

  ASSERT_EQ(builder.Begin("h", kT, {}), WireError::kOk);
  ASSERT_TRUE(builder.Append(FromHex("92 a1 61 01")));
  ASSERT_EQ(builder.Begin("h2", kT + 1, {}), WireError::kOk);  // Discards the first.
  EXPECT_EQ(builder.sample_count(), 0u);
  BatchView b;
  ASSERT_EQ(DecodeBatch(builder.Finish(), &b), WireError::kOk);
  EXPECT_EQ(b.source, "h2");
  EXPECT_EQ(b.timestamp_ms, kT + 1);
  EXPECT_TRUE(b.samples.empty());
}

TEST(WireBatchBuilder, FinishCanBeCalledAgainAfterMoreAppends) {
  BatchBuilder builder;
  ASSERT_EQ(builder.Begin("h", kT, {}), WireError::kOk);
  ASSERT_TRUE(builder.Append(FromHex("92 a1 61 01")));
  const std::string first(builder.Finish());
  ASSERT_TRUE(builder.Append(FromHex("92 a1 62 02")));
  BatchView b;
  ASSERT_EQ(DecodeBatch(builder.Finish(), &b), WireError::kOk);
  EXPECT_EQ(b.samples.size(), 2u);
  ASSERT_EQ(DecodeBatch(first, &b), WireError::kOk);
  EXPECT_EQ(b.samples.size(), 1u);
}

TEST(WireEncodeBatch, ReportsTheFirstError) {
  std::string out;
  const Sample good{"m", 1, 0, MetricKind::kGauge, {}};
  const Sample bad_name{"", 1, 0, MetricKind::kGauge, {}};
  std::vector<Sample> samples = {good, bad_name};
  EXPECT_EQ(EncodeBatch("h", kT, {}, samples, &out), WireError::kBadName);
  EXPECT_EQ(EncodeBatch("", kT, {}, std::vector<Sample>{good}, &out), WireError::kBadSource);
  EXPECT_EQ(EncodeBatch("h", kT, {}, std::vector<Sample>(200, good), &out, 200),
            WireError::kOversized);
  EXPECT_EQ(EncodeBatch("h", kT, {}, {}, &out, 63), WireError::kOversized);
  EXPECT_EQ(EncodeBatch("h", kT, {}, {}, &out, kMaxMessageBytes + 1), WireError::kOversized);
  EXPECT_EQ(EncodeBatch("h", kT, {}, std::vector<Sample>(kMaxSamplesPerBatch + 1, good), &out),
            WireError::kTooManySamples);
  Sample many_tags = good;
  for (size_t i = 0; i <= kMaxTagsPerLevel; ++i) many_tags.tags.push_back({"k", "v"});
  EXPECT_EQ(EncodeBatch("h", kT, {}, std::vector<Sample>{many_tags}, &out),
            WireError::kTooManyTags);
  EXPECT_EQ(EncodeBatch("h", kT, many_tags.tags, {}, &out), WireError::kTooManyTags);
}

// The expected decode of `in`: own time or the batch's, batch tags merged
// under the sample's, sorted by key.
Sample Expected(Sample in, int64_t batch_ms, const Tags& batch_tags) {
  if (in.timestamp_ms == 0) in.timestamp_ms = batch_ms;
  for (const Tag& t : batch_tags) {
    const bool overridden = std::any_of(in.tags.begin(), in.tags.end(),
                                        [&](const Tag& own) { return own.key == t.key; });
    if (!overridden) in.tags.push_back(t);
  }
  std::sort(in.tags.begin(), in.tags.end(),
            [](const Tag& a, const Tag& b) { return a.key < b.key; });
  if (in.value == 0) in.value = 0;  // -0.0 travels as the integer 0.
  return in;
}

TEST(WireRoundTrip, RandomBatchesWithAFixedSeed) {
  SampleGenerator gen(20240611);
  BatchView view;
  for (int iteration = 0; iteration < 2000; ++iteration) {
    SCOPED_TRACE(iteration);
    const std::string source = gen.Text(1, gen.Uniform(0, 5) ? 20 : kMaxSourceBytes);
    const int64_t t = gen.Uniform(kMinTimestampMs, kMaxTimestampMs - 1);
    Tags batch_tags = gen.RandomTags(gen.Uniform(0, 3) ? 2 : kMaxTagsPerLevel);
    if (batch_tags.size() < kMaxTagsPerLevel && gen.Uniform(0, 1)) {
      batch_tags.push_back({"shared", "batch"});  // Overridden where samples have it.
    }
    std::vector<Sample> samples(gen.Uniform(0, 40));
    for (Sample& s : samples) {
      s = gen.RandomSample();
      if (gen.Uniform(0, 3) == 0 && s.tags.size() < kMaxTagsPerLevel) {
        s.tags.push_back({"shared", "sample"});
      }
    }
    std::string message;
    const WireError e = EncodeBatch(source, t, batch_tags, samples, &message);
    if (e == WireError::kOversized) continue;  // A rare batch of big samples.
    ASSERT_EQ(e, WireError::kOk) << WireErrorName(e);
    ASSERT_EQ(DecodeBatch(message, &view), WireError::kOk);
    ASSERT_TRUE(OracleAccepts(message));
    EXPECT_EQ(view.source, source);
    EXPECT_EQ(view.timestamp_ms, t);
    const std::vector<Sample> got = ToSamples(view);
    ASSERT_EQ(got.size(), samples.size());
    for (size_t i = 0; i < samples.size(); ++i) {
      EXPECT_EQ(got[i], Expected(samples[i], t, batch_tags)) << "sample " << i;
    }
    uint32_t count = 0;
    EXPECT_EQ(ValidateBatch(message, nullptr, &count), WireError::kOk);
    EXPECT_EQ(count, samples.size());
  }
}

TEST(WireRoundTrip, ValuesSurviveExactly) {
  const double values[] = {0,
                           1,
                           -1,
                           0.1,
                           -2.5e-300,
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::lowest(),
                           9007199254740991.0,
                           -9007199254740991.0,
                           9007199254740993.0,
                           1e19};
  for (double v : values) {
    SCOPED_TRACE(v);
    std::string m;
    ASSERT_EQ(
        EncodeBatch("h", kT, {}, std::vector<Sample>{{"m", v, 0, MetricKind::kGauge, {}}}, &m),
        WireError::kOk);
    BatchView b;
    ASSERT_EQ(DecodeBatch(m, &b), WireError::kOk);
    EXPECT_EQ(b.samples[0].value, v);
  }
}

}  // namespace
}  // namespace sonde

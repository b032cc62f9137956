// Mutation testing of the decoder: truncated, bit-flipped, overwritten,
// inserted and deleted bytes of valid messages (fixed seed). Nothing may
// crash (run it under SONDE_SANITIZE=address); DecodeBatch and ValidateBatch
// must agree; whatever is accepted must be well-formed for msgpack-c too and
// must satisfy every documented limit.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "sonde/wire.h"
#include "wire_test_messages.h"

namespace sonde {
namespace {

using namespace wire_test;  // NOLINT: test vocabulary.

constexpr int kIterations = 200000;

std::vector<std::string> Seeds() {
  SampleGenerator gen(7);
  std::vector<std::string> seeds;
  for (int i = 0; i < 24; ++i) {
    std::vector<Sample> samples(gen.Uniform(0, 12));
    for (Sample& s : samples) s = gen.RandomSample();
    std::string m;
    if (EncodeBatch(gen.Text(1, 30), kT, gen.RandomTags(3), samples, &m) == WireError::kOk) {
      seeds.push_back(m);
    }
  }
  // Shapes the encoder never writes: unknown keys, wide headers, s before t.
  seeds.push_back(Pack(Replace(GoodFields(), "x", Arr({Arr({StrMap({{"a", "b"}})}), Dbl(1)}))));
  seeds.push_back(Pack({{"s", Arr({Arr({Str("a"), Hex("ca 3f c0 00 00"), Nil(), Nil(), Nil()})})},
                        {"t", Hex("d3 00 00 01 8b cf e5 68 00")},
                        {"src", [](Out& o) { o.WideStr("h", 2); }},
                        {"type", Str("batch")},
                        {"v", Hex("cc 01")}}));
  return seeds;
}

void Mutate(std::string* m, SampleGenerator& gen) {
  const int64_t size = static_cast<int64_t>(m->size());
  const size_t at = static_cast<size_t>(gen.Uniform(0, size > 0 ? size - 1 : 0));
  static constexpr std::array<uint8_t, 12> kInteresting = {0x00, 0x7f, 0xc0, 0xc1, 0xcb, 0xdc,
                                                           0xdd, 0xde, 0xdf, 0xdb, 0xff, 0x9f};
  switch (gen.Uniform(0, 6)) {
    case 0:  // Truncate.
      m->resize(at);
      break;
    case 1:  // Flip one bit.
      if (size) (*m)[at] = static_cast<char>((*m)[at] ^ (1 << gen.Uniform(0, 7)));
      break;
    case 2:  // Overwrite with a random or an interesting byte.
      if (size) {
        (*m)[at] = static_cast<char>(gen.Uniform(0, 1) ? gen.Uniform(0, 255)
                                                       : kInteresting[gen.Uniform(0, 11)]);
      }
      break;
    case 3:  // Insert bytes.
      m->insert(at, std::string(gen.Uniform(1, 4), static_cast<char>(gen.Uniform(0, 255))));
      break;
    case 4:  // Delete bytes.
      if (size) m->erase(at, gen.Uniform(1, 4));
      break;
    case 5:  // Duplicate a slice.
      if (size) m->insert(at, m->substr(at, gen.Uniform(1, 16)));
      break;
    default:  // Overwrite a length with 0xff bytes.
      for (int i = 0; i < 4 && at + i < m->size(); ++i) (*m)[at + i] = '\xff';
      break;
  }
}

// Every limit a decoded batch promises to its users.
void CheckInvariants(const std::string& m, const BatchView& b) {
  ASSERT_TRUE(OracleAccepts(m)) << ToHex(m);
  ASSERT_LE(m.size(), kMaxMessageBytes);
  ASSERT_FALSE(b.source.empty());
  ASSERT_LE(b.source.size(), kMaxSourceBytes);
  ASSERT_GE(b.timestamp_ms, kMinTimestampMs);
  ASSERT_LT(b.timestamp_ms, kMaxTimestampMs);
  ASSERT_LE(b.tags.size(), kMaxTagsPerLevel);
  for (const TagView& t : b.tags) ASSERT_LE(t.key.size(), kMaxTagKeyBytes);
  for (const SampleView& s : b.samples) {
    ASSERT_FALSE(s.name.empty());
    ASSERT_TRUE(std::isfinite(s.value));
    ASSERT_GE(s.timestamp_ms, kMinTimestampMs);
    ASSERT_LT(s.timestamp_ms, kMaxTimestampMs);
    ASSERT_LT(static_cast<int>(s.kind), kMetricKindCount);
    for (const TagView& t : s.tags) {
      ASSERT_FALSE(t.key.empty());
      ASSERT_LE(t.value.size(), kMaxTagValueBytes);
    }
  }
}

TEST(WireMutation, NeverCrashesAndAcceptsOnlyValidMessages) {
  const std::vector<std::string> seeds = Seeds();
  ASSERT_GE(seeds.size(), 20u);
  SampleGenerator gen(1234567);
  BatchView b;
  int accepted = 0;
  std::array<int, kWireErrorCount> by_reason{};
  for (int i = 0; i < kIterations; ++i) {
    std::string m = seeds[gen.Uniform(0, seeds.size() - 1)];
    const int mutations = static_cast<int>(gen.Uniform(1, 3));
    for (int k = 0; k < mutations; ++k) Mutate(&m, gen);
    // A copy with no spare bytes after it, so ASan sees any over-read.
    const std::vector<char> exact(m.begin(), m.end());
    const std::string_view view(exact.data(), exact.size());
    const WireError decoded = DecodeBatch(view, &b);
    const WireError validated = ValidateBatch(view, nullptr, nullptr);
    ASSERT_EQ(decoded, validated) << ToHex(m);
    ++by_reason[static_cast<int>(decoded)];
    if (decoded == WireError::kOk) {
      ++accepted;
      CheckInvariants(m, b);
      if (HasFatalFailure()) return;
    }
  }
  // The mutations must exercise both sides.
  EXPECT_GT(accepted, kIterations / 100);
  EXPECT_GT(by_reason[static_cast<int>(WireError::kTruncated)], 0);
  EXPECT_GT(by_reason[static_cast<int>(WireError::kLengthTooLarge)], 0);
  EXPECT_GT(by_reason[static_cast<int>(WireError::kTrailingBytes)], 0);
}

// Random bytes behind a map header: most fail early, none may crash.
TEST(WireMutation, RandomBytesAfterAnEnvelopeHeader) {
  SampleGenerator gen(99);
  BatchView b;
  for (int i = 0; i < 20000; ++i) {
    std::vector<char> m(gen.Uniform(1, 64));
    for (char& c : m) c = static_cast<char>(gen.Uniform(0, 255));
    m[0] = static_cast<char>(0x80 | gen.Uniform(0, 15));
    const std::string_view view(m.data(), m.size());
    ASSERT_EQ(DecodeBatch(view, &b), ValidateBatch(view, nullptr, nullptr));
  }
}

}  // namespace
}  // namespace sonde

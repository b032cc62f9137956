// Wire format v1 encoding: EncodeSample, BatchBuilder, EncodeBatch
// (docs/wire-format.md).
//
// Hand-written over msgpack_writer.h rather than msgpack::packer: the sizes
// are computed first and checked once against the room left, so the writes
// themselves never check, throw or allocate. EncodeSample runs on every
// Emitter::Record() call.
#include <algorithm>
#include <cassert>
#include <cstring>

#include "msgpack_writer.h"
#include "sonde/wire.h"
#include "wire_limits.h"

namespace sonde {
namespace {

using namespace wire_internal;  // NOLINT: the writer's Put*/*Size vocabulary.

// The largest sample: fixarray, str8 name, float64 value, kind, uint64 ts,
// then a map16 of kMaxTagsPerLevel str8 -> str8 tags.
static_assert(kMaxSampleBytes ==
              1 + (2 + kMaxNameBytes) + 9 + 1 + 9 + 3 +
                  kMaxTagsPerLevel * ((2 + kMaxTagKeyBytes) + (2 + kMaxTagValueBytes)));

// The size of the "s" array header that BatchBuilder patches: always array32.
constexpr size_t kSampleArrayHeaderBytes = 5;

size_t TagsSize(std::span<const TagView> tags) {
  size_t n = ContainerHeaderSize(static_cast<uint32_t>(tags.size()));
  for (const TagView& tag : tags) n += StrSize(tag.key.size()) + StrSize(tag.value.size());
  return n;
}

char* PutTags(char* p, std::span<const TagView> tags) {
  p = PutMapHeader(p, static_cast<uint32_t>(tags.size()));
  for (const TagView& tag : tags) p = PutStr(PutStr(p, tag.key), tag.value);
  return p;
}

// Checks the tags' count and lengths (not their text) and returns their
// encoded size. *all_fixstr tells whether every key and value is a fixstr
// (under 32 bytes), so that the written map body can be checked for control
// bytes in one pass, as the decoder does.
WireError SizeTags(std::span<const TagView> tags, size_t* size, bool* all_fixstr) {
  if (tags.size() > kMaxTagsPerLevel) return WireError::kTooManyTags;
  size_t n = ContainerHeaderSize(static_cast<uint32_t>(tags.size()));
  size_t lengths = 0;
  for (const TagView& tag : tags) {
    const size_t k = tag.key.size();
    const size_t v = tag.value.size();
    if (k == 0 || k > kMaxTagKeyBytes || v > kMaxTagValueBytes) return WireError::kBadTag;
    n += StrSize(k) + StrSize(v);
    lengths |= k | v;
  }
  *size = n;
  *all_fixstr = lengths < 32;
  return WireError::kOk;
}

// Writes the tags map and checks the text of its keys and values, then that
// no key repeats: the decoder's order, so both name the same error.
WireError PutCheckedTags(char** p, std::span<const TagView> tags, bool all_fixstr) {
  char* body = PutMapHeader(*p, static_cast<uint32_t>(tags.size()));
  *p = body;
  for (const TagView& tag : tags) *p = PutStr(PutStr(*p, tag.key), tag.value);
  if (all_fixstr) {  // Headers 0xa0..0xbf are no control bytes themselves.
    if (HasControlByte({body, static_cast<size_t>(*p - body)})) return WireError::kBadTag;
  } else {
    for (const TagView& tag : tags) {
      if (HasControlByte(tag.key) || HasControlByte(tag.value)) return WireError::kBadTag;
    }
  }
  return FindDuplicateKey(tags) != nullptr ? WireError::kDuplicateTag : WireError::kOk;
}

WireError CheckScalars(const SampleRef& s) {
  if (!ValidName(s.name)) return WireError::kBadName;
  if (!Finite(s.value)) return WireError::kNonFinite;
  if (!ValidKind(s.kind)) return WireError::kBadKind;
  if (s.timestamp_ms != 0 && !ValidTimestamp(s.timestamp_ms)) return WireError::kBadTimestamp;
  return WireError::kOk;
}

// The shortest array that carries the data: [name, value, kind, ts, tags]
// with trailing defaults (gauge, batch time, no tags) left out.
uint32_t SampleItems(const SampleRef& s) {
  if (!s.tags.empty()) return 5;
  if (s.timestamp_ms != 0) return 4;
  if (s.kind != MetricKind::kGauge) return 3;
  return 2;
}

}  // namespace

// Sizes first, so that the writes need no checks; the text of tags is
// checked last, on the written bytes (see PutCheckedTags).
WireError EncodeSample(const SampleRef& sample, char* out, size_t cap, size_t* written) {
  WireError e = CheckScalars(sample);
  if (e != WireError::kOk) return e;
  const uint32_t items = SampleItems(sample);
  size_t tags_size = 0;
  bool all_fixstr = true;
  if (items == 5 && (e = SizeTags(sample.tags, &tags_size, &all_fixstr)) != WireError::kOk) {
    return e;
  }
  size_t size = 1 + StrSize(sample.name.size()) + NumberSize(sample.value) + tags_size;
  if (items >= 3) size += 1;
  if (items >= 4) size += sample.timestamp_ms != 0 ? IntSize(sample.timestamp_ms) : 1;
  if (size > cap) return WireError::kOversized;

  char* p = PutArrayHeader(out, items);
  p = PutStr(p, sample.name);
  p = PutNumber(p, sample.value);
  if (items >= 3) p = PutByte(p, static_cast<uint8_t>(sample.kind));
  if (items >= 4) p = sample.timestamp_ms != 0 ? PutInt(p, sample.timestamp_ms) : PutByte(p, kNil);
  if (items == 5 && (e = PutCheckedTags(&p, sample.tags, all_fixstr)) != WireError::kOk) {
    return e;
  }
  assert(static_cast<size_t>(p - out) == size);
  *written = size;
  return WireError::kOk;
}

BatchBuilder::BatchBuilder(size_t max_bytes)
    : max_bytes_(std::clamp<size_t>(max_bytes, 64, kMaxMessageBytes)) {
  assert(max_bytes >= 64 && max_bytes <= kMaxMessageBytes);
  buf_.reserve(max_bytes_);
}

WireError BatchBuilder::Begin(std::string_view source, int64_t timestamp_ms,
                              std::span<const TagView> tags) {
  buf_.clear();
  count_ = 0;
  count_pos_ = 0;
  if (!ValidSource(source)) return WireError::kBadSource;
  if (!ValidTimestamp(timestamp_ms)) return WireError::kBadTimestamp;
  const WireError e = CheckTags(tags);
  if (e != WireError::kOk) return e;

  // {"v": 1, "type": "batch", "src": ..., "t": ..., ["tags": {...},] "s": [...]}
  size_t size = 1 + (2 + 1) + (5 + 6) + (4 + StrSize(source.size())) + (2 + IntSize(timestamp_ms)) +
                (2 + kSampleArrayHeaderBytes);
  if (!tags.empty()) size += 5 + TagsSize(tags);
  if (size > max_bytes_) return WireError::kOversized;

  buf_.resize(size);
  char* p = PutMapHeader(buf_.data(), tags.empty() ? 5 : 6);
  p = PutUint(PutStr(p, "v"), kWireVersion);
  p = PutStr(PutStr(p, "type"), "batch");
  p = PutStr(PutStr(p, "src"), source);
  p = PutInt(PutStr(p, "t"), timestamp_ms);
  if (!tags.empty()) p = PutTags(PutStr(p, "tags"), tags);
  p = PutByte(PutStr(p, "s"), kArray32);
  count_pos_ = static_cast<size_t>(p - buf_.data());
  p = PutBe(p, uint32_t{0});
  assert(static_cast<size_t>(p - buf_.data()) == size);
  return WireError::kOk;
}

bool BatchBuilder::Append(std::string_view encoded) {
  assert(count_pos_ != 0);
  if (count_ >= kMaxSamplesPerBatch || encoded.size() > max_bytes_ - buf_.size()) return false;
  buf_.append(encoded);  // Within the capacity reserved once: no allocation.
  ++count_;
  return true;
}

std::string_view BatchBuilder::Finish() {
  assert(count_pos_ != 0);
  PutBe(buf_.data() + count_pos_, count_);
  return buf_;
}

WireError EncodeBatch(std::string_view source, int64_t timestamp_ms, const Tags& tags,
                      std::span<const Sample> samples, std::string* out, size_t max_bytes) {
  if (max_bytes < 64 || max_bytes > kMaxMessageBytes) return WireError::kOversized;
  if (samples.size() > kMaxSamplesPerBatch) return WireError::kTooManySamples;
  if (tags.size() > kMaxTagsPerLevel) return WireError::kTooManyTags;
  std::vector<TagView> tag_views;
  for (const Tag& t : tags) tag_views.push_back({t.key, t.value});
  BatchBuilder builder(max_bytes);
  WireError e = builder.Begin(source, timestamp_ms, tag_views);
  if (e != WireError::kOk) return e;

  std::vector<char> scratch(kMaxSampleBytes);
  for (const Sample& s : samples) {
    tag_views.clear();
    if (s.tags.size() > kMaxTagsPerLevel) return WireError::kTooManyTags;
    for (const Tag& t : s.tags) tag_views.push_back({t.key, t.value});
    const SampleRef ref{s.name, s.value, s.timestamp_ms, s.kind, tag_views};
    size_t written = 0;
    e = EncodeSample(ref, scratch.data(), scratch.size(), &written);
    if (e != WireError::kOk) return e;
    if (!builder.Append({scratch.data(), written})) return WireError::kOversized;
  }
  out->assign(builder.Finish());
  return WireError::kOk;
}

}  // namespace sonde

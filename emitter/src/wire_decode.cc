// Wire format v1 decoding: DecodeBatch, ValidateBatch, DecodeBusPayload,
// TagsView, ToSamples and WireErrorName (docs/wire-format.md).
//
// One schema-directed parser, DecodeMessage<Sink>, serves both DecodeBatch
// (the sink stores SampleViews) and ValidateBatch (the sink discards them),
// so the two accept exactly the same messages and name the same first error;
// DecodeBusPayload runs the same parser over each message of a bus payload.
// It reads through MsgpackReader (msgpack_reader.h says why it is
// hand-written); the schema fixes the nesting, and values under unknown keys
// go through the reader's iterative skipper, so nothing here recurses.
#include <algorithm>
#include <cassert>
#include <cstring>

#include "msgpack_reader.h"
#include "sonde/wire.h"
#include "wire_limits.h"

namespace sonde {
namespace {

using wire_internal::MsgpackReader;

// The per-sample readers are forced inline into the samples loop, so that the
// reader's position stays in a register instead of going through memory.
#define SONDE_WIRE_INLINE inline __attribute__((always_inline))

// Returns the error of `expr` from the enclosing function.
#define SONDE_WIRE_TRY(expr)                            \
  do {                                                  \
    const WireError sonde_wire_e_ = (expr);             \
    if (sonde_wire_e_ != WireError::kOk) [[unlikely]] { \
      return sonde_wire_e_;                             \
    }                                                   \
  } while (0)

// The envelope keys v1 knows, as bits of a "seen" mask.
enum Field : uint8_t {
  kUnknownField = 0,
  kFieldV = 1 << 0,
  kFieldType = 1 << 1,
  kFieldSrc = 1 << 2,
  kFieldT = 1 << 3,
  kFieldTags = 1 << 4,
  kFieldS = 1 << 5,
};
constexpr uint8_t kRequiredFields = kFieldV | kFieldType | kFieldSrc | kFieldT | kFieldS;

// The smallest valid sample: [name, value] with a 1-byte name and a fixint.
constexpr size_t kMinSampleBytes = 4;

Field ClassifyKey(std::string_view key) {
  switch (key.size()) {
    case 1:
      if (key[0] == 'v') return kFieldV;
      if (key[0] == 't') return kFieldT;
      if (key[0] == 's') return kFieldS;
      return kUnknownField;
    case 3:
      return key == "src" ? kFieldSrc : kUnknownField;
    case 4:
      if (key == "type") return kFieldType;
      if (key == "tags") return kFieldTags;
      return kUnknownField;
    default:
      return kUnknownField;
  }
}

// The envelope fields that are not samples.
struct Envelope {
  std::string_view source;
  int64_t timestamp_ms = 0;
  TagsView tags;
  uint32_t sample_count = 0;
  uint8_t seen = 0;                  // Field bits of the keys read.
  bool samples_before_time = false;  // "s" came before "t": times resolved at the end.
};

SONDE_WIRE_INLINE WireError ReadTimestamp(MsgpackReader& r, int64_t* ms) {
  SONDE_WIRE_TRY(r.ReadInt(ms));
  return wire_internal::ValidTimestamp(*ms) ? WireError::kOk : WireError::kBadTimestamp;
}

// A key seen while reading a tags map. Trivial, so that ReadTags' array of
// kMaxTagsPerLevel of them costs nothing until written (a string_view array
// would be zeroed on every call).
struct TagKey {
  const char* data;
  size_t size;
};

// The common case of a tags map: every key and value a fixstr (at most 31
// bytes, 1-byte header 0xa0..0xbf). The headers are then no control bytes
// themselves, so the whole map body is checked for control bytes in one pass
// instead of string by string, which costs more than the rest of the map.
// Returns the end of the body, or nullptr when the map is not of this shape
// or has an empty key; the caller then reads it the general way. The keys
// go to keys[0..count) for the duplicate check.
SONDE_WIRE_INLINE const uint8_t* ScanFixStrTags(const uint8_t* p, const uint8_t* end,
                                                uint32_t count, TagKey* keys) {
  constexpr size_t kMaxFixStrPair = 2 * (1 + 31);
  if (static_cast<size_t>(end - p) >= count * kMaxFixStrPair) {
    // No pair of fixstrs can run past the end: no bounds checks needed.
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t key = p[0];
      if ((key & 0xe0) != wire_internal::kFixStrMin || key == wire_internal::kFixStrMin) {
        return nullptr;  // Not a fixstr, or an empty key.
      }
      keys[i] = {reinterpret_cast<const char*>(p + 1), static_cast<size_t>(key & 0x1f)};
      p += 1 + (key & 0x1f);
      if ((p[0] & 0xe0) != wire_internal::kFixStrMin) return nullptr;
      p += 1 + (p[0] & 0x1f);
    }
    return p;
  }
  for (uint32_t i = 0; i < count; ++i) {
    if (end - p < 2 || (p[0] & 0xe0) != wire_internal::kFixStrMin) return nullptr;
    const size_t key_len = p[0] & 0x1f;  // <= 31 < kMaxTagKeyBytes.
    if (key_len == 0 || static_cast<size_t>(end - p) < key_len + 2) return nullptr;
    keys[i] = {reinterpret_cast<const char*>(p + 1), key_len};
    p += 1 + key_len;
    if ((p[0] & 0xe0) != wire_internal::kFixStrMin) return nullptr;
    const size_t value_len = p[0] & 0x1f;  // <= 31 < kMaxTagValueBytes.
    if (static_cast<size_t>(end - p) < value_len + 1) return nullptr;
    p += 1 + value_len;
  }
  return p;
}

// Up to this many keys, AnyKeyRepeats compares the keys themselves; above
// it, their hashes. The pairwise path is the fastest for the usual handful
// of tags; the hashed one bounds what a hostile map of kMaxTagsPerLevel keys
// of one length and first byte costs (bench/wire: *SameShapeKeys).
constexpr uint32_t kMaxPairwiseKeys = 8;

SONDE_WIRE_INLINE uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

SONDE_WIRE_INLINE uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Seeds HashTagKey. Its address differs from run to run under ASLR (as
// absl::Hash seeds itself), so a sender cannot craft keys whose hashes
// collide without knowing it; and if it does, a collision costs only one
// memcmp, as every pair did in the pairwise path.
const char kTagKeyHashSeed = 0;

// A 64-bit hash of a tag key (1 to kMaxTagKeyBytes bytes). Up to 8 bytes the
// key is packed into one word without loss, and every step after that is a
// bijection, so keys of one length up to 8 bytes never collide.
SONDE_WIRE_INLINE uint64_t HashTagKey(const char* p, size_t n) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15;  // 2^64 / golden ratio, odd.
  uint64_t h = (reinterpret_cast<uintptr_t>(&kTagKeyHashSeed) ^ n) * kMul;
  uint64_t last;
  if (n > 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      h = (h ^ Load64(p + i)) * kMul;
      h ^= h >> 29;
    }
    last = Load64(p + n - 8);  // Overlaps the last chunk: every byte is read.
  } else if (n >= 4) {
    last = (Load32(p) << 32) | Load32(p + n - 4);
  } else {
    const auto* u = reinterpret_cast<const uint8_t*>(p);
    last = (uint64_t{u[0]} << 16) | (uint64_t{u[n / 2]} << 8) | u[n - 1];
  }
  h = (h ^ last) * kMul;
  return h ^ (h >> 32);
}

SONDE_WIRE_INLINE bool SameKey(const TagKey& a, const TagKey& b) {
  return a.size == b.size && a.data[0] == b.data[0] && std::memcmp(a.data, b.data, a.size) == 0;
}

// The hashed path: the keys go into a small open-addressing table by hash,
// and are compared only where two hashes are equal, so a map costs about
// one hash and one probe per key. No allocation; the hash array is left
// uninitialised until written, and only the 64-byte table is cleared.
[[gnu::noinline]] bool AnyHashedKeyRepeats(const TagKey* keys, uint32_t count) {
  constexpr int kSlotBits = 6;
  constexpr uint32_t kSlots = 1u << kSlotBits;
  static_assert(kSlots >= 2 * kMaxTagsPerLevel, "the table must stay at most half full");
  static_assert(kMaxTagsPerLevel < 255, "slots hold a key's index + 1 in a byte");
  uint64_t hashes[kMaxTagsPerLevel];
  uint8_t slots[kSlots] = {};  // 0: empty; else the index + 1 of the key there.
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t h = HashTagKey(keys[i].data, keys[i].size);
    hashes[i] = h;
    // The top bits: the multiply mixes every input bit into them.
    for (uint32_t s = static_cast<uint32_t>(h >> (64 - kSlotBits));; s = (s + 1) % kSlots) {
      const uint32_t there = slots[s];
      if (there == 0) {
        slots[s] = static_cast<uint8_t>(i + 1);
        break;
      }
      if (hashes[there - 1] == h && SameKey(keys[there - 1], keys[i])) return true;
    }
  }
  return false;
}

// Whether two of a map's keys are equal. Keys are never empty, and most
// pairs differ in length or first byte, so a small map's keys are compared
// pair by pair: that costs less than hashing them and allocates nothing.
SONDE_WIRE_INLINE bool AnyKeyRepeats(const TagKey* keys, uint32_t count) {
  for (uint32_t i = 0; i + 1 < count; ++i) {
    for (uint32_t j = i + 1; j < count; ++j) {
      if (SameKey(keys[i], keys[j])) return true;
    }
  }
  return false;
}

// A tags map (batch or sample level): str -> str within the tag limits, each
// key once.
SONDE_WIRE_INLINE WireError ReadTags(MsgpackReader& r, TagsView* out) {
  uint32_t count;
  SONDE_WIRE_TRY(r.ReadMapHeader(&count));
  if (count > kMaxTagsPerLevel) return WireError::kTooManyTags;
  SONDE_WIRE_TRY(r.CheckItemsFit(count, 2));  // A key is >= 2 bytes, a value >= 1.
  const uint8_t* body = r.pos();
  *out = TagsView(body, count);
  TagKey keys[kMaxTagsPerLevel];
  if (const uint8_t* body_end = ScanFixStrTags(body, r.end(), count, keys)) {
    const std::string_view text(reinterpret_cast<const char*>(body),
                                static_cast<size_t>(body_end - body));
    if (wire_internal::HasControlByte(text)) return WireError::kBadTag;
    r.SkipTo(body_end);
  } else {
    for (uint32_t i = 0; i < count; ++i) {
      std::string_view key, value;
      SONDE_WIRE_TRY(r.ReadStr(&key));
      if (!wire_internal::ValidTagKey(key)) return WireError::kBadTag;
      keys[i] = {key.data(), key.size()};
      SONDE_WIRE_TRY(r.ReadStr(&value));
      if (!wire_internal::ValidTagValue(value)) return WireError::kBadTag;
    }
  }
  // Checked last, once the map is known to be well-formed (the store refuses
  // a series whose tags repeat a key: docs/wire-format.md, "duplicate_tag").
  if (count > kMaxPairwiseKeys) [[unlikely]] {
    if (AnyHashedKeyRepeats(keys, count)) return WireError::kDuplicateTag;
  } else if (count > 1 && AnyKeyRepeats(keys, count)) [[unlikely]] {
    return WireError::kDuplicateTag;
  }
  return WireError::kOk;
}

// A kind: nil, or an integer 0..2 in any width. Anything else is kBadKind,
// whatever its MessagePack type (wire.h: "a kind other than 0, 1, 2 or nil").
SONDE_WIRE_INLINE WireError ReadKind(MsgpackReader& r, MetricKind* kind) {
  if (r.remaining() != 0 && *r.pos() < kMetricKindCount) {  // A fixint 0..2: the usual.
    *kind = static_cast<MetricKind>(*r.pos());
    r.SkipTo(r.pos() + 1);
    return WireError::kOk;
  }
  if (r.SkipNil()) {
    *kind = MetricKind::kGauge;
    return WireError::kOk;
  }
  int64_t v;
  const WireError e = r.ReadInt(&v);
  if (e == WireError::kTruncated || e == WireError::kInvalidMsgpack) return e;
  if (e != WireError::kOk || v < 0 || v >= kMetricKindCount) return WireError::kBadKind;
  *kind = static_cast<MetricKind>(v);
  return WireError::kOk;
}

// One sample: [name, value, kind?, ts?, tags?]. `batch_ms` is the batch's
// time when already known, else 0 (resolved by the caller afterwards).
SONDE_WIRE_INLINE WireError ReadSample(MsgpackReader& r, int64_t batch_ms, SampleView* s) {
  uint32_t items;
  SONDE_WIRE_TRY(r.ReadArrayHeader(&items));
  if (items < 2 || items > 5) [[unlikely]]
    return WireError::kBadSample;
  SONDE_WIRE_TRY(r.CheckItemsFit(items));
  SONDE_WIRE_TRY(r.ReadStr(&s->name));
  if (!wire_internal::ValidName(s->name)) [[unlikely]]
    return WireError::kBadName;
  SONDE_WIRE_TRY(r.ReadNumber(&s->value));
  if (!wire_internal::Finite(s->value)) [[unlikely]]
    return WireError::kNonFinite;
  s->kind = MetricKind::kGauge;
  s->timestamp_ms = batch_ms;
  s->tags = TagsView();
  if (items >= 3) SONDE_WIRE_TRY(ReadKind(r, &s->kind));
  if (items >= 4 && !r.SkipNil()) SONDE_WIRE_TRY(ReadTimestamp(r, &s->timestamp_ms));
  if (items == 5 && !r.SkipNil()) SONDE_WIRE_TRY(ReadTags(r, &s->tags));
  return WireError::kOk;
}

// Sink for DecodeBatch: samples land in the caller's vector, whose capacity
// is reused from one message to the next.
class StoringSink {
 public:
  explicit StoringSink(std::vector<SampleView>* samples) : samples_(samples) {}
  // Reserves for the declared count, but no more than the remaining bytes
  // could hold, so that a lying count cannot make a small message allocate
  // much (kMaxMessageBytes / kMinSampleBytes samples at most).
  void Reserve(uint32_t count, size_t remaining) {
    samples_->clear();
    samples_->reserve(std::min<size_t>(count, remaining / kMinSampleBytes));
  }
  SampleView* Slot(uint32_t) { return &samples_->emplace_back(); }
  // Samples without their own time take the batch's, once it is known.
  void ResolveTimes(int64_t batch_ms) {
    for (SampleView& s : *samples_) {
      if (s.timestamp_ms == 0) s.timestamp_ms = batch_ms;
    }
  }

 private:
  std::vector<SampleView>* samples_;
};

// Sink for ValidateBatch: every sample is read and checked into one scratch
// slot and then forgotten.
class DiscardingSink {
 public:
  void Reserve(uint32_t, size_t) {}
  SampleView* Slot(uint32_t) { return &scratch_; }
  void ResolveTimes(int64_t) {}

 private:
  SampleView scratch_;
};

template <typename Sink>
WireError ReadSamples(MsgpackReader& r, int64_t batch_ms, Sink& sink, uint32_t* count) {
  SONDE_WIRE_TRY(r.ReadArrayHeader(count));
  if (*count > kMaxSamplesPerBatch) return WireError::kTooManySamples;
  SONDE_WIRE_TRY(r.CheckItemsFit(*count));
  sink.Reserve(*count, r.remaining());
  MsgpackReader local = r;  // A local copy the compiler can keep in registers.
  for (uint32_t i = 0; i < *count; ++i) SONDE_WIRE_TRY(ReadSample(local, batch_ms, sink.Slot(i)));
  r = local;
  return WireError::kOk;
}

// Reads the value of one known envelope field.
template <typename Sink>
WireError ReadField(MsgpackReader& r, Field field, int64_t batch_ms, Sink& sink, Envelope* env) {
  switch (field) {
    case kFieldV: {
      int64_t v;
      SONDE_WIRE_TRY(r.ReadInt(&v));
      return v == kWireVersion ? WireError::kOk : WireError::kBadVersion;
    }
    case kFieldType: {
      std::string_view type;
      SONDE_WIRE_TRY(r.ReadStr(&type));
      return type == "batch" ? WireError::kOk : WireError::kUnknownType;
    }
    case kFieldSrc:
      SONDE_WIRE_TRY(r.ReadStr(&env->source));
      return wire_internal::ValidSource(env->source) ? WireError::kOk : WireError::kBadSource;
    case kFieldT:
      return ReadTimestamp(r, &env->timestamp_ms);
    case kFieldTags:
      return ReadTags(r, &env->tags);
    case kFieldS:
      return ReadSamples(r, batch_ms, sink, &env->sample_count);
    case kUnknownField:
      break;
  }
  // Forward compatibility within v1: skip the value, bounded as everything.
  return r.SkipValue(2);
}

// Reads the envelope map, in any key order, from the reader's position and
// stops just after it. Errors are reported in the order met; the caller
// then checks what follows the map and calls FinishEnvelope.
template <typename Sink>
SONDE_WIRE_INLINE WireError ReadEnvelope(MsgpackReader& r, Sink& sink, Envelope* env) {
  uint32_t entries;
  SONDE_WIRE_TRY(r.ReadMapHeader(&entries));
  SONDE_WIRE_TRY(r.CheckItemsFit(entries, 2));
  uint8_t seen = 0;  // Locals, not env's: ReadField writes through env.
  bool samples_before_time = false;
  for (uint32_t i = 0; i < entries; ++i) {
    std::string_view key;
    SONDE_WIRE_TRY(r.ReadStr(&key));
    const Field field = ClassifyKey(key);
    if (seen & field) return WireError::kDuplicateField;
    seen |= field;
    // Samples read before "t" get time 0 for now: FinishEnvelope resolves them.
    if (field == kFieldS && !(seen & kFieldT)) samples_before_time = true;
    SONDE_WIRE_TRY(ReadField(r, field, env->timestamp_ms, sink, env));
  }
  env->seen = seen;
  env->samples_before_time = samples_before_time;
  return WireError::kOk;
}

// Missing fields are known only at the end, hence reported last.
template <typename Sink>
SONDE_WIRE_INLINE WireError FinishEnvelope(Sink& sink, const Envelope& env) {
  if ((env.seen & kRequiredFields) != kRequiredFields) return WireError::kMissingField;
  if (env.samples_before_time) sink.ResolveTimes(env.timestamp_ms);
  return WireError::kOk;
}

// Decodes one whole message: the envelope map and nothing after it.
template <typename Sink>
WireError DecodeMessage(std::string_view message, Sink& sink, Envelope* env) {
  if (message.empty()) return WireError::kEmpty;
  if (message.size() > kMaxMessageBytes) return WireError::kOversized;
  const auto* begin = reinterpret_cast<const uint8_t*>(message.data());
  MsgpackReader r(begin, begin + message.size());
  SONDE_WIRE_TRY(ReadEnvelope(r, sink, env));
  if (!r.AtEnd()) return WireError::kTrailingBytes;
  return FinishEnvelope(sink, *env);
}

// Reads one str whose header and bytes were validated by ReadTags.
std::string_view ReadValidatedStr(const uint8_t** p) {
  const uint8_t* q = *p;
  uint32_t len;
  if ((*q & 0xe0) == wire_internal::kFixStrMin) {
    len = *q & 0x1f;
    q += 1;
  } else if (*q == wire_internal::kStr8) {
    len = q[1];
    q += 2;
  } else if (*q == wire_internal::kStr16) {
    len = wire_internal::LoadBe16(q + 1);
    q += 3;
  } else {
    len = wire_internal::LoadBe32(q + 1);
    q += 5;
  }
  *p = q + len;
  return {reinterpret_cast<const char*>(q), len};
}

}  // namespace

WireError DecodeBatch(std::string_view message, BatchView* out) {
  StoringSink sink(&out->samples);
  Envelope env;
  const WireError e = DecodeMessage(message, sink, &env);
  if (e != WireError::kOk) return e;
  out->source = env.source;
  out->timestamp_ms = env.timestamp_ms;
  out->tags = env.tags;
  return WireError::kOk;
}

WireError ValidateBatch(std::string_view message, std::string_view* source,
                        uint32_t* sample_count) {
  DiscardingSink sink;
  Envelope env;
  const WireError e = DecodeMessage(message, sink, &env);
  if (e != WireError::kOk) return e;
  if (source != nullptr) *source = env.source;
  if (sample_count != nullptr) *sample_count = env.sample_count;
  return WireError::kOk;
}

// Each message is decoded in place, straight from the payload: where its
// envelope map ends the next one starts, so every byte is parsed once. On
// success the messages decoded are exactly those SplitBusPayload accepts
// (each read stays inside the message; the per-count fit checks are looser
// against the whole payload but only ever pass for items that are then
// read). On failure the payload is read again by SplitBusPayload, so the
// reason counted is the one it names: rare, and the contract stays one.
WireError DecodeBusPayload(std::string_view payload, uint32_t message_count, BusBatches* out) {
  out->count_ = 0;
  if (out->kept_samples_ > BusBatches::kMaxKeptSamples) {
    // Varied bundles left large capacities in many slots: start over.
    out->slots_ = std::vector<BatchView>();
    out->kept_samples_ = 0;
  }
  WireError e = WireError::kOk;
  if (payload.empty() || payload.size() > kMaxBusPayloadBytes) {
    e = WireError::kEmpty;  // Named below.
  } else {
    const auto* begin = reinterpret_cast<const uint8_t*>(payload.data());
    MsgpackReader r(begin, begin + payload.size());
    for (uint32_t i = 0; i < message_count && e == WireError::kOk; ++i) {
      if (r.AtEnd()) {
        e = WireError::kTruncated;
        break;
      }
      if (out->slots_.size() <= i) out->slots_.emplace_back();
      BatchView* view = &out->slots_[i];
      StoringSink sink(&view->samples);
      Envelope env;
      e = ReadEnvelope(r, sink, &env);
      if (e == WireError::kOk) e = FinishEnvelope(sink, env);
      if (e != WireError::kOk) break;
      if (i > 0 && env.source != out->slots_[0].source) e = WireError::kBadSource;
      view->source = env.source;
      view->timestamp_ms = env.timestamp_ms;
      view->tags = env.tags;
    }
    if (e == WireError::kOk && !r.AtEnd()) e = WireError::kTrailingBytes;
  }
  size_t kept = 0;
  for (const BatchView& view : out->slots_) kept += view.samples.capacity();
  out->kept_samples_ = kept;
  if (e == WireError::kOk) {
    out->count_ = message_count;
    return WireError::kOk;
  }
  const WireError named = SplitBusPayload(payload, message_count, &out->split_);
  return named != WireError::kOk ? named : e;  // Both reject the same payloads.
}

void TagsView::Iterator::Load() {
  if (left_ == 0) return;
  tag_.key = ReadValidatedStr(&p_);
  tag_.value = ReadValidatedStr(&p_);
}

TagsView::Iterator TagsView::begin() const { return Iterator(data_, count_); }
TagsView::Iterator TagsView::end() const { return Iterator(nullptr, 0); }

std::optional<std::string_view> TagsView::Find(std::string_view key) const {
  for (const TagView& tag : *this) {
    if (tag.key == key) return tag.value;
  }
  return std::nullopt;
}

std::vector<Sample> ToSamples(const BatchView& batch) {
  std::vector<Sample> out;
  out.reserve(batch.samples.size());
  for (const SampleView& view : batch.samples) {
    Sample& s = out.emplace_back();
    s.name = std::string(view.name);
    s.value = view.value;
    s.timestamp_ms = view.timestamp_ms;
    s.kind = view.kind;
    // Sample tags first so that they override the batch's (keys are
    // distinct within each map: the decoder rejects repeats).
    auto add = [&s](const TagView& tag) {
      for (const Tag& have : s.tags) {
        if (have.key == tag.key) return;
      }
      s.tags.push_back(Tag{std::string(tag.key), std::string(tag.value)});
    };
    for (const TagView& tag : view.tags) add(tag);
    for (const TagView& tag : batch.tags) add(tag);
    std::sort(s.tags.begin(), s.tags.end(),
              [](const Tag& a, const Tag& b) { return a.key < b.key; });
  }
  return out;
}

const char* WireErrorName(WireError error) {
  switch (error) {
    case WireError::kOk:
      return "ok";
    case WireError::kEmpty:
      return "empty";
    case WireError::kOversized:
      return "oversized";
    case WireError::kTruncated:
      return "truncated";
    case WireError::kLengthTooLarge:
      return "length_too_large";
    case WireError::kInvalidMsgpack:
      return "invalid_msgpack";
    case WireError::kWrongType:
      return "wrong_type";
    case WireError::kTooDeep:
      return "too_deep";
    case WireError::kTrailingBytes:
      return "trailing_bytes";
    case WireError::kBadVersion:
      return "bad_version";
    case WireError::kUnknownType:
      return "unknown_type";
    case WireError::kMissingField:
      return "missing_field";
    case WireError::kDuplicateField:
      return "duplicate_field";
    case WireError::kBadSource:
      return "bad_source";
    case WireError::kBadName:
      return "bad_name";
    case WireError::kBadTag:
      return "bad_tag";
    case WireError::kTooManyTags:
      return "too_many_tags";
    case WireError::kTooManySamples:
      return "too_many_samples";
    case WireError::kBadSample:
      return "bad_sample";
    case WireError::kNonFinite:
      return "non_finite";
    case WireError::kBadTimestamp:
      return "bad_timestamp";
    case WireError::kBadKind:
      return "bad_kind";
    case WireError::kDuplicateTag:
      return "duplicate_tag";
  }
  return "unknown";
}

}  // namespace sonde

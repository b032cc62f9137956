#include "rollup_engine.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <utility>

#include "huge_pages.h"
#include "series_hash.h"

namespace sonde::summarizer {
namespace {

constexpr int64_t kNoWindow = std::numeric_limits<int64_t>::min();
// Markers in IngestGroup's window_start for samples rejected in pass 1.
constexpr int64_t kRejectedFuture = kNoWindow + 1;
constexpr int64_t kRejectedLate = kNoWindow + 2;
constexpr uint32_t kNoOlder = 0xffffffffu;
constexpr int64_t kMinuteMs = 60000;
// States per slab chunk: as many as fit one 2 MiB huge page (huge_pages.h).
constexpr uint32_t kChunkSize = (2u << 20) / 192;

constexpr uint8_t kLive = 1;
constexpr uint8_t kInDirtyList = 2;
constexpr uint8_t kCurDirty = 4;
constexpr uint8_t kHasCur = 8;

// Calls fn(TagView) for the merged tags of a sample: its own, then the
// batch's whose key it does not override.
template <typename Fn>
void ForEachMergedTag(const TagsView& batch_tags, const TagsView& sample_tags, Fn&& fn) {
  for (const TagView& t : sample_tags) fn(t);
  for (const TagView& t : batch_tags) {
    bool overridden = false;
    for (const TagView& u : sample_tags) {
      if (u.key == t.key) {
        overridden = true;
        break;
      }
    }
    if (!overridden) fn(t);
  }
}

uint64_t HashOfKey(const SeriesKey& key) {
  uint64_t tag_sum = 0;
  for (const Tag& t : key.tags()) tag_sum += HashTag(t.key, t.value);
  return HashSeries(HashHost(key.host()), key.name(), tag_sum,
                    static_cast<uint32_t>(key.tags().size()));
}

}  // namespace

const char* RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kLate:
      return "late";
    case RejectReason::kFuture:
      return "future";
    case RejectReason::kSeriesCap:
      return "series_cap";
    case RejectReason::kTagValuesCap:
      return "tag_values_cap";
    case RejectReason::kKindMismatch:
      return "kind_mismatch";
    case RejectReason::kBadKey:
      return "bad_key";
  }
  return "unknown";
}

Status EngineOptions::Validate() const {
  if (lateness.count() < 0 || lateness > std::chrono::hours(1)) {
    return Status::InvalidArgument("lateness must be between 0 and 1h");
  }
  if (max_future.count() < 0 || max_future > std::chrono::hours(1)) {
    return Status::InvalidArgument("max_future must be between 0 and 1h");
  }
  if (max_series == 0 || max_series > (size_t{1} << 31)) {
    return Status::InvalidArgument("max_series must be between 1 and 2^31");
  }
  if (max_tag_values == 0) return Status::InvalidArgument("max_tag_values must be at least 1");
  if (max_windows == 0) return Status::InvalidArgument("max_windows must be at least 1");
  return Status::OK();
}

// A minute window that is no longer the newest of its series, encoded
// (RollupWindow::EncodeTo): most are never touched again before they close.
// 32 bytes, with the encoding inline when it fits (a minute of one sample
// encodes in about 12), else in a heap block of its exact size.
struct RollupEngine::OlderWindow {
  static constexpr size_t kInline = 16;

  OlderWindow() = default;
  OlderWindow(OlderWindow&& other) noexcept { *this = std::move(other); }
  OlderWindow& operator=(OlderWindow&& other) noexcept {
    if (this == &other) return *this;
    Release();
    std::memcpy(storage_, other.storage_, kInline);  // The bytes or the heap pointer.
    size_ = std::exchange(other.size_, 0);
    start_minute = other.start_minute;
    next = other.next;
    dirty = other.dirty;
    return *this;
  }
  ~OlderWindow() { Release(); }

  std::string_view bytes() const {
    return std::string_view(size_ <= kInline ? storage_ : HeapPointer(), size_);
  }
  void Assign(std::string_view b) {
    if (b.size() != size_ || b.size() <= kInline) {
      Release();
      if (b.size() > kInline) {
        char* p = new char[b.size()];
        std::memcpy(storage_, &p, sizeof p);
      }
      size_ = static_cast<uint16_t>(b.size());
    }
    std::memcpy(size_ <= kInline ? storage_ : HeapPointer(), b.data(), b.size());
  }
  void Release() {
    if (size_ > kInline) delete[] HeapPointer();
    size_ = 0;
  }
  int64_t start() const { return int64_t{start_minute} * kMinuteMs; }

  int32_t start_minute = 0;  // Start / 1 min.
  uint32_t next = kNoOlder;  // The next older window of the same series.
  bool dirty = false;        // Touched since the last flush.

 private:
  char* HeapPointer() const {
    char* p;
    std::memcpy(&p, storage_, sizeof p);
    return p;
  }

  char storage_[kInline];
  uint16_t size_ = 0;  // An encoded minute is at most about 10 KB.
};
// One series: three cache lines, all of which a sample touches (the
// ingest loop prefetches them): the newest window, then the identity and the
// latest value.
struct alignas(64) RollupEngine::State {
  RollupWindow cur;  // The newest minute window, when flags has kHasCur.
  uint64_t hash = 0;
  std::shared_ptr<const SeriesKey> key;
  double last_value = 0;
  int64_t last_ms = std::numeric_limits<int64_t>::min();
  SeriesId id = kNoSeriesId;  // As the store gave it; kNoSeriesId until known.
  uint32_t older = kNoOlder;  // Older open windows, newest first.
  uint32_t generation = 0;    // Bumped at eviction.
  uint32_t scope = KeyScopes::kNone;
  MetricKind kind = MetricKind::kGauge;
  uint8_t flags = 0;
};

namespace {

// The start of s.cur, or kNoWindow when the series has none.
template <typename S>
int64_t CurStart(const S& s) {
  return (s.flags & kHasCur) ? s.cur.start_ms() : kNoWindow;
}

}  // namespace

RollupEngine::RollupEngine(EngineOptions options)
    : options_(options),
      table_([this](uint32_t slot) { return At(slot).hash; }),
      limiter_(options.max_tag_values),
      closed_through_(std::numeric_limits<int64_t>::min()) {
  static_assert(sizeof(State) == 192, "three cache lines");
  assert(options_.Validate().ok());
}

RollupEngine::~RollupEngine() = default;

[[gnu::always_inline]] inline RollupEngine::State& RollupEngine::At(uint32_t slot) {
  return chunks_[slot / kChunkSize].get()[slot % kChunkSize];
}
[[gnu::always_inline]] inline const RollupEngine::State& RollupEngine::At(uint32_t slot) const {
  return chunks_[slot / kChunkSize].get()[slot % kChunkSize];
}

void RollupEngine::ChunkDeleter::operator()(State* chunk) const {
  for (uint32_t i = 0; i < kChunkSize; ++i) chunk[i].~State();
  FreeHugePageBacked(chunk, kChunkSize * sizeof(State));
}

int64_t RollupEngine::CloseLimit(int64_t now_ms) const {
  return now_ms - kMinuteMs - options_.lateness.count();
}

[[gnu::always_inline]] inline uint32_t RollupEngine::FindSlot(uint64_t hash, uint32_t scope,
                                                             std::string_view host,
                                                             std::string_view name,
                                                             uint32_t tag_count) const {
  // The table matched 32 bits; the state has all 64. The name is compared
  // exactly; host and tags through the scope when both sides know theirs
  // (exact), else the host exactly and the tags through the hash and their
  // number (docs/summarizer.md, "Series identity").
  return table_.Find(hash, [&](uint32_t slot) {
    const State& s = At(slot);
    if (s.hash != hash) return false;
    if (scope != KeyScopes::kNone && s.scope != KeyScopes::kNone) {
      if (s.scope != scope) return false;
    } else if (s.key->tags().size() != tag_count || s.key->host() != host) {
      return false;
    }
    return SameBytes(s.key->name(), name);
  });
}

uint32_t RollupEngine::Ingest(const BatchView& batch, int64_t now_ms) {
  ++stats_.batches;
  BatchContext ctx;
  ctx.host_hash = HashHost(batch.source);
  for (const TagView& t : batch.tags) ctx.tag_sum += HashTag(t.key, t.value);
  ctx.tag_count = batch.tags.size();
  ctx.scope_hash = HashScope(ctx.host_hash, ctx.tag_sum, ctx.tag_count);
  ctx.scope = scopes_.Find(ctx.scope_hash, batch.source, ctx.tag_count, [&](auto&& fn) {
    for (const TagView& t : batch.tags) fn(t);
  });
  ctx.close_limit = CloseLimit(now_ms);
  ctx.max_ts = now_ms + options_.max_future.count();
  uint32_t accepted = 0;
  const size_t n = batch.samples.size();
  for (size_t i = 0; i < n; i += kGroup) {
    accepted += IngestGroup(batch, i, std::min(n, i + kGroup), &ctx);
  }
  stats_.samples += accepted;
  return accepted;
}

// Samples go through in groups, in passes, so that the cache misses of a
// group overlap instead of following one another (at a million series the
// table, the states and the keys are far out of cache):
//   1. time checks and hash; prefetch the state the scope's memo names for
//      this position (the same series as last batch, usually), else the
//      table entry;
//   2. first table candidate where there was no memo; prefetch its state
//      (three lines);
//   3. prefetch the candidate's key (verification reads its name) and its
//      sketch's buckets;
//   4. exact lookup (the memo's slot verified, else the table), create if
//      new, add to the window; then the memo is brought up to date.
uint32_t RollupEngine::IngestGroup(const BatchView& batch, size_t begin, size_t end,
                                   BatchContext* ctx) {
  struct Item {
    uint64_t hash;
    int64_t window_start;
    uint32_t tag_count;
    uint32_t candidate;
    uint32_t slot;  // Resolved in pass 4; kNone if rejected.
    bool from_memo;
  };
  Item items[kGroup];
  const size_t count = end - begin;
  // The memo applies to samples without tags of their own, whose scope is
  // the batch's.
  const uint32_t memo_scope = ctx->scope;
  const uint32_t* memo = nullptr;
  size_t memo_size = 0;
  if (memo_scope != KeyScopes::kNone) {
    const std::vector<uint32_t>& m = scopes_.memo(memo_scope);
    memo = m.data();
    memo_size = m.size();
  }
  for (size_t j = 0; j < count; ++j) {
    const SampleView& sample = batch.samples[begin + j];
    Item& it = items[j];
    const int64_t ts = sample.timestamp_ms;
    it.candidate = SeriesTable::kNone;
    it.slot = SeriesTable::kNone;
    it.from_memo = false;
    if (ts > ctx->max_ts) {
      it.window_start = kRejectedFuture;
      continue;
    }
    if (ts < ctx->cached_start || ts >= ctx->cached_start + kMinuteMs ||
        ctx->cached_start == kNoWindow) {
      ctx->cached_start = WindowStart(ts, Resolution::kMinute);
    }
    it.window_start = ctx->cached_start;
    if (it.window_start <= ctx->close_limit) {
      it.window_start = kRejectedLate;
      continue;
    }
    uint64_t tag_sum = ctx->tag_sum;
    it.tag_count = ctx->tag_count;
    if (!sample.tags.empty()) {
      tag_sum = 0;
      it.tag_count = 0;
      ForEachMergedTag(batch.tags, sample.tags, [&](const TagView& t) {
        tag_sum += HashTag(t.key, t.value);
        ++it.tag_count;
      });
    } else if (begin + j < memo_size && memo[begin + j] < slots_used_) {
      it.candidate = memo[begin + j];
      it.from_memo = true;
    }
    it.hash = HashSeries(ctx->host_hash, sample.name, tag_sum, it.tag_count);
    if (it.from_memo) {
      const char* state = reinterpret_cast<const char*>(&At(it.candidate));
      __builtin_prefetch(state);
      __builtin_prefetch(state + 64);
      __builtin_prefetch(state + 128);
    } else {
      table_.Prefetch(it.hash);
    }
  }
  for (size_t j = 0; j < count; ++j) {
    Item& it = items[j];
    if (it.window_start <= kRejectedLate || it.from_memo) continue;
    it.candidate = table_.FirstCandidate(it.hash);
    if (it.candidate == SeriesTable::kNone) continue;
    const char* state = reinterpret_cast<const char*>(&At(it.candidate));
    __builtin_prefetch(state);
    __builtin_prefetch(state + 64);
    __builtin_prefetch(state + 128);
  }
  for (size_t j = 0; j < count; ++j) {
    if (items[j].candidate == SeriesTable::kNone) continue;
    const State& s = At(items[j].candidate);
    if (s.key != nullptr) __builtin_prefetch(s.key.get());
    if (items[j].window_start == CurStart(s)) {
      s.cur.sketch().PrefetchBuckets(batch.samples[begin + j].value);
    }
  }
  uint32_t accepted = 0;
  for (size_t j = 0; j < count; ++j) {
    const SampleView& sample = batch.samples[begin + j];
    Item& it = items[j];
    if (it.window_start == kRejectedFuture) {
      Reject(RejectReason::kFuture);
      continue;
    }
    if (it.window_start == kRejectedLate) {
      Reject(RejectReason::kLate);
      continue;
    }
    const uint32_t scope = sample.tags.empty() ? ctx->scope : KeyScopes::kNone;
    uint32_t slot = SeriesTable::kNone;
    if (it.from_memo) {
      // The memo's scope is exact, so scope, hash and name identify the
      // series as FindSlot would.
      const State& m = At(it.candidate);
      if ((m.flags & kLive) && m.hash == it.hash && m.scope == memo_scope &&
          SameBytes(m.key->name(), sample.name)) {
        slot = it.candidate;
      }
    }
    if (slot == SeriesTable::kNone) {
      slot = FindSlot(it.hash, scope, batch.source, sample.name, it.tag_count);
    }
    if (slot == SeriesTable::kNone) {
      slot = CreateSeries(batch, sample, it.hash, it.tag_count, ctx);
      if (slot == SeriesTable::kNone) continue;
    }
    it.slot = slot;
    State& s = At(slot);
    if (sample.kind != s.kind) {
      Reject(RejectReason::kKindMismatch);
      continue;
    }
    const int64_t ts = sample.timestamp_ms;
    if (it.window_start == CurStart(s)) {
      s.cur.Add(sample.value, ts);
      s.flags |= kCurDirty;
    } else {
      AddSlow(s, it.window_start, sample.value, ts);
    }
    if (ts >= s.last_ms) {
      s.last_ms = ts;
      s.last_value = sample.value;
    }
    MarkDirty(s, slot);
    ++accepted;
  }
  UpdateMemo(batch, begin, items, count, ctx->scope);
  return accepted;
}

template <typename Item>
void RollupEngine::UpdateMemo(const BatchView& batch, size_t begin, const Item* items,
                              size_t count, uint32_t scope) {
  if (scope == KeyScopes::kNone) return;
  std::vector<uint32_t>& memo = scopes_.memo(scope);  // In cache: pass 1 read it.
  for (size_t j = 0; j < count; ++j) {
    if (items[j].slot == SeriesTable::kNone || !batch.samples[begin + j].tags.empty()) continue;
    // Grown only for positions it can serve (samples with tags of their own
    // never use it).
    if (memo.size() <= begin + j) memo.resize(begin + count, SeriesTable::kNone);
    memo[begin + j] = items[j].slot;
  }
}

void RollupEngine::MarkDirty(State& s, uint32_t slot) {
  if (s.flags & kInDirtyList) return;
  s.flags |= kInDirtyList;
  dirty_.push_back(slot);
}

uint32_t RollupEngine::CreateSeries(const BatchView& batch, const SampleView& sample, uint64_t hash,
                                    uint32_t tag_count, BatchContext* ctx) {
  if (table_.size() >= options_.max_series) {
    Reject(RejectReason::kSeriesCap);
    return SeriesTable::kNone;
  }
  bool admitted = true;
  ForEachMergedTag(batch.tags, sample.tags, [&](const TagView& t) {
    if (admitted && !limiter_.AdmitsTag(t.key, t.value)) admitted = false;
  });
  if (!admitted) {
    Reject(RejectReason::kTagValuesCap);
    return SeriesTable::kNone;
  }
  // The scope of the series' host and merged tags: the batch's when the
  // sample has no tags of its own.
  uint32_t scope = ctx->scope;
  uint64_t scope_hash = ctx->scope_hash;
  if (!sample.tags.empty()) {
    uint64_t tag_sum = 0;
    ForEachMergedTag(batch.tags, sample.tags,
                     [&](const TagView& t) { tag_sum += HashTag(t.key, t.value); });
    scope_hash = HashScope(ctx->host_hash, tag_sum, tag_count);
    scope = scopes_.Find(scope_hash, batch.source, tag_count,
                         [&](auto&& fn) { ForEachMergedTag(batch.tags, sample.tags, fn); });
  }
  Result<SeriesKey> key = SeriesKey();
  if (scope != KeyScopes::kNone) {
    key = scopes_.proto(scope).WithName(std::string(sample.name));
  } else {
    Tags tags;
    tags.reserve(tag_count);
    ForEachMergedTag(batch.tags, sample.tags, [&](const TagView& t) {
      tags.push_back(Tag{std::string(t.key), std::string(t.value)});
    });
    key = SeriesKey::Make(std::string(batch.source), std::string(sample.name), std::move(tags));
  }
  if (!key.has_value()) {
    Reject(RejectReason::kBadKey);
    return SeriesTable::kNone;
  }
  auto shared = std::make_shared<const SeriesKey>(std::move(key).value());
  if (scope == KeyScopes::kNone) {
    scope = scopes_.Add(scope_hash, shared);
    if (sample.tags.empty()) ctx->scope = scope;
  }
  return InsertSeries(std::move(shared), hash, sample.kind, scope);
}

uint32_t RollupEngine::InsertSeries(std::shared_ptr<const SeriesKey> key, uint64_t hash,
                                    MetricKind kind, uint32_t scope) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = slots_used_++;
    if (slot / kChunkSize >= chunks_.size()) {
      auto* chunk = static_cast<State*>(AllocateHugePageBacked(kChunkSize * sizeof(State)));
      for (uint32_t i = 0; i < kChunkSize; ++i) new (&chunk[i]) State();
      chunks_.emplace_back(chunk);
    }
  }
  State& s = At(slot);
  s.hash = hash;
  s.id = kNoSeriesId;
  s.last_value = 0;
  s.last_ms = std::numeric_limits<int64_t>::min();
  s.older = kNoOlder;
  s.kind = kind;
  s.flags = kLive;
  s.scope = scope;
  if (scope != KeyScopes::kNone) scopes_.Ref(scope);
  limiter_.Add(key->tags());
  s.key = std::move(key);
  table_.Insert(hash, slot);
  ++stats_.series_created;
  return slot;
}

// A sample for a minute other than the series' newest: a new minute (the
// newest moves, encoded, to the older ones), a late one still open, or the
// first window.
void RollupEngine::AddSlow(State& s, int64_t window_start, double value, int64_t ts) {
  if (!(s.flags & kHasCur) || window_start > s.cur.start_ms()) {
    if (s.flags & kHasCur) PushCurToOlder(s);
    s.cur.Reset(s.kind, Resolution::kMinute, window_start);  // Keeps the sketch buffers.
    s.flags |= kHasCur;
    s.cur.Add(value, ts);
    s.flags |= kCurDirty;
    ++windows_in_memory_;
    ++stats_.windows_opened;
    return;
  }
  // A late sample (rare): decode its window, add, encode again.
  uint32_t p = s.older;
  while (p != kNoOlder && pool_[p].start() > window_start) p = pool_[p].next;
  if (p != kNoOlder && pool_[p].start() == window_start) {
    DecodeOlder(p, &scratch_window_);
    scratch_window_.Add(value, ts);
    EncodeOlder(p, scratch_window_);
    pool_[p].dirty = true;
    return;
  }
  scratch_window_.Reset(s.kind, Resolution::kMinute, window_start);
  scratch_window_.Add(value, ts);
  InsertOlder(s, scratch_window_, /*dirty=*/true);
  ++windows_in_memory_;
  ++stats_.windows_opened;
}

void RollupEngine::PushCurToOlder(State& s) {
  const uint32_t p = AllocOlder();
  EncodeOlder(p, s.cur);
  pool_[p].dirty = (s.flags & kCurDirty) != 0;
  pool_[p].next = s.older;
  s.older = p;
  s.flags &= ~kCurDirty;
}

void RollupEngine::InsertOlder(State& s, const RollupWindow& w, bool dirty) {
  const uint32_t p = AllocOlder();  // May move pool_: walk the list after.
  EncodeOlder(p, w);
  pool_[p].dirty = dirty;
  uint32_t* link = &s.older;
  while (*link != kNoOlder && pool_[*link].start() > w.start_ms()) link = &pool_[*link].next;
  pool_[p].next = *link;
  *link = p;
}

void RollupEngine::EncodeOlder(uint32_t index, const RollupWindow& w) {
  scratch_bytes_.clear();
  w.EncodeTo(&scratch_bytes_);
  static_assert(QuantileSketch::kMaxBuckets * 2 * 10 + 100 < 0xffff, "size fits 16 bits");
  OlderWindow& o = pool_[index];
  o.Assign(scratch_bytes_);
  o.start_minute = static_cast<int32_t>(w.start_ms() / kMinuteMs);
}

void RollupEngine::DecodeOlder(uint32_t index, RollupWindow* out) const {
  const OlderWindow& o = pool_[index];
  const Status st = RollupWindow::Decode(o.bytes(), Resolution::kMinute, o.start(), out);
  assert(st.ok());  // Encoded by this process: cannot fail.
  (void)st;
}

uint32_t RollupEngine::AllocOlder() {
  if (!free_pooled_.empty()) {
    const uint32_t p = free_pooled_.back();
    free_pooled_.pop_back();
    return p;
  }
  pool_.emplace_back();
  return static_cast<uint32_t>(pool_.size() - 1);
}

void RollupEngine::FreeOlder(uint32_t index) {
  OlderWindow& o = pool_[index];
  o.next = kNoOlder;
  o.dirty = false;
  o.Release();
  free_pooled_.push_back(index);
}

void RollupEngine::BuildFlush(int64_t now_ms, TickBatch* out) {
  out->Begin();
  const int64_t limit = CloseLimit(now_ms);
  const int64_t newest_closed = WindowStart(limit, Resolution::kMinute);
  if (newest_closed > closed_through_) {
    ScanForClosing(limit);
    closed_through_ = newest_closed;
  }
  for (uint32_t slot : dirty_) EmitSeries(slot, limit, out);
  dirty_.clear();
  out->Finish();
}

// Once per minute: every series holding a window that just closed joins the
// dirty list, so that this build writes the window closed.
void RollupEngine::ScanForClosing(int64_t close_limit) {
  for (uint32_t slot = 0; slot < slots_used_; ++slot) {
    State& s = At(slot);
    if (!(s.flags & kLive)) continue;
    bool closes = (s.flags & kHasCur) && s.cur.start_ms() <= close_limit;
    for (uint32_t p = s.older; !closes && p != kNoOlder; p = pool_[p].next) {
      closes = pool_[p].start() <= close_limit;
    }
    if (closes) MarkDirty(s, slot);
  }
}

void RollupEngine::EmitSeries(uint32_t slot, int64_t close_limit, TickBatch* out) {
  State& s = At(slot);
  s.flags &= ~kInDirtyList;
  if (!(s.flags & kLive)) return;
  const uint32_t index = out->AddSeries(SeriesUpdate{s.key, s.id, s.kind, s.last_value, s.last_ms},
                                        slot, s.generation);
  if (s.flags & kHasCur) {
    if (s.cur.start_ms() <= close_limit) {
      out->AddWindow(index, s.cur, /*open=*/false);
      s.flags &= ~kHasCur;
      --windows_in_memory_;
      ++stats_.windows_closed;
    } else if (s.flags & kCurDirty) {
      out->AddWindow(index, s.cur, /*open=*/true);
    }
    s.flags &= ~kCurDirty;
  }
  uint32_t* link = &s.older;
  while (*link != kNoOlder) {
    const uint32_t p = *link;
    OlderWindow& w = pool_[p];
    if (w.start() <= close_limit) {
      DecodeOlder(p, &scratch_window_);
      out->AddWindow(index, scratch_window_, /*open=*/false);
      *link = w.next;
      FreeOlder(p);
      --windows_in_memory_;
      ++stats_.windows_closed;
      continue;
    }
    if (w.dirty) {
      DecodeOlder(p, &scratch_window_);
      out->AddWindow(index, scratch_window_, /*open=*/true);
    }
    w.dirty = false;
    link = &w.next;
  }
  if (!(s.flags & kHasCur) && s.older == kNoOlder) Evict(slot);
}

void RollupEngine::Evict(uint32_t slot) {
  State& s = At(slot);
  table_.Erase(s.hash, slot);
  limiter_.Remove(s.key->tags());
  if (s.scope != KeyScopes::kNone) scopes_.Unref(s.scope);
  s.scope = KeyScopes::kNone;
  s.key.reset();
  s.cur = RollupWindow();  // Frees the sketch buffers: idle series cost nothing.
  s.flags = 0;
  ++s.generation;
  free_slots_.push_back(slot);
  ++stats_.series_evicted;
}

void RollupEngine::ApplyIds(const TickBatch& batch) {
  const std::vector<SeriesId>& ids = batch.result.ids;
  for (size_t i = 0; i < ids.size() && i < batch.slots.size(); ++i) {
    const uint32_t slot = batch.slots[i];
    if (slot >= slots_used_ || ids[i] == kNoSeriesId) continue;
    State& s = At(slot);
    if ((s.flags & kLive) && s.generation == batch.generations[i]) s.id = ids[i];
  }
}

size_t RollupEngine::ShedBacklog(int64_t now_ms) {
  if (windows_in_memory_ <= options_.max_windows) return 0;
  const int64_t limit = CloseLimit(now_ms);
  size_t shed = 0;
  for (uint32_t slot = 0; slot < slots_used_; ++slot) {
    State& s = At(slot);
    if (!(s.flags & kLive)) continue;
    size_t before = shed;
    if ((s.flags & kHasCur) && s.cur.start_ms() <= limit) {
      s.flags &= ~kHasCur;
      s.flags &= ~kCurDirty;
      ++shed;
    }
    uint32_t* link = &s.older;
    while (*link != kNoOlder) {
      const uint32_t p = *link;
      if (pool_[p].start() <= limit) {
        *link = pool_[p].next;
        FreeOlder(p);
        ++shed;
      } else {
        link = &pool_[p].next;
      }
    }
    // The next build writes its latest state and evicts it if it is empty.
    if (shed != before) MarkDirty(s, slot);
  }
  windows_in_memory_ -= shed;
  stats_.windows_shed += shed;
  return shed;
}

void RollupEngine::Resume(std::vector<OpenWindow> windows, int64_t now_ms) {
  (void)now_ms;  // Windows already closed are written closed by the first build.
  for (OpenWindow& ow : windows) {
    if (ow.window.resolution() != Resolution::kMinute || ow.window.empty()) continue;
    const SeriesKey& k = ow.series.key;
    const uint64_t hash = HashOfKey(k);
    const auto tag_count = static_cast<uint32_t>(k.tags().size());
    uint64_t tag_sum = 0;
    for (const Tag& t : k.tags()) tag_sum += HashTag(t.key, t.value);
    const uint64_t scope_hash = HashScope(HashHost(k.host()), tag_sum, tag_count);
    uint32_t scope = scopes_.Find(scope_hash, k.host(), tag_count, [&](auto&& fn) {
      for (const Tag& t : k.tags()) fn(TagView{t.key, t.value});
    });
    uint32_t slot = FindSlot(hash, scope, k.host(), k.name(), tag_count);
    if (slot == SeriesTable::kNone) {
      if (table_.size() >= options_.max_series) {
        Reject(RejectReason::kSeriesCap);
        continue;
      }
      if (!limiter_.Admits(k.tags())) {
        Reject(RejectReason::kTagValuesCap);
        continue;
      }
      std::shared_ptr<const SeriesKey> key;
      if (scope != KeyScopes::kNone) {
        auto shared = scopes_.proto(scope).WithName(k.name());
        if (shared.has_value()) key = std::make_shared<const SeriesKey>(std::move(shared).value());
      }
      if (key == nullptr) {
        key = std::make_shared<const SeriesKey>(std::move(ow.series.key));
        if (scope == KeyScopes::kNone) scope = scopes_.Add(scope_hash, key);
      }
      slot = InsertSeries(std::move(key), hash, ow.series.kind, scope);
    }
    State& s = At(slot);
    if (ow.series.id != kNoSeriesId) s.id = ow.series.id;
    if (ow.series.timestamp_ms >= s.last_ms) {
      s.last_ms = ow.series.timestamp_ms;
      s.last_value = ow.series.value;
    }
    if (ow.window.kind() != s.kind) continue;
    const int64_t start = ow.window.start_ms();
    if (!(s.flags & kHasCur) || start > s.cur.start_ms()) {
      if (s.flags & kHasCur) PushCurToOlder(s);
      s.cur = std::move(ow.window);
      s.flags |= kHasCur;
    } else {
      uint32_t p = s.older;
      while (p != kNoOlder && pool_[p].start() > start) p = pool_[p].next;
      if (start == CurStart(s) || (p != kNoOlder && pool_[p].start() == start)) {
        continue;  // The store holds one window per start: cannot happen.
      }
      InsertOlder(s, ow.window, /*dirty=*/false);
    }
    ++windows_in_memory_;
    ++stats_.resumed_windows;
  }
}

size_t RollupEngine::MemoryUsage() const {
  size_t n =
      chunks_.size() * HugePageBackedBytes(kChunkSize * sizeof(State)) + table_.MemoryUsage() +
      scopes_.MemoryUsage() + pool_.capacity() * sizeof(OlderWindow) +
      (free_slots_.capacity() + free_pooled_.capacity() + dirty_.capacity()) * sizeof(uint32_t);
  for (uint32_t slot = 0; slot < slots_used_; ++slot) {
    const State& s = At(slot);
    if (!(s.flags & kLive)) continue;
    n += s.cur.MemoryUsage() - sizeof(RollupWindow);
    // make_shared: one block holding the control block and the key; the
    // host and tags are the scope's (counted there) unless it has none.
    n += 16 + sizeof(SeriesKey) + s.key->OwnHeapBytes();
    if (s.scope == KeyScopes::kNone) n += s.key->SharedHeapBytes();
  }
  for (const OlderWindow& w : pool_) {
    if (w.bytes().size() > OlderWindow::kInline) n += w.bytes().size();
  }
  return n;
}

size_t RollupEngine::MappedBytes() const {
  return chunks_.size() * HugePageMappedBytes(kChunkSize * sizeof(State)) + table_.MappedBytes();
}

std::vector<RollupWindow> RollupEngine::WindowsForTest(const SeriesKey& key) const {
  std::vector<RollupWindow> out;
  const uint32_t slot = FindSlot(HashOfKey(key), KeyScopes::kNone, key.host(), key.name(),
                                 static_cast<uint32_t>(key.tags().size()));
  if (slot == SeriesTable::kNone) return out;
  const State& s = At(slot);
  if (s.flags & kHasCur) out.push_back(s.cur);
  for (uint32_t p = s.older; p != kNoOlder; p = pool_[p].next) {
    out.emplace_back();
    DecodeOlder(p, &out.back());
  }
  return out;
}

}  // namespace sonde::summarizer

#include "rollup_engine.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <string>
#include <utility>

#include "series_hash.h"

namespace sonde::summarizer {
namespace {

constexpr int64_t kNoWindow = std::numeric_limits<int64_t>::min();
// Markers in IngestGroup's window_start for samples rejected in pass 1.
constexpr int64_t kRejectedFuture = kNoWindow + 1;
constexpr int64_t kRejectedLate = kNoWindow + 2;
constexpr uint32_t kNoPooled = 0xffffffffu;
constexpr int64_t kMinuteMs = 60000;
constexpr uint32_t kChunkBits = 12;  // 4,096 states per slab chunk.
constexpr uint32_t kChunkSize = 1u << kChunkBits;

constexpr uint8_t kLive = 1;
constexpr uint8_t kInDirtyList = 2;
constexpr uint8_t kCurDirty = 4;

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

size_t StringHeap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

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

// A minute window that is not (or no longer) the newest of its series.
struct RollupEngine::PooledWindow {
  RollupWindow window;
  uint32_t next = kNoPooled;  // The next older window of the same series.
  bool dirty = false;         // Touched since the last flush.
};

// One series. Hot fields first: the hash, the current window's start and
// the window itself share the first cache lines.
struct RollupEngine::State {
  uint64_t hash = 0;
  std::shared_ptr<const SeriesKey> key;
  int64_t cur_start = kNoWindow;  // Start of `cur`, or kNoWindow when none.
  RollupWindow cur;               // The newest minute window.
  SeriesId id = kNoSeriesId;      // As the store gave it; kNoSeriesId until known.
  double last_value = 0;
  int64_t last_ms = std::numeric_limits<int64_t>::min();
  uint32_t older = kNoPooled;  // Older open windows, newest first.
  uint32_t generation = 0;     // Bumped at eviction.
  MetricKind kind = MetricKind::kGauge;
  uint8_t flags = 0;
};

RollupEngine::RollupEngine(EngineOptions options)
    : options_(options),
      table_([this](uint32_t slot) { return At(slot).hash; }),
      limiter_(options.max_tag_values),
      closed_through_(std::numeric_limits<int64_t>::min()) {
  assert(options_.Validate().ok());
}

RollupEngine::~RollupEngine() = default;

RollupEngine::State& RollupEngine::At(uint32_t slot) {
  return chunks_[slot >> kChunkBits][slot & (kChunkSize - 1)];
}
const RollupEngine::State& RollupEngine::At(uint32_t slot) const {
  return chunks_[slot >> kChunkBits][slot & (kChunkSize - 1)];
}

int64_t RollupEngine::CloseLimit(int64_t now_ms) const {
  return now_ms - kMinuteMs - options_.lateness.count();
}

uint32_t RollupEngine::FindSlot(uint64_t hash, std::string_view host, std::string_view name,
                                uint32_t tag_count) const {
  // The table matched 32 bits; the state has all 64. Host and name are
  // compared exactly; tags through the hash and their number
  // (docs/summarizer.md, "Series identity").
  return table_.Find(hash, [&](uint32_t slot) {
    const State& s = At(slot);
    return s.hash == hash && s.key->tags().size() == tag_count && s.key->name() == name &&
           s.key->host() == host;
  });
}

uint32_t RollupEngine::Ingest(const BatchView& batch, int64_t now_ms) {
  ++stats_.batches;
  BatchContext ctx;
  ctx.host_hash = HashHost(batch.source);
  for (const TagView& t : batch.tags) ctx.tag_sum += HashTag(t.key, t.value);
  ctx.tag_count = batch.tags.size();
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

// Samples go through in groups, in three passes, so that the cache misses
// of a group overlap instead of following one another (at a million series
// the table, the states and the keys are far out of cache):
//   1. time checks and hash; prefetch the table entry;
//   2. first table candidate; prefetch its state;
//   3. prefetch the candidate's key (verification reads it);
//   4. exact lookup (now in cache), create if new, add to the window.
uint32_t RollupEngine::IngestGroup(const BatchView& batch, size_t begin, size_t end,
                                   BatchContext* ctx) {
  struct Item {
    uint64_t hash;
    int64_t window_start;
    uint32_t tag_count;
    uint32_t candidate;
  };
  Item items[kGroup];
  const size_t count = end - begin;
  for (size_t j = 0; j < count; ++j) {
    const SampleView& sample = batch.samples[begin + j];
    Item& it = items[j];
    const int64_t ts = sample.timestamp_ms;
    it.candidate = SeriesTable::kNone;
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
    }
    it.hash = HashSeries(ctx->host_hash, sample.name, tag_sum, it.tag_count);
    table_.Prefetch(it.hash);
  }
  for (size_t j = 0; j < count; ++j) {
    Item& it = items[j];
    if (it.window_start <= kRejectedLate) continue;
    it.candidate = table_.FirstCandidate(it.hash);
    if (it.candidate != SeriesTable::kNone) __builtin_prefetch(&At(it.candidate));
  }
  for (size_t j = 0; j < count; ++j) {
    if (items[j].candidate == SeriesTable::kNone) continue;
    const State& s = At(items[j].candidate);
    if (s.key != nullptr) __builtin_prefetch(s.key.get());
  }
  uint32_t accepted = 0;
  for (size_t j = 0; j < count; ++j) {
    const SampleView& sample = batch.samples[begin + j];
    const Item& it = items[j];
    if (it.window_start == kRejectedFuture) {
      Reject(RejectReason::kFuture);
      continue;
    }
    if (it.window_start == kRejectedLate) {
      Reject(RejectReason::kLate);
      continue;
    }
    uint32_t slot = FindSlot(it.hash, batch.source, sample.name, it.tag_count);
    if (slot == SeriesTable::kNone) {
      slot = CreateSeries(batch, sample, it.hash, it.tag_count);
      if (slot == SeriesTable::kNone) continue;
    }
    State& s = At(slot);
    if (sample.kind != s.kind) {
      Reject(RejectReason::kKindMismatch);
      continue;
    }
    const int64_t ts = sample.timestamp_ms;
    if (it.window_start == s.cur_start) {
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
  return accepted;
}

void RollupEngine::MarkDirty(State& s, uint32_t slot) {
  if (s.flags & kInDirtyList) return;
  s.flags |= kInDirtyList;
  dirty_.push_back(slot);
}

uint32_t RollupEngine::CreateSeries(const BatchView& batch, const SampleView& sample, uint64_t hash,
                                    uint32_t tag_count) {
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
  Tags tags;
  tags.reserve(tag_count);
  ForEachMergedTag(batch.tags, sample.tags, [&](const TagView& t) {
    tags.push_back(Tag{std::string(t.key), std::string(t.value)});
  });
  auto key = SeriesKey::Make(std::string(batch.source), std::string(sample.name), std::move(tags));
  if (!key.has_value()) {
    Reject(RejectReason::kBadKey);
    return SeriesTable::kNone;
  }
  return InsertSeries(std::make_shared<const SeriesKey>(std::move(key).value()), hash, sample.kind);
}

uint32_t RollupEngine::InsertSeries(std::shared_ptr<const SeriesKey> key, uint64_t hash,
                                    MetricKind kind) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = slots_used_++;
    if ((slot >> kChunkBits) >= chunks_.size()) {
      chunks_.push_back(std::make_unique<State[]>(kChunkSize));
    }
  }
  State& s = At(slot);
  s.hash = hash;
  s.cur_start = kNoWindow;
  s.id = kNoSeriesId;
  s.last_value = 0;
  s.last_ms = std::numeric_limits<int64_t>::min();
  s.older = kNoPooled;
  s.kind = kind;
  s.flags = kLive;
  limiter_.Add(key->tags());
  s.key = std::move(key);
  table_.Insert(hash, slot);
  ++stats_.series_created;
  return slot;
}

// A sample for a minute other than the series' newest: a new minute (the
// newest moves to the pool), a late one still open, or the first window.
void RollupEngine::AddSlow(State& s, int64_t window_start, double value, int64_t ts) {
  if (s.cur_start == kNoWindow || window_start > s.cur_start) {
    if (s.cur_start != kNoWindow) {
      const uint32_t p = AllocPooled();
      std::swap(pool_[p].window, s.cur);  // The pooled buffers become cur's.
      pool_[p].dirty = (s.flags & kCurDirty) != 0;
      pool_[p].next = s.older;
      s.older = p;
    }
    s.cur.Reset(s.kind, Resolution::kMinute, window_start);
    s.cur_start = window_start;
    s.cur.Add(value, ts);
    s.flags |= kCurDirty;
    ++windows_in_memory_;
    ++stats_.windows_opened;
    return;
  }
  uint32_t* link = &s.older;
  while (*link != kNoPooled && pool_[*link].window.start_ms() > window_start) {
    link = &pool_[*link].next;
  }
  if (*link == kNoPooled || pool_[*link].window.start_ms() != window_start) {
    const uint32_t next = *link;
    const uint32_t p = AllocPooled();  // May move pool_: re-find the link.
    link = &s.older;
    while (*link != next) link = &pool_[*link].next;
    pool_[p].window.Reset(s.kind, Resolution::kMinute, window_start);
    pool_[p].next = next;
    *link = p;
    ++windows_in_memory_;
    ++stats_.windows_opened;
  }
  PooledWindow& w = pool_[*link];
  w.window.Add(value, ts);
  w.dirty = true;
}

uint32_t RollupEngine::AllocPooled() {
  if (!free_pooled_.empty()) {
    const uint32_t p = free_pooled_.back();
    free_pooled_.pop_back();
    return p;
  }
  pool_.emplace_back();
  return static_cast<uint32_t>(pool_.size() - 1);
}

void RollupEngine::FreePooled(uint32_t index) {
  pool_[index].next = kNoPooled;
  pool_[index].dirty = false;
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
    bool closes = s.cur_start != kNoWindow && s.cur_start <= close_limit;
    for (uint32_t p = s.older; !closes && p != kNoPooled; p = pool_[p].next) {
      closes = pool_[p].window.start_ms() <= close_limit;
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
  if (s.cur_start != kNoWindow) {
    if (s.cur_start <= close_limit) {
      out->AddWindow(index, s.cur, /*open=*/false);
      s.cur_start = kNoWindow;
      --windows_in_memory_;
      ++stats_.windows_closed;
    } else if (s.flags & kCurDirty) {
      out->AddWindow(index, s.cur, /*open=*/true);
    }
    s.flags &= ~kCurDirty;
  }
  uint32_t* link = &s.older;
  while (*link != kNoPooled) {
    const uint32_t p = *link;
    PooledWindow& w = pool_[p];
    if (w.window.start_ms() <= close_limit) {
      out->AddWindow(index, w.window, /*open=*/false);
      *link = w.next;
      FreePooled(p);
      --windows_in_memory_;
      ++stats_.windows_closed;
      continue;
    }
    if (w.dirty) out->AddWindow(index, w.window, /*open=*/true);
    w.dirty = false;
    link = &w.next;
  }
  if (s.cur_start == kNoWindow && s.older == kNoPooled) Evict(slot);
}

void RollupEngine::Evict(uint32_t slot) {
  State& s = At(slot);
  table_.Erase(s.hash, slot);
  limiter_.Remove(s.key->tags());
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
    if (s.cur_start != kNoWindow && s.cur_start <= limit) {
      s.cur_start = kNoWindow;
      s.flags &= ~kCurDirty;
      ++shed;
    }
    uint32_t* link = &s.older;
    while (*link != kNoPooled) {
      const uint32_t p = *link;
      if (pool_[p].window.start_ms() <= limit) {
        *link = pool_[p].next;
        FreePooled(p);
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
    auto key = std::make_shared<const SeriesKey>(std::move(ow.series.key));
    const uint64_t hash = HashOfKey(*key);
    uint32_t slot =
        FindSlot(hash, key->host(), key->name(), static_cast<uint32_t>(key->tags().size()));
    if (slot == SeriesTable::kNone) {
      if (table_.size() >= options_.max_series) {
        Reject(RejectReason::kSeriesCap);
        continue;
      }
      if (!limiter_.Admits(key->tags())) {
        Reject(RejectReason::kTagValuesCap);
        continue;
      }
      slot = InsertSeries(key, hash, ow.series.kind);
    }
    State& s = At(slot);
    if (ow.series.id != kNoSeriesId) s.id = ow.series.id;
    if (ow.series.timestamp_ms >= s.last_ms) {
      s.last_ms = ow.series.timestamp_ms;
      s.last_value = ow.series.value;
    }
    if (ow.window.kind() != s.kind) continue;
    const int64_t start = ow.window.start_ms();
    if (s.cur_start == kNoWindow || start > s.cur_start) {
      if (s.cur_start != kNoWindow) {
        const uint32_t p = AllocPooled();
        std::swap(pool_[p].window, s.cur);
        pool_[p].next = s.older;
        s.older = p;
      }
      s.cur = std::move(ow.window);
      s.cur_start = start;
    } else {
      uint32_t* link = &s.older;
      while (*link != kNoPooled && pool_[*link].window.start_ms() > start) {
        link = &pool_[*link].next;
      }
      if (start == s.cur_start || (*link != kNoPooled && pool_[*link].window.start_ms() == start)) {
        continue;  // The store holds one window per start: cannot happen.
      }
      const uint32_t next = *link;
      const uint32_t p = AllocPooled();
      link = &s.older;
      while (*link != next) link = &pool_[*link].next;
      pool_[p].window = std::move(ow.window);
      pool_[p].next = next;
      *link = p;
    }
    ++windows_in_memory_;
    ++stats_.resumed_windows;
  }
}

size_t RollupEngine::MemoryUsage() const {
  size_t n =
      chunks_.size() * kChunkSize * sizeof(State) + table_.MemoryUsage() +
      pool_.capacity() * sizeof(PooledWindow) +
      (free_slots_.capacity() + free_pooled_.capacity() + dirty_.capacity()) * sizeof(uint32_t);
  for (uint32_t slot = 0; slot < slots_used_; ++slot) {
    const State& s = At(slot);
    if (!(s.flags & kLive)) continue;
    n += s.cur.MemoryUsage() - sizeof(RollupWindow);
    // make_shared: one block holding the control block and the key.
    n += sizeof(SeriesKey) + 16 + StringHeap(s.key->host()) + StringHeap(s.key->name()) +
         s.key->tags().capacity() * sizeof(Tag);
    for (const Tag& t : s.key->tags()) n += StringHeap(t.key) + StringHeap(t.value);
  }
  for (const PooledWindow& w : pool_) n += w.window.MemoryUsage() - sizeof(RollupWindow);
  return n;
}

std::vector<RollupWindow> RollupEngine::WindowsForTest(const SeriesKey& key) const {
  std::vector<RollupWindow> out;
  const uint32_t slot =
      FindSlot(HashOfKey(key), key.host(), key.name(), static_cast<uint32_t>(key.tags().size()));
  if (slot == SeriesTable::kNone) return out;
  const State& s = At(slot);
  if (s.cur_start != kNoWindow) out.push_back(s.cur);
  for (uint32_t p = s.older; p != kNoPooled; p = pool_[p].next) out.push_back(pool_[p].window);
  return out;
}

}  // namespace sonde::summarizer

// KeyScopes: the distinct (host, tag set) pairs among the series in memory.
// Each scope holds one SeriesKey, its prototype; the keys of the scope's
// series are made from it with SeriesKey::WithName, so a host's series share
// one copy of the host name and tags instead of holding one each
// (docs/summarizer.md, "Memory").
//
// A scope also makes lookups exact and cheap: a batch's (host, batch tags)
// is resolved to its scope once per batch, and a series found in the table
// matches on the scope id and the name, without reading the host or tags.
//
// Scopes are counted by the series that use them (Ref/Unref): the last
// series evicted frees its scope.
//
// Thread-safety: none (the engine's loop thread).
#ifndef SONDE_SUMMARIZER_KEY_SCOPES_H_
#define SONDE_SUMMARIZER_KEY_SCOPES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sonde/sample.h"
#include "sonde/series_key.h"

namespace sonde::summarizer {

class KeyScopes {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  // The scope stored under `hash` (HashScope of host and tags) whose host is
  // `host` and whose tags are exactly those `for_each_tag(fn)` passes to fn
  // as TagViews (tag_count of them, unique keys, any order); kNone if none.
  template <typename ForEachTag>
  uint32_t Find(uint64_t hash, std::string_view host, uint32_t tag_count,
                ForEachTag&& for_each_tag) const {
    const auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) return kNone;
    const SeriesKey& proto = *scopes_[it->second].proto;
    if (proto.host() != host || proto.tags().size() != tag_count) return kNone;
    bool same = true;
    for_each_tag([&](const TagView& t) {
      if (same) same = proto.FindTag(t.key) == std::optional<std::string_view>(t.value);
    });
    return same ? it->second : kNone;
  }

  // Adds a scope with `proto`'s host and tags under `hash`, with no
  // references yet. Returns its id, or kNone when another scope holds the
  // hash (a 64-bit collision: the caller then goes without a scope).
  uint32_t Add(uint64_t hash, std::shared_ptr<const SeriesKey> proto);

  // REQUIRES: id is a live scope.
  const SeriesKey& proto(uint32_t id) const { return *scopes_[id].proto; }
  void Ref(uint32_t id) { ++scopes_[id].refs; }

  // The slots that the scope's last batch resolved, by sample position
  // (SeriesTable::kNone where unknown). Emitters send the same metrics in
  // the same order every time, so the engine tries the slot at a sample's
  // position before the table (it verifies the slot: a memo is only a hint).
  // REQUIRES: id is a live scope. The reference is invalidated by Add.
  std::vector<uint32_t>& memo(uint32_t id) { return scopes_[id].memo; }
  // Frees the scope when its last reference goes.
  void Unref(uint32_t id);

  size_t size() const { return by_hash_.size(); }
  // Bytes held, the shared host and tags blocks included (estimated).
  size_t MemoryUsage() const;

 private:
  struct Scope {
    uint64_t hash = 0;
    std::shared_ptr<const SeriesKey> proto;  // Null: free.
    uint32_t refs = 0;
    std::vector<uint32_t> memo;
  };

  std::vector<Scope> scopes_;
  std::vector<uint32_t> free_;
  std::unordered_map<uint64_t, uint32_t> by_hash_;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_KEY_SCOPES_H_

#include "key_scopes.h"

#include <cassert>
#include <utility>

namespace sonde::summarizer {

uint32_t KeyScopes::Add(uint64_t hash, std::shared_ptr<const SeriesKey> proto) {
  if (by_hash_.count(hash) != 0) return kNone;
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(scopes_.size());
    scopes_.emplace_back();
  }
  scopes_[id] = Scope{hash, std::move(proto), 0, {}};
  by_hash_.emplace(hash, id);
  return id;
}

void KeyScopes::Unref(uint32_t id) {
  Scope& s = scopes_[id];
  assert(s.refs > 0);
  if (--s.refs != 0) return;
  by_hash_.erase(s.hash);
  s.proto.reset();
  s.memo = std::vector<uint32_t>();  // Frees it.
  free_.push_back(id);
}

size_t KeyScopes::MemoryUsage() const {
  // An unordered_map node: the pair, the next pointer and the cached hash.
  size_t n = scopes_.capacity() * sizeof(Scope) + free_.capacity() * sizeof(uint32_t) +
             by_hash_.bucket_count() * sizeof(void*) + by_hash_.size() * 32;
  for (const Scope& s : scopes_) {
    n += s.memo.capacity() * sizeof(uint32_t);
    if (s.proto) n += 16 + sizeof(SeriesKey) + s.proto->OwnHeapBytes() + s.proto->SharedHeapBytes();
  }
  return n;
}

}  // namespace sonde::summarizer

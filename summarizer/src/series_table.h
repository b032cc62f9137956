// SeriesTable: an open-addressing hash table from a series hash to a slot
// number (the series' index in the engine's slab). Linear probing; each
// entry is 8 bytes (32 bits of the hash to filter probes, the slot + 1), so
// a probe usually touches one cache line. Deletion shifts entries back
// (no tombstones). The caller verifies a candidate against the full hash
// and key: this table only narrows the search.
//
// Thread-safety: none (the engine's loop thread).
#ifndef SONDE_SUMMARIZER_SERIES_TABLE_H_
#define SONDE_SUMMARIZER_SERIES_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>

namespace sonde::summarizer {

class SeriesTable {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  // `hash_of_slot` returns the hash a stored slot was inserted under; it is
  // called only when the table grows or an erase shifts entries back.
  explicit SeriesTable(std::function<uint64_t(uint32_t)> hash_of_slot,
                       size_t initial_capacity = 1024);
  ~SeriesTable();
  SeriesTable(const SeriesTable&) = delete;
  SeriesTable& operator=(const SeriesTable&) = delete;

  // Calls `match(slot)` for each slot stored under `hash` until it returns
  // true; returns that slot, or kNone.
  template <typename Match>
  [[gnu::always_inline]] uint32_t Find(uint64_t hash, Match&& match) const {
    const uint32_t tag = Tag(hash);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Entry e = entries_[i];
      if (e.slot_plus_1 == 0) return kNone;
      if (e.tag == tag && match(e.slot_plus_1 - 1)) return e.slot_plus_1 - 1;
    }
  }

  // The first slot stored under a hash whose 32-bit tag matches, or kNone:
  // a likely match, to prefetch before the exact Find.
  uint32_t FirstCandidate(uint64_t hash) const {
    const uint32_t tag = Tag(hash);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Entry e = entries_[i];
      if (e.slot_plus_1 == 0) return kNone;
      if (e.tag == tag) return e.slot_plus_1 - 1;
    }
  }

  // Hints the CPU to load the first entry `hash` probes.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&entries_[hash & mask_]); }

  // Adds slot under hash. REQUIRES: not already present.
  void Insert(uint64_t hash, uint32_t slot);

  // Removes slot stored under hash; false when it is not there.
  bool Erase(uint64_t hash, uint32_t slot);

  size_t size() const { return size_; }
  size_t capacity() const { return mask_ + 1; }
  // Bytes held (huge-page backed memory is not seen by malloc statistics).
  size_t MemoryUsage() const;
  size_t MappedBytes() const;  // The part of MemoryUsage malloc does not see.

 private:
  struct Entry {
    uint32_t tag = 0;
    uint32_t slot_plus_1 = 0;  // 0: empty.
  };
  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }
  // Zeroed entries, huge-page backed when big (huge_pages.h); Entry{} is
  // all zero bytes.
  static Entry* AllocateEntries(size_t n);
  void Grow();

  std::function<uint64_t(uint32_t)> hash_of_slot_;
  Entry* entries_;
  size_t mask_;
  size_t size_ = 0;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_SERIES_TABLE_H_

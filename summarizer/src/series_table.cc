#include "series_table.h"

#include <bit>
#include <cassert>

#include "huge_pages.h"

namespace sonde::summarizer {

SeriesTable::SeriesTable(std::function<uint64_t(uint32_t)> hash_of_slot, size_t initial_capacity)
    : hash_of_slot_(std::move(hash_of_slot)) {
  const size_t cap = std::bit_ceil(initial_capacity < 16 ? size_t{16} : initial_capacity);
  entries_ = AllocateEntries(cap);
  mask_ = cap - 1;
}

SeriesTable::~SeriesTable() { FreeHugePageBacked(entries_, capacity() * sizeof(Entry)); }

SeriesTable::Entry* SeriesTable::AllocateEntries(size_t n) {
  return static_cast<Entry*>(AllocateHugePageBacked(n * sizeof(Entry)));  // Zeroed: empty.
}

size_t SeriesTable::MemoryUsage() const { return HugePageBackedBytes(capacity() * sizeof(Entry)); }
size_t SeriesTable::MappedBytes() const { return HugePageMappedBytes(capacity() * sizeof(Entry)); }

void SeriesTable::Insert(uint64_t hash, uint32_t slot) {
  // Load factor at most 1/2: probes stay short and an empty entry ends them.
  if ((size_ + 1) * 2 > capacity()) Grow();
  size_t i = hash & mask_;
  while (entries_[i].slot_plus_1 != 0) i = (i + 1) & mask_;
  entries_[i] = Entry{Tag(hash), slot + 1};
  ++size_;
}

bool SeriesTable::Erase(uint64_t hash, uint32_t slot) {
  size_t i = hash & mask_;
  for (;; i = (i + 1) & mask_) {
    if (entries_[i].slot_plus_1 == 0) return false;
    if (entries_[i].slot_plus_1 == slot + 1) break;
  }
  // Backward-shift deletion: move later entries of the cluster into the hole
  // when the hole lies between their home position and where they sit.
  size_t hole = i;
  for (size_t j = (hole + 1) & mask_; entries_[j].slot_plus_1 != 0; j = (j + 1) & mask_) {
    const size_t home = hash_of_slot_(entries_[j].slot_plus_1 - 1) & mask_;
    const bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      entries_[hole] = entries_[j];
      hole = j;
    }
  }
  entries_[hole] = Entry{};
  --size_;
  return true;
}

void SeriesTable::Grow() {
  Entry* old = entries_;
  const size_t old_capacity = capacity();
  entries_ = AllocateEntries(old_capacity * 2);
  mask_ = old_capacity * 2 - 1;
  for (size_t k = 0; k < old_capacity; ++k) {
    const Entry e = old[k];
    if (e.slot_plus_1 == 0) continue;
    size_t i = hash_of_slot_(e.slot_plus_1 - 1) & mask_;
    while (entries_[i].slot_plus_1 != 0) i = (i + 1) & mask_;
    entries_[i] = e;
  }
  FreeHugePageBacked(old, old_capacity * sizeof(Entry));
}

}  // namespace sonde::summarizer

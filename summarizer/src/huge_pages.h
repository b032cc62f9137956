// Big, long-lived arrays (the series table, the slab of series states)
// backed by 2 MiB pages where the kernel allows it (transparent huge pages in
// "madvise" mode): at a million series these arrays are hundreds of MiB read
// at random, and with 4 KiB pages nearly every sample would also miss the
// TLB. Big ones are mapped directly (count them with HugePageBackedBytes:
// malloc's statistics do not see them); the madvise is a hint, and its
// failure only costs speed.
//
// Thread-safety: pure functions.
#ifndef SONDE_SUMMARIZER_HUGE_PAGES_H_
#define SONDE_SUMMARIZER_HUGE_PAGES_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace sonde::summarizer {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// Whether an allocation is mapped for huge pages: from half a huge page up
// (the engine's slab chunks fill one huge page all but a few bytes).
inline bool IsHugePageBacked(size_t bytes) { return bytes >= kHugePageBytes / 2; }

// At least `bytes` of zeroed memory, 64-byte aligned; from a fresh
// 2 MiB-aligned mapping advised for huge pages when IsHugePageBacked (malloc would hand back heap memory already faulted in 4 KiB pages).
// Free with FreeHugePageBacked and the same `bytes`.
inline void* AllocateHugePageBacked(size_t bytes) {
  if (!IsHugePageBacked(bytes)) {
    void* p = std::calloc(1, bytes);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  const size_t rounded = (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  // Map one huge page more than needed and trim to an aligned range.
  void* m = mmap(nullptr, rounded + kHugePageBytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  const auto base = reinterpret_cast<uintptr_t>(m);
  const uintptr_t aligned = (base + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  if (aligned > base) munmap(m, aligned - base);
  const size_t tail = base + rounded + kHugePageBytes - (aligned + rounded);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + rounded), tail);
  auto* p = reinterpret_cast<void*>(aligned);
  (void)madvise(p, rounded, MADV_HUGEPAGE);  // A hint: failing only costs speed.
  return p;
}

inline void FreeHugePageBacked(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (!IsHugePageBacked(bytes)) {
    std::free(p);
    return;
  }
  munmap(p, (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1));
}

// Bytes an allocation of `bytes` really holds (for memory accounting), and
// the part of them mapped directly, which malloc statistics do not see.
inline size_t HugePageBackedBytes(size_t bytes) {
  return IsHugePageBacked(bytes) ? (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1) : bytes;
}
inline size_t HugePageMappedBytes(size_t bytes) {
  return IsHugePageBacked(bytes) ? HugePageBackedBytes(bytes) : 0;
}

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_HUGE_PAGES_H_

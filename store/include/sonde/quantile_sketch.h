// QuantileSketch: a mergeable quantile sketch with a guaranteed relative
// error (DDSketch-style logarithmic buckets), small enough to keep one per
// active series and rollup window.
//
// Guarantee. Let x be the true q-quantile of the values added, by nearest
// rank: the element of 1-based rank max(1, ceil(q * count)) in sorted order
// (so p99 of ten values is the largest, and Quantile(0) the smallest; the
// poller's fleet report uses the same definition). Quantile(q) returns x'
// with |x' - x| <= kRelativeAccuracy * |x| (2%) whenever |x| lies in the
// kept range of its sign: at least kMinIndexable (values closer to zero are
// counted as exactly 0 and returned as 0) and not below a collapsed bucket
// (see "Bounded size"). The guarantee survives Merge and
// serialization: merging two sketches gives exactly the sketch of all the
// values.
//
// Buckets. Value v > 0 falls in bucket floor(M * L(v)), where L is a cubic
// interpolation of log2 (exact at powers of two, monotone) and M is chosen
// so that every bucket's upper bound is at most gamma = (1+a)/(1-a) times its
// lower bound (a = kRelativeAccuracy). A bucket reports the value whose
// relative distance to both bounds is at most a. Negative values use a
// mirror set of buckets on |v|. About 17.5 buckets cover each doubling.
//
// Bounded size. Each sign keeps at most kMaxBuckets contiguous buckets (a
// span of about 2^29, e.g. 1 us to 9 minutes). When a value or a merge
// would widen the span beyond that, the buckets nearest zero are folded into
// the lowest kept one (collapsed() becomes true): quantiles that fall there
// are over-estimated, while the upper quantiles that matter for latency keep
// the guarantee. Counters are packed in 1, 2, 4 or 8 bytes each, widened
// only when a bucket overflows, so a window of a quiet gauge costs a few
// bytes and a busy latency series a few hundred (see docs/storage.md).
//
// Memory. sizeof(QuantileSketch) is 64 bytes plus one heap block per sign
// that has values. Add() allocates only when a value falls outside the
// buckets already allocated or a counter overflows its width; once the
// range of a series is seen, Add() and Clear() + Add() never allocate.
//
// Thread-safety: a value type. Const methods may run concurrently; anything
// else needs external synchronization.
#ifndef SONDE_QUANTILE_SKETCH_H_
#define SONDE_QUANTILE_SKETCH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "sonde/status.h"

namespace sonde {

class QuantileSketch {
 public:
  // The guaranteed relative error of Quantile() (see above).
  static constexpr double kRelativeAccuracy = 0.02;
  // Buckets kept per sign before the ones nearest zero are collapsed.
  static constexpr int kMaxBuckets = 512;
  // Magnitudes below this (the smallest normal double) count as 0.
  static constexpr double kMinIndexable = 2.2250738585072014e-308;

  QuantileSketch() = default;
  ~QuantileSketch();
  QuantileSketch(const QuantileSketch& other);
  // Reuses this sketch's buffers when they are large enough.
  QuantileSketch& operator=(const QuantileSketch& other);
  QuantileSketch(QuantileSketch&& other) noexcept;
  QuantileSketch& operator=(QuantileSketch&& other) noexcept;

  // Adds one value. REQUIRES: value is finite (NaN and infinities are
  // ignored in release builds and assert in debug builds).
  void Add(double value);
  // Adds `n` copies of a value. REQUIRES: value is finite.
  void Add(double value, uint64_t n);

  // Adds every value of `other`; afterwards this sketch equals the sketch of
  // both inputs' values (collapsing included).
  void Merge(const QuantileSketch& other);

  // The q-quantile (q clamped to [0, 1]) within kRelativeAccuracy (see the
  // guarantee above). Returns NaN when the sketch is empty or q is NaN.
  double Quantile(double q) const;

  uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Values counted as 0 (|v| < kMinIndexable).
  uint64_t zero_count() const { return zero_count_; }
  // True when buckets nearest zero were folded (see "Bounded size").
  bool collapsed() const { return positive_.collapsed() || negative_.collapsed(); }

  // Hints the CPU to load the first buckets Add() would update (for callers
  // that overlap the cache misses of many sketches). Changes nothing.
  void PrefetchBuckets(double value) const {
    __builtin_prefetch(value < 0 ? negative_.data() : positive_.data());
  }

  // Forgets every value but keeps the allocated buckets for reuse.
  void Clear();

  // Bytes this sketch occupies: sizeof(*this) plus its heap blocks.
  size_t MemoryUsage() const;

  // Appends the compact serialized form (docs/storage.md, "Sketch").
  void EncodeTo(std::string* out) const;

  // Decodes a sketch from the front of *input and consumes it. Strict: on
  // damaged bytes (truncation, an unknown mapping, a span or index out of
  // range, a count overflow, a zero count at either end of a span) returns
  // Corruption and leaves *out empty. Never reads outside *input.
  static Status DecodeFrom(std::string_view* input, QuantileSketch* out);
  // As DecodeFrom, but the whole of `input` must be one sketch.
  static Status Decode(std::string_view input, QuantileSketch* out);

  // Logical equality: the same counts in the same buckets (capacity and
  // counter width are ignored).
  bool operator==(const QuantileSketch& other) const;

  // The bucket a positive value maps to, and the value a bucket reports.
  // Exposed for tests.
  static int32_t BucketIndex(double magnitude);
  static double BucketValue(int32_t index);
  static int32_t MinIndex();  // BucketIndex(kMinIndexable)
  static int32_t MaxIndex();  // BucketIndex(DBL_MAX)

 private:
  // Counts for a contiguous run of bucket indices, packed at 1 << width_log2_
  // bytes each in one heap block. See quantile_sketch.cc.
  class Buckets {
   public:
    Buckets() = default;
    ~Buckets();
    Buckets(const Buckets& other);
    Buckets& operator=(const Buckets& other);
    Buckets(Buckets&& other) noexcept;
    Buckets& operator=(Buckets&& other) noexcept;

    void Add(int32_t index, uint64_t n);
    void Merge(const Buckets& other);
    void Clear();
    bool empty() const { return lo_ > hi_; }
    bool collapsed() const { return collapsed_; }
    void set_collapsed(bool c) { collapsed_ = c; }
    int32_t lowest() const { return base_ + lo_; }   // REQUIRES: !empty().
    int32_t highest() const { return base_ + hi_; }  // REQUIRES: !empty().
    uint64_t Get(int32_t index) const;               // 0 outside the kept range.
    uint64_t Total() const;
    size_t HeapBytes() const { return static_cast<size_t>(capacity_) << width_log2_; }
    const uint8_t* data() const { return data_; }
    bool operator==(const Buckets& other) const;
    // Makes [lo, hi] addressable, collapsing beyond kMaxBuckets; returns the
    // lowest index that may now be added to (lower ones are clamped to it).
    int32_t Reserve(int32_t lo, int32_t hi);
    // Replaces the contents with counts[0, n) for indices lowest.. (sized
    // exactly). REQUIRES: 0 < n <= kMaxBuckets, counts[0] and counts[n-1] > 0.
    void Assign(int32_t lowest, const uint64_t* counts, uint32_t n);

   private:
    uint64_t Load(uint32_t rel) const;
    void Store(uint32_t rel, uint64_t v);
    void AddSlow(int32_t index, uint64_t n);
    void Relayout(int32_t new_lo, int32_t new_hi, uint32_t capacity, uint8_t width_log2);
    void Widen(uint64_t needed);

    uint8_t* data_ = nullptr;
    int32_t base_ = 0;        // Bucket index stored at data_[0].
    uint16_t capacity_ = 0;   // Buckets allocated.
    uint16_t lo_ = 0xffff;    // Lowest occupied bucket, relative to base_.
    uint16_t hi_ = 0;         // Highest occupied bucket; empty when lo_ > hi_.
    uint8_t width_log2_ = 0;  // Counters are 1 << width_log2_ bytes.
    bool collapsed_ = false;
  };

  void AddN(double value, uint64_t n);
  void EncodeBuckets(const Buckets& b, bool sparse, std::string* out) const;
  static std::pair<size_t, size_t> EncodedSizes(const Buckets& b);
  static Status DecodeBuckets(std::string_view* in, bool sparse, Buckets* b, uint64_t* total);
  static Status ReadSparseCounts(std::string_view* in, int64_t first, uint32_t listed,
                                 uint64_t* counts, uint32_t* span);

  Buckets positive_;
  Buckets negative_;  // Indexed by |v|.
  uint64_t zero_count_ = 0;
  uint64_t count_ = 0;
};

}  // namespace sonde

#endif  // SONDE_QUANTILE_SKETCH_H_

#include "sonde/quantile_sketch.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include "coding.h"

namespace sonde {
namespace {

using store_internal::GetByte;
using store_internal::GetVarint64;
using store_internal::PutVarint64;
using store_internal::ZigZagDecode;
using store_internal::ZigZagEncode;

// L(v) = e + P(s) for v = 2^e * (1 + s): P is the cubic that the DDSketch
// authors fit to log2(1 + s) on [0, 1) (P(0) = 0, P(1) = 1, monotone).
constexpr double kA = 6.0 / 35.0;
constexpr double kB = -3.0 / 5.0;
constexpr double kC = 10.0 / 7.0;

// d(ln v)/dL = 1 / ((1 + s) P'(s)), whose maximum over [0, 1) is 7/10 (at
// s = 0 and s = 2/3). A bucket spans 1/M in L, hence at most 0.7/M in ln v;
// that must not exceed ln(gamma). The tiny extra factor keeps a value that
// rounding puts in a neighbouring bucket within the stated error.
const double kGamma =
    (1 + QuantileSketch::kRelativeAccuracy) / (1 - QuantileSketch::kRelativeAccuracy);
const double kMultiplier = 0.7 / std::log(kGamma) * (1 + 1e-7);

// Identifies the mapping (cubic, 2%) in the serialized form, so that a
// sketch written by a build with other buckets is refused, not misread.
constexpr uint8_t kMappingId = 1;

// Serialized flags (docs/storage.md, "Sketch").
constexpr uint8_t kFlagPositiveCollapsed = 0x01;
constexpr uint8_t kFlagNegativeCollapsed = 0x02;
constexpr uint8_t kFlagSparse = 0x04;  // Buckets listed as (gap, count) pairs.
constexpr uint8_t kKnownFlags = 0x07;

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

constexpr uint64_t kWidthMax[4] = {0xff, 0xffff, 0xffffffff, std::numeric_limits<uint64_t>::max()};

uint8_t WidthFor(uint64_t v) {
  uint8_t w = 0;
  while (v > kWidthMax[w]) ++w;
  return w;
}

// The inverse of L on one octave: s in [0, 1) with P(s) = f (Cardano's
// formula for the one real root, polished by a Newton step).
double SolveP(double f) {
  const double d0 = kB * kB - 3 * kA * kC;
  const double d1 = 2 * kB * kB * kB - 9 * kA * kB * kC - 27 * kA * kA * f;
  const double p = std::cbrt((d1 - std::sqrt(d1 * d1 - 4 * d0 * d0 * d0)) / 2);
  double s = -(kB + p + d0 / p) / (3 * kA);
  const double err = ((kA * s + kB) * s + kC) * s - f;
  s -= err / ((3 * kA * s + 2 * kB) * s + kC);
  return std::clamp(s, 0.0, 1.0);
}

double InverseL(double l) {
  const double e = std::floor(l);
  return std::ldexp(1 + SolveP(l - e), static_cast<int>(e));
}

bool IsFinite(double v) { return std::isfinite(v); }

// The hot path of Add(): a few bit operations and a cubic, no libm call.
[[gnu::always_inline]] inline int32_t IndexOf(double magnitude) {
  assert(magnitude >= QuantileSketch::kMinIndexable && magnitude <= DBL_MAX);
  const uint64_t bits = std::bit_cast<uint64_t>(magnitude);
  const int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  const double s =
      std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL) - 1.0;
  const double t = (e + ((kA * s + kB) * s + kC) * s) * kMultiplier;
  int32_t i = static_cast<int32_t>(t);
  if (t < i) --i;  // floor() without a libm call.
  return i;
}

[[gnu::always_inline]] inline uint64_t LoadCounter(const uint8_t* data, uint8_t width_log2,
                                                   uint32_t rel) {
  const uint8_t* p = data + (static_cast<size_t>(rel) << width_log2);
  switch (width_log2) {
    case 0:
      return *p;
    case 1: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 2: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

[[gnu::always_inline]] inline void StoreCounter(uint8_t* data, uint8_t width_log2, uint32_t rel,
                                                uint64_t v) {
  uint8_t* p = data + (static_cast<size_t>(rel) << width_log2);
  switch (width_log2) {
    case 0:
      *p = static_cast<uint8_t>(v);
      break;
    case 1: {
      const uint16_t x = static_cast<uint16_t>(v);
      std::memcpy(p, &x, 2);
      break;
    }
    case 2: {
      const uint32_t x = static_cast<uint32_t>(v);
      std::memcpy(p, &x, 4);
      break;
    }
    default:
      std::memcpy(p, &v, 8);
  }
}

uint8_t* AllocateCounters(uint32_t capacity, uint8_t width_log2) {
  auto* p = static_cast<uint8_t*>(std::calloc(capacity, size_t{1} << width_log2));
  if (p == nullptr) throw std::bad_alloc();  // As operator new would.
  return p;
}

}  // namespace

int32_t QuantileSketch::BucketIndex(double magnitude) { return IndexOf(magnitude); }

double QuantileSketch::BucketValue(int32_t index) {
  const double lo = InverseL(index / kMultiplier);
  const double hi = InverseL((index + 1) / kMultiplier);
  // 2 lo hi / (lo + hi), written so that hi = inf (the top bucket) is finite.
  const double v = 2 * lo / (1 + lo / hi);
  return std::min(v, DBL_MAX);
}

int32_t QuantileSketch::MinIndex() {
  static const int32_t i = BucketIndex(kMinIndexable);
  return i;
}

int32_t QuantileSketch::MaxIndex() {
  static const int32_t i = BucketIndex(DBL_MAX);
  return i;
}

// ---- Buckets ----------------------------------------------------------------

QuantileSketch::Buckets::~Buckets() { std::free(data_); }

QuantileSketch::Buckets::Buckets(const Buckets& other) { *this = other; }

QuantileSketch::Buckets& QuantileSketch::Buckets::operator=(const Buckets& other) {
  if (this == &other) return *this;
  Clear();
  collapsed_ = other.collapsed_;
  if (other.empty()) return *this;
  const int32_t lo = other.lowest();
  const int32_t hi = other.highest();
  const uint32_t need = static_cast<uint32_t>(hi - lo + 1);
  if (capacity_ < need || width_log2_ < other.width_log2_) {
    // Copies are sized to the occupied span: batches hold many of them.
    Relayout(lo, hi, need, std::max(width_log2_, other.width_log2_));
  } else if (lo < base_ || hi >= base_ + capacity_) {
    Relayout(lo, hi, capacity_, width_log2_);
  }
  for (int32_t i = lo; i <= hi; ++i) {
    Store(static_cast<uint32_t>(i - base_), other.Load(static_cast<uint32_t>(i - other.base_)));
  }
  lo_ = static_cast<uint16_t>(lo - base_);
  hi_ = static_cast<uint16_t>(hi - base_);
  return *this;
}

QuantileSketch::Buckets::Buckets(Buckets&& other) noexcept { *this = std::move(other); }

QuantileSketch::Buckets& QuantileSketch::Buckets::operator=(Buckets&& other) noexcept {
  if (this == &other) return *this;
  std::free(data_);
  data_ = std::exchange(other.data_, nullptr);
  base_ = other.base_;
  capacity_ = std::exchange(other.capacity_, 0);
  lo_ = std::exchange(other.lo_, 0xffff);
  hi_ = std::exchange(other.hi_, 0);
  width_log2_ = std::exchange(other.width_log2_, 0);
  collapsed_ = std::exchange(other.collapsed_, false);
  return *this;
}

[[gnu::always_inline]] inline uint64_t QuantileSketch::Buckets::Load(uint32_t rel) const {
  return LoadCounter(data_, width_log2_, rel);
}

[[gnu::always_inline]] inline void QuantileSketch::Buckets::Store(uint32_t rel, uint64_t v) {
  StoreCounter(data_, width_log2_, rel, v);
}

[[gnu::always_inline]] inline void QuantileSketch::Buckets::Add(int32_t index, uint64_t n) {
  const int64_t rel = static_cast<int64_t>(index) - base_;
  if (rel < 0 || rel >= capacity_) return AddSlow(index, n);
  const uint32_t r = static_cast<uint32_t>(rel);
  const uint64_t v = Load(r) + n;
  if (v > kWidthMax[width_log2_]) Widen(v);  // Keeps base_: r stays valid.
  Store(r, v);
  if (r < lo_) lo_ = static_cast<uint16_t>(r);
  if (r > hi_) hi_ = static_cast<uint16_t>(r);
}

void QuantileSketch::Buckets::AddSlow(int32_t index, uint64_t n) {
  const int32_t floor = Reserve(index, index);
  Add(std::max(index, floor), n);
}

int32_t QuantileSketch::Buckets::Reserve(int32_t lo, int32_t hi) {
  const bool was_empty = empty();
  if (!was_empty) {
    lo = std::min(lo, lowest());
    hi = std::max(hi, highest());
  }
  uint64_t folded = 0;
  if (static_cast<int64_t>(hi) - lo + 1 > kMaxBuckets) {
    const int32_t floor = hi - kMaxBuckets + 1;
    collapsed_ = true;
    if (!was_empty && lowest() < floor) {
      // Fold everything below the new floor; it is re-added at the floor.
      const int32_t last = std::min(highest(), floor - 1);
      for (int32_t i = lowest(); i <= last; ++i) {
        const uint32_t r = static_cast<uint32_t>(i - base_);
        folded += Load(r);
        Store(r, 0);
      }
      if (highest() < floor) {
        lo_ = 0xffff;
        hi_ = 0;
      } else {
        int32_t first = floor;
        while (Load(static_cast<uint32_t>(first - base_)) == 0) ++first;
        lo_ = static_cast<uint16_t>(first - base_);
      }
    }
    lo = floor;
  }
  if (capacity_ == 0 || lo < base_ || hi >= base_ + capacity_) {
    const uint32_t need = static_cast<uint32_t>(hi - lo + 1);
    uint32_t cap = capacity_;
    if (need > cap) {
      // Some slack so that a range widening one bucket at a time does not
      // reallocate on every step; blocks are rounded to 8 bytes.
      cap = std::min<uint32_t>(kMaxBuckets, need + std::max<uint32_t>(4, need / 8));
      const uint32_t bytes = ((cap << width_log2_) + 7) & ~7u;
      cap = std::min<uint32_t>(kMaxBuckets, bytes >> width_log2_);
    }
    Relayout(lo, hi, cap, width_log2_);
  }
  if (folded > 0) Add(lo, folded);
  return lo;
}

void QuantileSketch::Buckets::Relayout(int32_t new_lo, int32_t new_hi, uint32_t capacity,
                                       uint8_t width_log2) {
  assert(new_hi >= new_lo && static_cast<uint32_t>(new_hi - new_lo + 1) <= capacity);
  const int32_t slack = static_cast<int32_t>(capacity - (new_hi - new_lo + 1));
  const int32_t new_base = new_lo - slack / 2;
  const bool realloc = capacity != capacity_ || width_log2 != width_log2_;
  uint8_t* dst = data_;
  if (realloc) dst = AllocateCounters(capacity, width_log2);
  if (!empty()) {
    const int32_t from = lowest();
    const int32_t to = highest();
    assert(from >= new_lo && to <= new_hi);
    if (!realloc) {
      // Same block: move the occupied bytes, then clear what they left.
      const size_t w = size_t{1} << width_log2_;
      const size_t n = static_cast<size_t>(to - from + 1) * w;
      uint8_t* src = data_ + static_cast<size_t>(from - base_) * w;
      uint8_t* to_ptr = data_ + static_cast<size_t>(from - new_base) * w;
      std::memmove(to_ptr, src, n);
      if (to_ptr > src) {
        std::memset(src, 0, std::min<size_t>(n, to_ptr - src));
      } else if (src > to_ptr) {
        const size_t gap = std::min<size_t>(n, src - to_ptr);
        std::memset(src + n - gap, 0, gap);
      }
    } else {
      for (int32_t i = from; i <= to; ++i) {
        StoreCounter(dst, width_log2, static_cast<uint32_t>(i - new_base),
                     Load(static_cast<uint32_t>(i - base_)));
      }
    }
    lo_ = static_cast<uint16_t>(from - new_base);
    hi_ = static_cast<uint16_t>(to - new_base);
  }
  if (realloc) std::free(data_);
  data_ = dst;
  base_ = new_base;
  capacity_ = static_cast<uint16_t>(capacity);
  width_log2_ = width_log2;
}

void QuantileSketch::Buckets::Widen(uint64_t needed) {
  const uint8_t w = WidthFor(needed);
  uint8_t* dst = AllocateCounters(capacity_, w);
  if (!empty()) {
    for (uint32_t r = lo_; r <= hi_; ++r) StoreCounter(dst, w, r, Load(r));
  }
  std::free(data_);
  data_ = dst;
  width_log2_ = w;
}

void QuantileSketch::Buckets::Merge(const Buckets& other) {
  collapsed_ = collapsed_ || other.collapsed_;
  if (other.empty()) return;
  const int32_t floor = Reserve(other.lowest(), other.highest());
  for (int32_t i = other.lowest(); i <= other.highest(); ++i) {
    const uint64_t c = other.Load(static_cast<uint32_t>(i - other.base_));
    if (c != 0) Add(std::max(i, floor), c);
  }
}

void QuantileSketch::Buckets::Assign(int32_t lowest, const uint64_t* counts, uint32_t n) {
  uint64_t most = 0;
  for (uint32_t i = 0; i < n; ++i) most = std::max(most, counts[i]);
  const uint8_t w = WidthFor(most);
  if (capacity_ < n || width_log2_ != w) {
    std::free(data_);
    data_ = nullptr;
    data_ = AllocateCounters(n, w);
    capacity_ = static_cast<uint16_t>(n);
    width_log2_ = w;
  } else {
    std::memset(data_, 0, static_cast<size_t>(capacity_) << w);
  }
  base_ = lowest;
  for (uint32_t i = 0; i < n; ++i) StoreCounter(data_, w, i, counts[i]);
  lo_ = 0;
  hi_ = static_cast<uint16_t>(n - 1);
}

void QuantileSketch::Buckets::Clear() {
  if (!empty()) {
    const size_t w = size_t{1} << width_log2_;
    std::memset(data_ + lo_ * w, 0, (hi_ - lo_ + 1) * w);
  }
  lo_ = 0xffff;
  hi_ = 0;
  collapsed_ = false;
}

uint64_t QuantileSketch::Buckets::Get(int32_t index) const {
  if (empty() || index < lowest() || index > highest()) return 0;
  return Load(static_cast<uint32_t>(index - base_));
}

uint64_t QuantileSketch::Buckets::Total() const {
  uint64_t total = 0;
  if (empty()) return 0;
  for (uint32_t r = lo_; r <= hi_; ++r) total += Load(r);
  return total;
}

bool QuantileSketch::Buckets::operator==(const Buckets& other) const {
  if (collapsed_ != other.collapsed_ || empty() != other.empty()) return false;
  if (empty()) return true;
  if (lowest() != other.lowest() || highest() != other.highest()) return false;
  for (int32_t i = lowest(); i <= highest(); ++i) {
    if (Get(i) != other.Get(i)) return false;
  }
  return true;
}

// ---- QuantileSketch -----------------------------------------------------------

QuantileSketch::~QuantileSketch() = default;
QuantileSketch::QuantileSketch(const QuantileSketch& other) = default;
QuantileSketch& QuantileSketch::operator=(const QuantileSketch& other) = default;
QuantileSketch::QuantileSketch(QuantileSketch&& other) noexcept
    : positive_(std::move(other.positive_)),
      negative_(std::move(other.negative_)),
      zero_count_(std::exchange(other.zero_count_, 0)),
      count_(std::exchange(other.count_, 0)) {}
QuantileSketch& QuantileSketch::operator=(QuantileSketch&& other) noexcept {
  positive_ = std::move(other.positive_);
  negative_ = std::move(other.negative_);
  zero_count_ = std::exchange(other.zero_count_, 0);
  count_ = std::exchange(other.count_, 0);
  return *this;
}

[[gnu::always_inline]] inline void QuantileSketch::AddN(double value, uint64_t n) {
  assert(IsFinite(value));
  if (!IsFinite(value) || n == 0) return;
  if (value >= kMinIndexable) {
    positive_.Add(IndexOf(value), n);
  } else if (value <= -kMinIndexable) {
    negative_.Add(IndexOf(-value), n);
  } else {
    zero_count_ += n;
  }
  count_ += n;
}

void QuantileSketch::Add(double value) { AddN(value, 1); }
void QuantileSketch::Add(double value, uint64_t n) { AddN(value, n); }

void QuantileSketch::Merge(const QuantileSketch& other) {
  positive_.Merge(other.positive_);
  negative_.Merge(other.negative_);
  zero_count_ += other.zero_count_;
  count_ += other.count_;
}

double QuantileSketch::Quantile(double q) const {
  if (count_ == 0 || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  // Nearest rank: the element of 1-based rank ceil(q * count) (at least 1),
  // as the poller's fleet report computes percentiles, so that one p99 means
  // one thing everywhere. `rank` is 0-based, counted from the most negative
  // value up. Unlike floor(q * (count - 1)) it does not round the tail
  // down: p90 of nine 1s and one 100 is 1, p99 is 100.
  const auto nearest = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  const uint64_t rank = std::clamp<uint64_t>(nearest, 1, count_) - 1;
  uint64_t seen = 0;
  if (!negative_.empty()) {
    for (int32_t i = negative_.highest(); i >= negative_.lowest(); --i) {
      seen += negative_.Get(i);
      if (seen > rank) return -BucketValue(i);
    }
  }
  seen += zero_count_;
  if (seen > rank) return 0;
  if (!positive_.empty()) {
    for (int32_t i = positive_.lowest(); i <= positive_.highest(); ++i) {
      seen += positive_.Get(i);
      if (seen > rank) return BucketValue(i);
    }
    return BucketValue(positive_.highest());
  }
  return 0;  // Only reachable if counts disagree, which the invariants forbid.
}

void QuantileSketch::Clear() {
  positive_.Clear();
  negative_.Clear();
  zero_count_ = 0;
  count_ = 0;
}

size_t QuantileSketch::MemoryUsage() const {
  return sizeof(*this) + positive_.HeapBytes() + negative_.HeapBytes();
}

bool QuantileSketch::operator==(const QuantileSketch& other) const {
  return count_ == other.count_ && zero_count_ == other.zero_count_ &&
         positive_ == other.positive_ && negative_ == other.negative_;
}

// ---- Serialization (docs/storage.md, "Sketch") -------------------------------

// Dense: the span, the first index, then every count in the span. Sparse:
// the number of non-zero buckets, the first index and its count, then for
// each other one the gap from the previous index and its count. A sketch of
// a few values spread over many buckets (a quiet minute) is much smaller
// sparse; EncodeTo picks the smaller form.
void QuantileSketch::EncodeBuckets(const Buckets& b, bool sparse, std::string* out) const {
  if (b.empty()) {
    PutVarint64(out, 0);
    return;
  }
  if (!sparse) {
    PutVarint64(out, static_cast<uint64_t>(b.highest() - b.lowest() + 1));
    PutVarint64(out, ZigZagEncode(b.lowest()));
    for (int32_t i = b.lowest(); i <= b.highest(); ++i) PutVarint64(out, b.Get(i));
    return;
  }
  uint64_t nonzero = 0;
  for (int32_t i = b.lowest(); i <= b.highest(); ++i) nonzero += b.Get(i) != 0;
  PutVarint64(out, nonzero);
  PutVarint64(out, ZigZagEncode(b.lowest()));
  int32_t prev = b.lowest();
  PutVarint64(out, b.Get(prev));
  for (int32_t i = prev + 1; i <= b.highest(); ++i) {
    const uint64_t c = b.Get(i);
    if (c == 0) continue;
    PutVarint64(out, static_cast<uint64_t>(i - prev));
    PutVarint64(out, c);
    prev = i;
  }
}

// Bytes EncodeBuckets writes in each form: {dense, sparse}.
std::pair<size_t, size_t> QuantileSketch::EncodedSizes(const Buckets& b) {
  if (b.empty()) return {1, 1};
  const size_t first = VarintSize(ZigZagEncode(b.lowest()));
  size_t dense = VarintSize(static_cast<uint64_t>(b.highest() - b.lowest() + 1)) + first;
  size_t sparse = first;
  uint64_t nonzero = 0;
  int32_t prev = b.lowest();
  for (int32_t i = b.lowest(); i <= b.highest(); ++i) {
    const uint64_t c = b.Get(i);
    dense += VarintSize(c);
    if (c == 0) continue;
    sparse += VarintSize(c) + (i == b.lowest() ? 0 : VarintSize(static_cast<uint64_t>(i - prev)));
    prev = i;
    ++nonzero;
  }
  return {dense, sparse + VarintSize(nonzero)};
}

void QuantileSketch::EncodeTo(std::string* out) const {
  const auto [pos_dense, pos_sparse] = EncodedSizes(positive_);
  const auto [neg_dense, neg_sparse] = EncodedSizes(negative_);
  const bool sparse = pos_sparse + neg_sparse < pos_dense + neg_dense;
  out->push_back(static_cast<char>(kMappingId));
  out->push_back(static_cast<char>((positive_.collapsed() ? kFlagPositiveCollapsed : 0) |
                                   (negative_.collapsed() ? kFlagNegativeCollapsed : 0) |
                                   (sparse ? kFlagSparse : 0)));
  PutVarint64(out, zero_count_);
  EncodeBuckets(positive_, sparse, out);
  EncodeBuckets(negative_, sparse, out);
}

Status QuantileSketch::DecodeBuckets(std::string_view* in, bool sparse, Buckets* b,
                                     uint64_t* total) {
  uint64_t span;
  if (!GetVarint64(in, &span)) return Status::Corruption("sketch: truncated bucket span");
  *total = 0;
  if (span == 0) return Status::OK();
  if (span > static_cast<uint64_t>(kMaxBuckets)) {
    return Status::Corruption("sketch: bucket span over the limit");
  }
  uint64_t zz;
  if (!GetVarint64(in, &zz)) return Status::Corruption("sketch: truncated bucket index");
  const int64_t first = ZigZagDecode(zz);
  // Sparse: `span` is the number of listed buckets; the real span is known
  // once the gaps are read (checked against the range as they are).
  if (first < MinIndex() || first + static_cast<int64_t>(span) - 1 > MaxIndex()) {
    return Status::Corruption("sketch: bucket index out of range");
  }
  // Each count takes at least one byte: refuse before allocating.
  if (span > in->size()) return Status::Corruption("sketch: truncated bucket counts");
  uint64_t counts[kMaxBuckets];
  uint32_t n = static_cast<uint32_t>(span);
  if (sparse) {
    SONDE_RETURN_IF_ERROR(ReadSparseCounts(in, first, n, counts, &n));
  } else {
    for (uint32_t i = 0; i < n; ++i) {
      if (!GetVarint64(in, &counts[i])) return Status::Corruption("sketch: truncated bucket count");
    }
  }
  for (uint32_t i = 0; i < n; ++i) {
    if (counts[i] > std::numeric_limits<uint64_t>::max() - *total) {
      return Status::Corruption("sketch: count overflow");
    }
    *total += counts[i];
  }
  if (counts[0] == 0 || counts[n - 1] == 0) return Status::Corruption("sketch: zero edge bucket");
  b->Assign(static_cast<int32_t>(first), counts, n);
  return Status::OK();
}

// Reads `listed` (gap, count) pairs (the first without a gap) into the dense
// counts[0, *span) of the buckets from index `first` on.
Status QuantileSketch::ReadSparseCounts(std::string_view* in, int64_t first, uint32_t listed,
                                        uint64_t* counts, uint32_t* span) {
  int64_t index = first;
  uint32_t filled = 0;
  for (uint32_t k = 0; k < listed; ++k) {
    if (k > 0) {
      uint64_t gap;
      if (!GetVarint64(in, &gap)) return Status::Corruption("sketch: truncated bucket gap");
      if (gap == 0 || gap > static_cast<uint64_t>(kMaxBuckets)) {
        return Status::Corruption("sketch: bad bucket gap");
      }
      index += static_cast<int64_t>(gap);
      if (index - first >= kMaxBuckets) {
        return Status::Corruption("sketch: bucket span over the limit");
      }
      if (index > MaxIndex()) return Status::Corruption("sketch: bucket index out of range");
    }
    const auto rel = static_cast<uint32_t>(index - first);
    while (filled < rel) counts[filled++] = 0;
    if (!GetVarint64(in, &counts[rel])) return Status::Corruption("sketch: truncated bucket count");
    if (counts[rel] == 0) return Status::Corruption("sketch: zero listed bucket");
    filled = rel + 1;
  }
  *span = filled;
  return Status::OK();
}

Status QuantileSketch::DecodeFrom(std::string_view* input, QuantileSketch* out) {
  QuantileSketch s;
  uint8_t mapping;
  uint8_t flags;
  if (!GetByte(input, &mapping) || !GetByte(input, &flags) || !GetVarint64(input, &s.zero_count_)) {
    out->Clear();
    return Status::Corruption("sketch: truncated header");
  }
  Status st;
  if (mapping != kMappingId) {
    st = Status::Corruption("sketch: unknown bucket mapping " + std::to_string(mapping));
  } else if ((flags & ~kKnownFlags) != 0) {
    st = Status::Corruption("sketch: unknown flags");
  }
  const bool sparse = (flags & kFlagSparse) != 0;
  uint64_t pos = 0;
  uint64_t neg = 0;
  if (st.ok()) st = DecodeBuckets(input, sparse, &s.positive_, &pos);
  if (st.ok()) st = DecodeBuckets(input, sparse, &s.negative_, &neg);
  if (st.ok() && ((flags & kFlagPositiveCollapsed && pos == 0) ||
                  (flags & kFlagNegativeCollapsed && neg == 0))) {
    st = Status::Corruption("sketch: collapsed flag on an empty sign");
  }
  const uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (st.ok() && (pos > kMax - neg || pos + neg > kMax - s.zero_count_)) {
    st = Status::Corruption("sketch: count overflow");
  }
  if (!st.ok()) {
    out->Clear();
    return st;
  }
  s.positive_.set_collapsed(flags & kFlagPositiveCollapsed);
  s.negative_.set_collapsed(flags & kFlagNegativeCollapsed);
  s.count_ = s.zero_count_ + pos + neg;
  *out = std::move(s);
  return Status::OK();
}

Status QuantileSketch::Decode(std::string_view input, QuantileSketch* out) {
  SONDE_RETURN_IF_ERROR(DecodeFrom(&input, out));
  if (!input.empty()) {
    out->Clear();
    return Status::Corruption("sketch: trailing bytes");
  }
  return Status::OK();
}

}  // namespace sonde

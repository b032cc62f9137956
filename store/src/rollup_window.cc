#include "sonde/rollup_window.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "coding.h"

namespace sonde {
namespace {

using store_internal::GetByte;
using store_internal::GetDouble;
using store_internal::GetVarint64;
using store_internal::PutDouble;
using store_internal::PutVarint64;
using store_internal::ZigZagDecode;
using store_internal::ZigZagEncode;

constexpr uint8_t kWindowFormat = 1;
constexpr uint8_t kFlagOpen = 0x04;  // Bits 0-1 hold the kind.
// One sample and no folded minutes: only the value and its time are stored
// (sum, min, max and last are the value; the sketch is that of the value).
constexpr uint8_t kFlagSingle = 0x08;

bool EqualOrBothNaN(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

}  // namespace

const char* ResolutionName(Resolution r) { return r == Resolution::kMinute ? "minute" : "hour"; }

bool ParseResolution(std::string_view text, Resolution* r) {
  if (text == "minute" || text == "m" || text == "by-minute" || text == "min") {
    *r = Resolution::kMinute;
    return true;
  }
  if (text == "hour" || text == "h" || text == "by-hour") {
    *r = Resolution::kHour;
    return true;
  }
  return false;
}

int64_t WindowStart(int64_t timestamp_ms, Resolution r) {
  const int64_t len = ResolutionMs(r);
  int64_t q = timestamp_ms / len;
  if (timestamp_ms % len < 0) --q;
  return q * len;
}

RollupWindow::RollupWindow(MetricKind kind, Resolution resolution, int64_t start_ms) {
  Reset(kind, resolution, start_ms);
}

void RollupWindow::Reset(MetricKind kind, Resolution resolution, int64_t start_ms) {
  assert(WindowStart(start_ms, resolution) == start_ms);
  kind_ = kind;
  resolution_ = resolution;
  start_ms_ = start_ms;
  last_ms_ = 0;
  folded_minutes_ = 0;
  sum_ = min_ = max_ = last_ = 0;
  open_ = false;
  sketch_.Clear();
}

void RollupWindow::Add(double value, int64_t timestamp_ms) {
  assert(std::isfinite(value));
  if (!std::isfinite(value)) return;
  if (sketch_.empty()) {
    min_ = max_ = value;
    last_ = value;
    last_ms_ = timestamp_ms;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
    if (timestamp_ms >= last_ms_) {
      last_ = value;
      last_ms_ = timestamp_ms;
    }
  }
  sum_ += value;
  sketch_.Add(value);
}

Status RollupWindow::Merge(const RollupWindow& other) {
  if (other.kind_ != kind_) {
    return Status::InvalidArgument(std::string("cannot merge a ") + MetricKindName(other.kind_) +
                                   " window into a " + MetricKindName(kind_) + " window");
  }
  if (ResolutionMs(other.resolution_) > ResolutionMs(resolution_) || other.start_ms_ < start_ms_ ||
      other.start_ms_ >= end_ms()) {
    return Status::InvalidArgument("window to merge does not lie inside this window");
  }
  if (other.empty()) return Status::OK();
  if (empty()) {
    min_ = other.min_;
    max_ = other.max_;
    last_ = other.last_;
    last_ms_ = other.last_ms_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    if (other.last_ms_ >= last_ms_) {
      last_ = other.last_;
      last_ms_ = other.last_ms_;
    }
  }
  sum_ += other.sum_;
  if (other.resolution_ == resolution_) folded_minutes_ |= other.folded_minutes_;
  sketch_.Merge(other.sketch_);
  return Status::OK();
}

Result<bool> RollupWindow::FoldMinute(const RollupWindow& minute) {
  if (resolution_ != Resolution::kHour || minute.resolution_ != Resolution::kMinute) {
    return Status::InvalidArgument("only a minute window folds into an hour window");
  }
  if (minute.start_ms_ < start_ms_ || minute.start_ms_ >= end_ms()) {
    return Status::InvalidArgument("minute to fold does not lie inside this hour");
  }
  const uint64_t bit = uint64_t{1}
                       << ((minute.start_ms_ - start_ms_) / ResolutionMs(minute.resolution_));
  if (folded_minutes_ & bit) return false;
  SONDE_RETURN_IF_ERROR(Merge(minute));
  folded_minutes_ |= bit;
  return true;
}

double RollupWindow::avg() const {
  if (empty()) return std::numeric_limits<double>::quiet_NaN();
  return sum_ / static_cast<double>(count());
}

int64_t RollupWindow::CoveredMs(int64_t now_ms) const {
  // A counter's increment covers the time since its sender's previous
  // sample (10 s for the agent and the services' own stats): divided by
  // less, the first increments of every window would read as a spike.
  constexpr int64_t kMinCoveredMs = 10000;
  const int64_t length = ResolutionMs(resolution_);
  if (!open_) return length;
  // The reader's clock may be behind the senders': what the window holds
  // is covered whatever now_ms says. Compared before subtracting, so that
  // no now_ms can overflow.
  const int64_t reached = count() > 0 ? std::max(now_ms, last_ms_) : now_ms;
  if (reached >= end_ms()) return length;
  if (reached < start_ms_ + kMinCoveredMs) return std::min(kMinCoveredMs, length);
  return reached - start_ms_;
}

double RollupWindow::RatePerSec(int64_t now_ms) const {
  return sum_ / (static_cast<double>(CoveredMs(now_ms)) / 1000.0);
}

double RollupWindow::Quantile(double q) const {
  const double v = sketch_.Quantile(q);
  if (std::isnan(v)) return v;
  return std::clamp(v, min_, max_);
}

size_t RollupWindow::MemoryUsage() const {
  return sizeof(*this) - sizeof(sketch_) + sketch_.MemoryUsage();
}

void RollupWindow::EncodeTo(std::string* out) const {
  const bool single = count() == 1 && folded_minutes_ == 0;
  out->push_back(static_cast<char>(kWindowFormat));
  out->push_back(static_cast<char>(static_cast<uint8_t>(kind_) | (open_ ? kFlagOpen : 0) |
                                   (single ? kFlagSingle : 0)));
  PutDouble(out, sum_);
  if (single) {
    PutVarint64(out, ZigZagEncode(static_cast<int64_t>(static_cast<uint64_t>(last_ms_) -
                                                       static_cast<uint64_t>(start_ms_))));
    return;
  }
  PutDouble(out, min_);
  PutDouble(out, max_);
  PutDouble(out, last_);
  // Unsigned arithmetic: wraps instead of overflowing on absurd timestamps.
  PutVarint64(out, ZigZagEncode(static_cast<int64_t>(static_cast<uint64_t>(last_ms_) -
                                                     static_cast<uint64_t>(start_ms_))));
  PutVarint64(out, folded_minutes_);
  sketch_.EncodeTo(out);
}

bool RollupWindow::EncodedIsOpen(std::string_view value) {
  return value.size() >= 2 && value[0] == static_cast<char>(kWindowFormat) &&
         (static_cast<uint8_t>(value[1]) & kFlagOpen) != 0;
}

// The kFlagSingle form: f64 value, varint zigzag(last_ms - start).
Status RollupWindow::DecodeSingle(std::string_view value, Resolution resolution, int64_t start_ms,
                                  RollupWindow* out) {
  uint8_t format;
  uint8_t flags;
  double v;
  uint64_t last_delta;
  if (!GetByte(&value, &format) || !GetByte(&value, &flags) || !GetDouble(&value, &v) ||
      !GetVarint64(&value, &last_delta)) {
    return Status::Corruption("window: truncated");
  }
  if (!value.empty()) return Status::Corruption("window: trailing bytes");
  if (!std::isfinite(v)) return Status::Corruption("window: bad summary fields");
  out->Reset(static_cast<MetricKind>(flags & 0x03), resolution, start_ms);
  out->Add(v, static_cast<int64_t>(static_cast<uint64_t>(start_ms) +
                                   static_cast<uint64_t>(ZigZagDecode(last_delta))));
  out->open_ = (flags & kFlagOpen) != 0;
  return Status::OK();
}

Status RollupWindow::Decode(std::string_view value, Resolution resolution, int64_t start_ms,
                            RollupWindow* out) {
  if (value.size() >= 2 && static_cast<uint8_t>(value[0]) == kWindowFormat &&
      (static_cast<uint8_t>(value[1]) & kFlagSingle) != 0 &&
      (static_cast<uint8_t>(value[1]) & 0x03) < kMetricKindCount &&
      (static_cast<uint8_t>(value[1]) & ~(0x03 | kFlagOpen | kFlagSingle)) == 0) {
    return DecodeSingle(value, resolution, start_ms, out);
  }
  uint8_t format;
  uint8_t flags;
  uint64_t last_delta;
  uint64_t folded;
  double sum, mn, mx, last;
  if (!GetByte(&value, &format) || !GetByte(&value, &flags) || !GetDouble(&value, &sum) ||
      !GetDouble(&value, &mn) || !GetDouble(&value, &mx) || !GetDouble(&value, &last) ||
      !GetVarint64(&value, &last_delta) || !GetVarint64(&value, &folded)) {
    return Status::Corruption("window: truncated");
  }
  // An hour holds 60 minutes; a minute window folds nothing.
  if ((resolution == Resolution::kMinute && folded != 0) || (folded >> 60) != 0) {
    return Status::Corruption("window: bad folded-minutes mask");
  }
  if (format != kWindowFormat) {
    return Status::Corruption("window: unknown format " + std::to_string(format));
  }
  const uint8_t kind = flags & 0x03;
  if (kind >= kMetricKindCount || (flags & ~(0x03 | kFlagOpen)) != 0) {
    return Status::Corruption("window: unknown kind or flags");
  }
  if (std::isnan(sum) || std::isnan(mn) || std::isnan(mx) || std::isnan(last) || mn > mx) {
    return Status::Corruption("window: bad summary fields");
  }
  out->Reset(static_cast<MetricKind>(kind), resolution, start_ms);
  SONDE_RETURN_IF_ERROR(QuantileSketch::Decode(value, &out->sketch_));
  out->open_ = (flags & kFlagOpen) != 0;
  out->folded_minutes_ = folded;
  out->sum_ = sum;
  out->min_ = mn;
  out->max_ = mx;
  out->last_ = last;
  out->last_ms_ = static_cast<int64_t>(static_cast<uint64_t>(start_ms) +
                                       static_cast<uint64_t>(ZigZagDecode(last_delta)));
  return Status::OK();
}

bool RollupWindow::operator==(const RollupWindow& other) const {
  return start_ms_ == other.start_ms_ && last_ms_ == other.last_ms_ &&
         folded_minutes_ == other.folded_minutes_ && EqualOrBothNaN(sum_, other.sum_) &&
         min_ == other.min_ && max_ == other.max_ && last_ == other.last_ && kind_ == other.kind_ &&
         resolution_ == other.resolution_ && open_ == other.open_ && sketch_ == other.sketch_;
}

}  // namespace sonde

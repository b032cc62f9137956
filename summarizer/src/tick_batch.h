// TickBatch: what one flush tick hands from the loop to the writer thread:
// a store FlushBatch plus, for each of its series, where the series lives in
// the engine (slot and generation), so that the ids the store returns reach
// the right series even if it was evicted meanwhile.
//
// Two TickBatches alternate between the loop and the writer (swap and
// flush): the loop fills one while the writer writes the other. Refilling
// reuses the windows already in `batch.windows`, whose sketch buffers are
// kept, so a steady state allocates nothing per tick.
//
// Thread-safety: owned by one thread at a time; the hand-over synchronizes.
#ifndef SONDE_SUMMARIZER_TICK_BATCH_H_
#define SONDE_SUMMARIZER_TICK_BATCH_H_

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sonde/rollup_window.h"
#include "sonde/store.h"

namespace sonde::summarizer {

struct TickBatch {
  FlushBatch batch;
  std::vector<uint32_t> slots;        // Engine slot of batch.series[i].
  std::vector<uint32_t> generations;  // Its generation then.
  // Filled by the writer.
  WriteResult result;
  Status status;
  int64_t write_ns = 0;  // Time Store::Write took.
  int64_t build_ns = 0;  // Time the loop took to build the batch.
  uint64_t closed_windows = 0;

  // Starts a new fill; keeps every buffer.
  void Begin() {
    batch.series.clear();
    slots.clear();
    generations.clear();
    windows_used_ = 0;
    closed_windows = 0;
    status = Status::OK();
    result = WriteResult();
  }

  // Appends a series update; returns its index.
  uint32_t AddSeries(SeriesUpdate update, uint32_t slot, uint32_t generation) {
    batch.series.push_back(std::move(update));
    slots.push_back(slot);
    generations.push_back(generation);
    return static_cast<uint32_t>(batch.series.size() - 1);
  }

  // Appends a copy of `window` (reusing a previous tick's buffers).
  void AddWindow(uint32_t series, const RollupWindow& window, bool open) {
    if (windows_used_ < batch.windows.size()) {
      WindowUpdate& w = batch.windows[windows_used_];
      w.series = series;
      w.window = window;
      w.window.set_open(open);
      w.fold_into_hour = !open && window.resolution() == Resolution::kMinute;
    } else {
      batch.windows.push_back(WindowUpdate{series, window, false});
      batch.windows.back().window.set_open(open);
      batch.windows.back().fold_into_hour = !open && window.resolution() == Resolution::kMinute;
    }
    ++windows_used_;
    if (!open) ++closed_windows;
  }

  // Ends the fill: drops windows left over from a bigger earlier tick.
  void Finish() { batch.windows.resize(windows_used_); }

  bool empty() const { return batch.series.empty() && windows_used_ == 0; }
  size_t windows() const { return windows_used_; }

 private:
  size_t windows_used_ = 0;
};

}  // namespace sonde::summarizer

#endif  // SONDE_SUMMARIZER_TICK_BATCH_H_

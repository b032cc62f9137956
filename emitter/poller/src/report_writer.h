// Writes the one-shot report files into a directory (docs/poller.md,
// "Report files"). Each file is written to a temporary name and renamed, so a
// reader never sees half a report.
#ifndef SONDE_POLLER_SRC_REPORT_WRITER_H_
#define SONDE_POLLER_SRC_REPORT_WRITER_H_

#include <cstdint>
#include <span>
#include <string>

#include "sonde/fleet_report.h"
#include "sonde/status.h"
#include "sonde/target_record.h"

namespace sonde::poller {

// Creates `dir` if needed and writes report.json, targets.csv, summary.csv
// and, when report.has_success_rate, success_rate.csv. Returns IOError naming
// the path that failed.
Status WriteReportFiles(const std::string& dir, const fleet::FleetReport& report,
                        std::span<const fleet::TargetRecord> records,
                        const fleet::FleetReportOptions& options, int64_t generated_ms);

}  // namespace sonde::poller

#endif  // SONDE_POLLER_SRC_REPORT_WRITER_H_

#include "report_writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "sonde/fleet_render.h"

namespace sonde::poller {
namespace {

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return Status::IOError(fmt::format("{}: {}", tmp, std::strerror(errno)));
  }
  const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const int err = errno;
  if (std::fclose(f) != 0 || !written) {
    std::remove(tmp.c_str());
    return Status::IOError(fmt::format("{}: {}", tmp, std::strerror(written ? errno : err)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_err = errno;
    std::remove(tmp.c_str());
    return Status::IOError(fmt::format("{}: {}", path, std::strerror(rename_err)));
  }
  return Status::OK();
}

}  // namespace

Status WriteReportFiles(const std::string& dir, const fleet::FleetReport& report,
                        std::span<const fleet::TargetRecord> records,
                        const fleet::FleetReportOptions& options, int64_t generated_ms) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(fmt::format("output dir {}: {}", dir, ec.message()));
  SONDE_RETURN_IF_ERROR(
      WriteFileAtomically(dir + "/report.json", fleet::RenderJson(report, records, generated_ms)));
  SONDE_RETURN_IF_ERROR(
      WriteFileAtomically(dir + "/targets.csv", fleet::RenderTargetsCsv(records, options)));
  SONDE_RETURN_IF_ERROR(WriteFileAtomically(dir + "/summary.csv", fleet::RenderSummaryCsv(report)));
  if (report.has_success_rate) {
    SONDE_RETURN_IF_ERROR(
        WriteFileAtomically(dir + "/success_rate.csv", fleet::RenderSuccessRateCsv(report)));
  }
  return Status::OK();
}

}  // namespace sonde::poller

// DiskProbe: use of each mounted local filesystem, from /proc/mounts and
// statfs(2).
//
// The mount table is re-read every tick (mounts come and go) but parsed only
// when its text changed. Pseudo, memory-backed and network filesystems are
// skipped (IsSkippedFilesystem). When one path is mounted more than once the
// last mount wins, as it is the one visible there. Used % is computed as
// df(1) does: used / (used + available to unprivileged users), so that it
// reaches 100 when ordinary users can no longer write.
#include <sys/statfs.h>

#include <algorithm>
#include <iterator>
#include <cerrno>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "proc_file.h"
#include "sonde/host_probe.h"
#include "text_scan.h"

namespace sonde::agent {
namespace {

constexpr std::string_view kSkippedTypes[] = {
    // Pseudo and virtual filesystems.
    "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts",
    "devtmpfs", "efivarfs", "fusectl", "hugetlbfs", "mqueue", "nsfs", "proc", "pstore",
    "rpc_pipefs", "securityfs", "selinuxfs", "sysfs", "tracefs", "fuse.gvfsd-fuse", "fuse.portal",
    "fuse.lxcfs",
    // Memory-backed, or read-only images that are always 100 % full.
    "ramfs", "tmpfs", "squashfs", "iso9660",
    // Network filesystems: statfs blocks while the server is unreachable.
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "fuse.sshfs", "fuse.glusterfs",
    "9p", "afs", "lustre"};

struct Mount {
  std::string path;       // As mounted ("/home"): the tag value.
  std::string stat_path;  // Under the probe's root, for statfs.
};

// /proc/mounts escapes space, tab, newline and backslash as \ooo octal.
std::string UnescapeMountPath(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && text.size() - i >= 4) {
      int v = 0;
      bool octal = true;
      for (size_t k = 1; k <= 3; ++k) {
        char c = text[i + k];
        if (c < '0' || c > '7') octal = false;
        v = v * 8 + (c - '0');
      }
      if (octal) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

class DiskProbe final : public HostProbe {
 public:
  DiskProbe(ProcFile mounts, std::string root) : mounts_(std::move(mounts)), root_(std::move(root)) {}

  std::string_view name() const override { return "disk"; }

  Status Sample(int64_t /*steady_ns*/, GaugeSink* sink) override {
    Result<std::string_view> text = mounts_.Read();
    if (!text) return text.error();
    if (*text != last_text_) {
      last_text_.assign(text->data(), text->size());
      ParseMounts(last_text_);
    }
    for (const Mount& m : parsed_) Report(m, sink);
    return Status::OK();
  }

 private:
  void ParseMounts(std::string_view text) {
    parsed_.clear();
    while (!text.empty()) {
      std::string_view line = NextLine(&text);
      NextToken(&line);  // The device.
      std::string_view path = NextToken(&line);
      std::string_view type = NextToken(&line);
      if (path.empty() || type.empty() || IsSkippedFilesystem(type)) continue;
      std::string unescaped = UnescapeMountPath(path);
      std::erase_if(parsed_, [&](const Mount& m) { return m.path == unescaped; });
      std::string stat_path = root_ == "/" ? unescaped : JoinRoot(root_, unescaped);
      parsed_.push_back({std::move(unescaped), std::move(stat_path)});
    }
  }

  static void Report(const Mount& m, GaugeSink* sink) {
    struct statfs st {};
    // A mount that vanished since the table was read is simply skipped.
    if (statfs(m.stat_path.c_str(), &st) != 0) return;
    const double block = static_cast<double>(st.f_frsize ? st.f_frsize : st.f_bsize);
    const double used = static_cast<double>(st.f_blocks - st.f_bfree) * block;
    const double avail = static_cast<double>(st.f_bavail) * block;
    if (st.f_blocks == 0 || used + avail <= 0) return;  // Reports no size.
    const TagView tags[] = {{"mount", m.path}};
    sink->Gauge("disk.used_pct", 100.0 * used / (used + avail), std::span<const TagView>(tags));
    sink->Gauge("disk.free_bytes", avail, std::span<const TagView>(tags));
  }

  ProcFile mounts_;
  std::string root_;
  std::string last_text_;       // The mount table last parsed.
  std::vector<Mount> parsed_;   // Its local filesystems, in table order.
};

}  // namespace

bool IsSkippedFilesystem(std::string_view fs_type) {
  return std::find(std::begin(kSkippedTypes), std::end(kSkippedTypes), fs_type) !=
         std::end(kSkippedTypes);
}

Result<std::unique_ptr<HostProbe>> OpenDiskProbe(const std::string& root) {
  Result<ProcFile> file = ProcFile::Open(JoinRoot(root, "/proc/mounts"));
  if (!file) return file.error();
  return std::unique_ptr<HostProbe>(new DiskProbe(std::move(*file), root));
}

}  // namespace sonde::agent

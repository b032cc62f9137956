#include "udp_kernel_drops.h"

#include <sys/stat.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace sonde::broker {

namespace {

// Columns of a /proc/net/udp data line; "tx_queue rx_queue" and
// "tr tm->when" are one token each in the data.
constexpr int kInodeColumn = 9;
constexpr int kDropsColumn = 12;

bool ParseU64(std::string_view token, uint64_t* out) {
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), *out);
  return ec == std::errc() && ptr == token.data() + token.size();
}

// Splits `line` on spaces into at most kDropsColumn + 1 tokens.
int Tokenize(std::string_view line, std::string_view* tokens) {
  int n = 0;
  size_t i = 0;
  while (n <= kDropsColumn) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i == line.size()) break;
    size_t end = line.find(' ', i);
    if (end == std::string_view::npos) end = line.size();
    tokens[n++] = line.substr(i, end - i);
    i = end;
  }
  return n;
}

}  // namespace

uint64_t SocketInode(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return 0;
  return st.st_ino;
}

Result<uint64_t> ParseUdpKernelDrops(std::string_view table, uint64_t inode) {
  std::string_view tokens[kDropsColumn + 1];
  while (!table.empty()) {
    size_t eol = table.find('\n');
    std::string_view line = table.substr(0, eol);
    table = eol == std::string_view::npos ? std::string_view() : table.substr(eol + 1);
    if (Tokenize(line, tokens) != kDropsColumn + 1) continue;
    uint64_t line_inode = 0;
    uint64_t drops = 0;
    if (!ParseU64(tokens[kInodeColumn], &line_inode) || line_inode != inode) continue;
    if (!ParseU64(tokens[kDropsColumn], &drops)) return Status::Corruption("bad drops column");
    return drops;
  }
  return Status::NotFound("no socket with that inode");
}

Result<uint64_t> ReadUdpKernelDrops(uint64_t inode, const std::string& proc_net_dir) {
  bool read_any = false;
  for (const char* name : {"/udp", "/udp6"}) {
    std::ifstream in(proc_net_dir + name);
    if (!in) continue;
    read_any = true;
    std::ostringstream text;
    text << in.rdbuf();
    Result<uint64_t> drops = ParseUdpKernelDrops(text.str(), inode);
    if (drops.has_value() || !drops.error().IsNotFound()) return drops;
  }
  if (!read_any) return Status::IOError("cannot read " + proc_net_dir + "/udp");
  return Status::NotFound("socket not in " + proc_net_dir + "/udp{,6}");
}

}  // namespace sonde::broker

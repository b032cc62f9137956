// LmdbStore: the Store on LMDB (docs/storage.md). This is the one file that
// talks to LMDB; every return code becomes a Status here.
//
// Structure:
//   open      PrepareDir -> WriterLock -> OpenEnv -> OpenDatabases (schema)
//   retries   RunWrite: MDB_MAP_FULL grows the map and replays the whole
//             transaction body; RunRead: MDB_MAP_RESIZED adopts the new size,
//             MDB_READERS_FULL clears stale slots; both then retry.
//   write     one transaction per FlushBatch: series (ids, latest state),
//             hosts (last seen), windows (sorted, appended where possible).
//   sweep     bounded delete transactions from the front of the time-ordered
//             window tables, then the catalog, then the size cap.
//   read      one short read transaction per call; results are decoded into
//             owned values before the transaction ends.
#include "lmdb_store.h"

#include <lmdb.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "coding.h"
#include "records.h"
#include "sonde/log.h"
#include "writer_lock.h"

namespace sonde::store_internal {
namespace {

constexpr int kAbortTxn = -1;  // A transaction body failed and set its own Status.
constexpr int kMaxIdProbes = 8;
constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr int64_t kMinQueryMs = -(int64_t{1} << 60);
constexpr int64_t kMaxQueryMs = int64_t{1} << 60;

std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

MDB_val Val(std::string_view s) { return {s.size(), const_cast<char*>(s.data())}; }

// Converts an LMDB (or errno) return code, naming what failed.
Status LmdbError(int rc, std::string_view what) {
  const std::string msg = std::string(what) + ": " + mdb_strerror(rc);
  switch (rc) {
    case MDB_MAP_FULL:
    case MDB_READERS_FULL:
    case MDB_TXN_FULL:
    case MDB_DBS_FULL:
    case ENOSPC:
      return Status::ResourceExhausted(msg);
    case MDB_CORRUPTED:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_PAGE_NOTFOUND:
    case MDB_INCOMPATIBLE:
    case MDB_BAD_VALSIZE:
      return Status::Corruption(msg);
    case MDB_NOTFOUND:
    case ENOENT:
      return Status::NotFound(msg);
    default:
      return Status::IOError(msg);
  }
}

// An open cursor, closed on scope exit. Position methods return the LMDB
// code; key()/value() view the current item (valid inside the transaction).
class Cursor {
 public:
  Cursor(MDB_txn* txn, MDB_dbi dbi) { rc_ = mdb_cursor_open(txn, dbi, &c_); }
  ~Cursor() {
    if (c_ != nullptr) mdb_cursor_close(c_);
  }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  int open_rc() const { return rc_; }
  // The first item with key >= `key` (the first item at all for "").
  int Seek(std::string_view key) {
    if (key.empty()) return Get(MDB_FIRST);
    k_ = Val(key);
    return Get(MDB_SET_RANGE);
  }
  int Next() { return Get(MDB_NEXT); }
  int Last() { return Get(MDB_LAST); }
  int Put(std::string_view key, std::string_view value, unsigned flags) {
    MDB_val k = Val(key);
    MDB_val v = Val(value);
    return mdb_cursor_put(c_, &k, &v, flags);
  }
  std::string_view key() const { return View(k_); }
  std::string_view value() const { return View(v_); }

 private:
  int Get(MDB_cursor_op op) { return mdb_cursor_get(c_, &k_, &v_, op); }
  MDB_cursor* c_ = nullptr;
  MDB_val k_{0, nullptr};
  MDB_val v_{0, nullptr};
  int rc_ = 0;
};

// Directories open in this process: LMDB must not open one environment twice
// in a process (its locks are per process), so a second Open is refused.
std::mutex g_open_dirs_mu;
std::set<std::string>& OpenDirs() {
  static auto* dirs = new std::set<std::string>();
  return *dirs;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool SeriesLess(const LatestState& a, const LatestState& b) {
  if (a.key.host() != b.key.host()) return a.key.host() < b.key.host();
  if (a.key.name() != b.key.name()) return a.key.name() < b.key.name();
  return std::lexicographical_compare(a.key.tags().begin(), a.key.tags().end(),
                                      b.key.tags().begin(), b.key.tags().end(),
                                      [](const Tag& x, const Tag& y) {
                                        return std::tie(x.key, x.value) < std::tie(y.key, y.value);
                                      });
}

int64_t ElapsedUs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

}  // namespace

class LmdbStore final : public Store {
 public:
  explicit LmdbStore(const StoreOptions& options)
      : options_(options), log_(LoggerOrDefault(options.logger)), limited_log_(log_) {}
  ~LmdbStore() override;

  Status Init();

  Status Write(const FlushBatch& batch, WriteResult* result) override;
  Status Sweep(int64_t now_ms, SweepResult* result) override;
  Status LoadOpenWindows(Resolution resolution, int64_t since_ms,
                         std::vector<OpenWindow>* out) override;
  Status ListHosts(std::vector<HostInfo>* out) override;
  Status ListSeries(std::string_view host, std::vector<LatestState>* out) override;
  Status ReadRollups(const RollupQuery& query, std::vector<SeriesRollups>* out) override;
  Status ReadLatest(const LatestQuery& query, std::vector<LatestState>* out) override;
  StoreStats GetStats() const override;

 private:
  using TxnBody = std::function<int(MDB_txn*, Status*)>;
  using ScanFn = std::function<Status(std::string_view key, std::string_view value)>;
  enum class Action { kDelete, kSkip, kStop };
  using Decider = std::function<Action(std::string_view key, std::string_view value)>;

  // Catalog bookkeeping of one Write attempt, applied to stats_ on commit.
  struct WriteCounts {
    uint64_t registered = 0;
    uint64_t collisions = 0;
    uint64_t folds_skipped = 0;
  };
  struct HostSeen {
    int64_t first_ms;
    int64_t last_ms;
  };
  struct PendingPut {
    size_t key_offset;
    uint32_t key_size;
    uint32_t window;
    uint8_t resolution;
  };

  // Open.
  Status PrepareDir();
  Status OpenEnv();
  Status OpenDatabases();
  Status InitDatabases(MDB_txn* txn);
  Status CreateDatabases(MDB_txn* txn);
  Status CheckSchema(MDB_txn* txn);

  // The retry layer.
  Status RunWrite(std::string_view what, uint64_t map_limit, const TxnBody& body, uint32_t* grows);
  Status RunRead(std::string_view what, const std::function<Status(MDB_txn*)>& body);
  Status GrowMap(uint64_t limit);
  Status AdoptMapSize();
  uint32_t ClearStaleReaders();
  uint64_t SweepMapLimit() const;

  // Write.
  Status ValidateBatch(const FlushBatch& batch) const;
  void PrepareBatch(const FlushBatch& batch);
  int ApplyBatch(MDB_txn* txn, const FlushBatch& batch, WriteResult* result, WriteCounts* counts,
                 Status* st);
  int ResolveId(MDB_txn* txn, const SeriesKey& key, SeriesId* id, WriteCounts* counts, Status* st);
  int PutHosts(MDB_txn* txn, Status* st);
  int PutWindows(MDB_txn* txn, const FlushBatch& batch, WriteResult* result);
  int FoldMinutes(MDB_txn* txn, const FlushBatch& batch, WriteResult* result, WriteCounts* counts,
                  Status* st);
  void RecordWriteFailure(const FlushBatch& batch, const Status& s);

  // Sweep.
  Status DeleteRun(MDB_dbi dbi, std::string_view from, const Decider& decide, uint64_t* deleted,
                   bool* done, std::string* resume);
  Status ExpireWindows(Resolution res, int64_t now_ms, uint32_t* budget, uint64_t* expired);
  Status ExpireHosts(int64_t cutoff_ms, uint32_t* budget, SweepResult* result);
  Status ExpireSeries(int64_t cutoff_ms, uint32_t* budget, SweepResult* result);
  Status EnforceSizeCap(uint32_t* budget, SweepResult* result);
  Result<uint64_t> DataBytes();
  void RefreshSizeStats();

  // Read.
  Status CheckHost(MDB_txn* txn, std::string_view host);
  Status GetSeries(MDB_txn* txn, std::string_view host, SeriesId id, LatestState* out);
  Status ScanPrefix(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix, const ScanFn& fn);
  Status ScanFrom(MDB_txn* txn, MDB_dbi dbi, std::string_view from, const ScanFn& fn);
  Status SelectSeries(MDB_txn* txn, const RollupQuery& q, std::vector<SeriesRollups>* out);
  Status ScanSeriesWindows(MDB_txn* txn, MDB_dbi dbi, int64_t first, int64_t last,
                           std::string_view host, SeriesId id, const ScanFn& fn);
  Status ScanHostWindows(MDB_txn* txn, MDB_dbi dbi, int64_t first, int64_t last,
                         std::string_view host, const ScanFn& fn);
  Status ScanWindows(MDB_txn* txn, MDB_dbi dbi, int64_t first, int64_t last,
                     const std::string& host, const std::vector<SeriesRollups>& series,
                     const ScanFn& fn);
  Status OverlayOpenMinutes(MDB_txn* txn, const RollupQuery& q, int64_t first, int64_t last,
                            const std::unordered_map<SeriesId, size_t>& index,
                            std::vector<SeriesRollups>* out);

  const StoreOptions options_;
  const std::shared_ptr<spdlog::logger> log_;
  RateLimitedLog limited_log_;
  std::string registered_dir_;  // Non-empty once in OpenDirs().
  WriterLock writer_lock_;
  MDB_env* env_ = nullptr;
  MDB_dbi meta_ = 0;
  MDB_dbi hosts_ = 0;
  MDB_dbi series_ = 0;
  MDB_dbi windows_[kResolutionCount] = {0, 0};

  // Readers and writers hold env_mu_ shared for the length of a transaction;
  // changing the map size (which LMDB allows only with no transaction open in
  // the process) holds it exclusively.
  std::shared_mutex env_mu_;
  // Serializes Write() and Sweep(), and guards the scratch below.
  std::mutex write_mu_;
  std::string values_;                 // Encoded windows of the batch, back to back.
  std::vector<size_t> value_offsets_;  // Window i is values_[off[i], off[i + 1]).
  std::unordered_map<std::string_view, HostSeen> hosts_seen_;
  std::string keys_;
  std::vector<PendingPut> puts_;
  std::string key_buf_;
  std::string value_buf_;
  std::string series_scan_from_;  // Where the incremental series expiry resumes.

  mutable std::mutex stats_mu_;
  StoreStats stats_;  // Guarded by stats_mu_.
};

// ---- Open ----------------------------------------------------------------------

LmdbStore::~LmdbStore() {
  if (env_ != nullptr) mdb_env_close(env_);
  if (!registered_dir_.empty()) {
    std::lock_guard lock(g_open_dirs_mu);
    OpenDirs().erase(registered_dir_);
  }
}

Status LmdbStore::Init() {
  SONDE_RETURN_IF_ERROR(options_.Validate());
  SONDE_RETURN_IF_ERROR(PrepareDir());
  if (!options_.read_only) SONDE_RETURN_IF_ERROR(writer_lock_.Acquire(options_.dir));
  SONDE_RETURN_IF_ERROR(OpenEnv());
  ClearStaleReaders();
  SONDE_RETURN_IF_ERROR(OpenDatabases());
  RefreshSizeStats();
  const StoreStats st = GetStats();
  // A writer opening is a service's lifecycle event; readers (query tools)
  // open once per question, so their line is debug detail.
  log_->log(options_.read_only ? spdlog::level::debug : spdlog::level::info,
            "event=store_open dir={} mode={} map_bytes={} data_bytes={} schema={}", options_.dir,
            options_.read_only ? "read" : "write", st.map_bytes, st.data_bytes, kSchemaVersion);
  if (options_.no_sync && !options_.read_only) {
    log_->warn("event=store_no_sync dir={} detail=\"a machine crash can lose recent flushes\"",
               options_.dir);
  }
  return Status::OK();
}

Status LmdbStore::PrepareDir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (options_.read_only) {
    if (!fs::exists(fs::path(options_.dir) / "data.mdb", ec)) {
      return Status::NotFound("no database at " + options_.dir);
    }
  } else if (!fs::create_directories(options_.dir, ec) && ec) {
    return Status::IOError("cannot create " + options_.dir + ": " + ec.message());
  }
  const std::string canonical = fs::weakly_canonical(options_.dir, ec).string();
  if (ec) return Status::IOError("cannot resolve " + options_.dir + ": " + ec.message());
  std::lock_guard lock(g_open_dirs_mu);
  if (!OpenDirs().insert(canonical).second) {
    return Status::InvalidArgument("database at " + options_.dir +
                                   " is already open in this process; share that Store");
  }
  registered_dir_ = canonical;
  return Status::OK();
}

Status LmdbStore::OpenEnv() {
  int rc = mdb_env_create(&env_);
  if (rc != 0) return LmdbError(rc, "creating an LMDB environment");
  rc = mdb_env_set_maxdbs(env_, 8);
  if (rc == 0) rc = mdb_env_set_maxreaders(env_, options_.max_readers);
  if (rc == 0 && !options_.read_only) rc = mdb_env_set_mapsize(env_, options_.initial_map_bytes);
  if (rc != 0) return LmdbError(rc, "configuring the LMDB environment");
  // MDB_NOTLS: a read transaction belongs to the call, not the thread, so
  // reader slots are not tied to threads. Never MDB_WRITEMAP: a stray write
  // through a pointer could then damage the file.
  unsigned flags = MDB_NOTLS;
  if (options_.read_only) flags |= MDB_RDONLY;
  if (options_.no_sync) flags |= MDB_NOSYNC;
  rc = mdb_env_open(env_, options_.dir.c_str(), flags, 0644);
  if (rc == 0) return Status::OK();
  mdb_env_close(env_);
  env_ = nullptr;
  if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == MDB_CORRUPTED) {
    return Status::Corruption("database at " + options_.dir +
                              " is damaged or not an LMDB file: " + mdb_strerror(rc));
  }
  return LmdbError(rc, "opening the database at " + options_.dir);
}

Status LmdbStore::OpenDatabases() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, options_.read_only ? MDB_RDONLY : 0, &txn);
  if (rc != 0) return LmdbError(rc, "opening the database at " + options_.dir);
  Status s = InitDatabases(txn);
  if (!s.ok()) {
    mdb_txn_abort(txn);
    return s;
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return LmdbError(rc, "initializing the database at " + options_.dir);
  return Status::OK();
}

Status LmdbStore::InitDatabases(MDB_txn* txn) {
  int rc = mdb_dbi_open(txn, "meta", 0, &meta_);
  if (rc == MDB_NOTFOUND) {
    MDB_dbi main_dbi;
    MDB_stat st;
    rc = mdb_dbi_open(txn, nullptr, 0, &main_dbi);
    if (rc == 0) rc = mdb_stat(txn, main_dbi, &st);
    if (rc != 0) return LmdbError(rc, "reading the database at " + options_.dir);
    if (st.ms_entries > 0) {
      return Status::Corruption("database at " + options_.dir +
                                " is not a Sonde database (it has no schema record)");
    }
    if (options_.read_only) return Status::NotFound("no database at " + options_.dir + " yet");
    return CreateDatabases(txn);
  }
  if (rc != 0) return LmdbError(rc, "opening the schema table at " + options_.dir);
  SONDE_RETURN_IF_ERROR(CheckSchema(txn));
  const std::pair<const char*, MDB_dbi*> tables[] = {
      {"hosts", &hosts_}, {"series", &series_}, {"minute", &windows_[0]}, {"hour", &windows_[1]}};
  for (const auto& [name, dbi] : tables) {
    rc = mdb_dbi_open(txn, name, 0, dbi);
    if (rc == MDB_NOTFOUND) {
      return Status::Corruption("database at " + options_.dir + " has no '" + name + "' table");
    }
    if (rc != 0) return LmdbError(rc, std::string("opening table ") + name);
  }
  return Status::OK();
}

Status LmdbStore::CreateDatabases(MDB_txn* txn) {
  int rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &meta_);
  if (rc == 0) rc = mdb_dbi_open(txn, "hosts", MDB_CREATE, &hosts_);
  if (rc == 0) rc = mdb_dbi_open(txn, "series", MDB_CREATE, &series_);
  if (rc == 0) rc = mdb_dbi_open(txn, "minute", MDB_CREATE, &windows_[0]);
  if (rc == 0) rc = mdb_dbi_open(txn, "hour", MDB_CREATE, &windows_[1]);
  if (rc != 0) return LmdbError(rc, "creating tables at " + options_.dir);
  std::string version;
  PutFixed64(&version, kSchemaVersion);
  version.resize(4);  // Little-endian u32.
  MDB_val k = Val("schema");
  MDB_val v = Val(version);
  rc = mdb_put(txn, meta_, &k, &v, 0);
  if (rc != 0) return LmdbError(rc, "writing the schema version at " + options_.dir);
  log_->info("event=store_created dir={} schema={}", options_.dir, kSchemaVersion);
  return Status::OK();
}

Status LmdbStore::CheckSchema(MDB_txn* txn) {
  MDB_val k = Val("schema");
  MDB_val v;
  const int rc = mdb_get(txn, meta_, &k, &v);
  if (rc == MDB_NOTFOUND) {
    return Status::Corruption("database at " + options_.dir + " has no schema version");
  }
  if (rc != 0) return LmdbError(rc, "reading the schema version at " + options_.dir);
  if (v.mv_size != 4) {
    return Status::Corruption("database at " + options_.dir + " has a damaged schema version");
  }
  const auto* p = static_cast<const uint8_t*>(v.mv_data);
  const uint32_t schema = p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
  if (schema != kSchemaVersion) {
    return Status::Corruption("database at " + options_.dir + " has schema " +
                              std::to_string(schema) + ", this build reads " +
                              std::to_string(kSchemaVersion));
  }
  return Status::OK();
}

// ---- The retry layer ---------------------------------------------------------------

Status LmdbStore::RunWrite(std::string_view what, uint64_t map_limit, const TxnBody& body,
                           uint32_t* grows) {
  for (;;) {
    std::shared_lock lock(env_mu_);
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == MDB_MAP_RESIZED) {
      lock.unlock();
      SONDE_RETURN_IF_ERROR(AdoptMapSize());
      continue;
    }
    if (rc != 0) return LmdbError(rc, what);
    Status st;
    rc = body(txn, &st);
    if (rc == 0) {
      rc = mdb_txn_commit(txn);  // Frees the transaction even when it fails.
    } else {
      mdb_txn_abort(txn);
    }
    if (rc == 0) return Status::OK();
    if (rc == kAbortTxn) return st;
    if (rc != MDB_MAP_FULL) return LmdbError(rc, what);
    // The transaction is gone, so nothing of it was applied: grow and replay.
    lock.unlock();
    SONDE_RETURN_IF_ERROR(GrowMap(map_limit));
    if (grows != nullptr) ++*grows;
  }
}

Status LmdbStore::RunRead(std::string_view what, const std::function<Status(MDB_txn*)>& body) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::shared_lock lock(env_mu_);
    MDB_txn* txn = nullptr;
    const int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    if (rc == MDB_MAP_RESIZED) {
      lock.unlock();
      SONDE_RETURN_IF_ERROR(AdoptMapSize());
      continue;
    }
    if (rc == MDB_READERS_FULL) {
      lock.unlock();
      if (ClearStaleReaders() > 0) continue;
    }
    if (rc != 0) return LmdbError(rc, what);
    Status s = body(txn);
    mdb_txn_abort(txn);
    return s;
  }
  return Status::Unavailable(std::string(what) + ": the map kept being resized; try again");
}

Status LmdbStore::GrowMap(uint64_t limit) {
  std::unique_lock lock(env_mu_);
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  const uint64_t current = info.me_mapsize;
  if (current >= limit) {
    return Status::ResourceExhausted("database at " + options_.dir + " is full: the map is at " +
                                     std::to_string(current) + " bytes (max_map_bytes " +
                                     std::to_string(options_.max_map_bytes) + ")");
  }
  const uint64_t next = std::min(limit, std::max(current * 2, current + kMiB));
  const int rc = mdb_env_set_mapsize(env_, next);
  if (rc != 0) return LmdbError(rc, "growing the map of " + options_.dir);
  {
    std::lock_guard s(stats_mu_);
    ++stats_.map_grows;
    stats_.map_bytes = next;
  }
  log_->info("event=store_map_grown dir={} from_bytes={} to_bytes={}", options_.dir, current, next);
  return Status::OK();
}

Status LmdbStore::AdoptMapSize() {
  std::unique_lock lock(env_mu_);
  // Size 0 adopts the size another process recorded in the file.
  const int rc = mdb_env_set_mapsize(env_, 0);
  if (rc != 0) return LmdbError(rc, "adopting the new map size of " + options_.dir);
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  {
    std::lock_guard s(stats_mu_);
    ++stats_.map_resizes_adopted;
    stats_.map_bytes = info.me_mapsize;
  }
  log_->info("event=store_map_resize_adopted dir={} map_bytes={}", options_.dir, info.me_mapsize);
  return Status::OK();
}

uint32_t LmdbStore::ClearStaleReaders() {
  int dead = 0;
  if (mdb_reader_check(env_, &dead) != 0 || dead <= 0) return 0;
  {
    std::lock_guard s(stats_mu_);
    stats_.stale_readers_cleared += static_cast<uint64_t>(dead);
  }
  log_->info("event=store_stale_readers_cleared dir={} slots={}", options_.dir, dead);
  return static_cast<uint32_t>(dead);
}

uint64_t LmdbStore::SweepMapLimit() const {
  return options_.max_map_bytes + std::max(kMiB, options_.max_map_bytes / 64);
}

// ---- Write ------------------------------------------------------------------------

Status LmdbStore::ValidateBatch(const FlushBatch& batch) const {
  for (size_t i = 0; i < batch.series.size(); ++i) {
    const SeriesUpdate& u = batch.series[i];
    const std::string where = "batch series " + std::to_string(i);
    if (u.key == nullptr) return Status::InvalidArgument(where + " has no key");
    if (u.key->host().empty() || u.key->host().size() > SeriesKey::kMaxHostBytes ||
        u.key->name().empty()) {
      return Status::InvalidArgument(where + " has an invalid key (use SeriesKey::Make)");
    }
    if (!std::isfinite(u.last_value)) {
      return Status::InvalidArgument(where + " has a non-finite latest value");
    }
    if (static_cast<uint8_t>(u.kind) >= kMetricKindCount) {
      return Status::InvalidArgument(where + " has an unknown kind");
    }
  }
  for (size_t i = 0; i < batch.windows.size(); ++i) {
    const WindowUpdate& w = batch.windows[i];
    const std::string where = "batch window " + std::to_string(i);
    if (w.series >= batch.series.size()) {
      return Status::InvalidArgument(where + " names series " + std::to_string(w.series) + " of " +
                                     std::to_string(batch.series.size()));
    }
    if (WindowStart(w.window.start_ms(), w.window.resolution()) != w.window.start_ms()) {
      return Status::InvalidArgument(where + " starts at an unaligned time");
    }
    if (w.fold_into_hour && (w.window.resolution() != Resolution::kMinute || w.window.open())) {
      return Status::InvalidArgument(where + " folds into its hour but is not a closed minute");
    }
  }
  return Status::OK();
}

void LmdbStore::PrepareBatch(const FlushBatch& batch) {
  values_.clear();
  value_offsets_.clear();
  for (const WindowUpdate& w : batch.windows) {
    value_offsets_.push_back(values_.size());
    w.window.EncodeTo(&values_);
  }
  value_offsets_.push_back(values_.size());
  hosts_seen_.clear();
  for (const SeriesUpdate& u : batch.series) {
    auto [it, added] = hosts_seen_.try_emplace(u.key->host(), HostSeen{u.last_ms, u.last_ms});
    if (!added) {
      it->second.first_ms = std::min(it->second.first_ms, u.last_ms);
      it->second.last_ms = std::max(it->second.last_ms, u.last_ms);
    }
  }
}

Status LmdbStore::Write(const FlushBatch& batch, WriteResult* result) {
  WriteResult local;
  if (result == nullptr) result = &local;
  *result = WriteResult();
  if (options_.read_only) {
    return Status::InvalidArgument("store at " + options_.dir + " is open read-only");
  }
  SONDE_RETURN_IF_ERROR(ValidateBatch(batch));
  const auto started = std::chrono::steady_clock::now();
  std::lock_guard lock(write_mu_);
  PrepareBatch(batch);
  WriteCounts counts;
  Status s = RunWrite(
      "writing a flush batch", options_.max_map_bytes,
      [&](MDB_txn* txn, Status* st) {
        counts = WriteCounts();
        return ApplyBatch(txn, batch, result, &counts, st);
      },
      &result->map_grows);
  if (!s.ok()) {
    RecordWriteFailure(batch, s);
    return s;
  }
  {
    std::lock_guard st(stats_mu_);
    ++stats_.writes;
    stats_.windows_written += result->windows_written;
    stats_.minutes_folded += result->minutes_folded;
    stats_.folds_skipped += counts.folds_skipped;
    stats_.series_written += batch.series.size() - result->series_rejected;
    stats_.series_registered += counts.registered;
    stats_.series_collisions += counts.collisions;
    stats_.series_rejected += result->series_rejected;
  }
  RefreshSizeStats();
  log_->debug("event=store_write series={} windows={} bytes={} grows={} us={}", batch.series.size(),
              result->windows_written, values_.size(), result->map_grows, ElapsedUs(started));
  return Status::OK();
}

void LmdbStore::RecordWriteFailure(const FlushBatch& batch, const Status& s) {
  {
    std::lock_guard st(stats_mu_);
    ++stats_.write_errors;
    if (s.IsResourceExhausted()) {
      ++stats_.batches_shed;
      stats_.windows_shed += batch.windows.size();
    }
  }
  if (s.IsResourceExhausted()) {
    limited_log_.Warn("store_shed", "map_limit", "dir={} windows={} series={} detail=\"{}\"",
                      options_.dir, batch.windows.size(), batch.series.size(), s.message());
  } else {
    limited_log_.Error("store_write_failed", StatusCodeName(s.code()), "dir={} detail=\"{}\"",
                       options_.dir, s.message());
  }
}

int LmdbStore::ApplyBatch(MDB_txn* txn, const FlushBatch& batch, WriteResult* result,
                          WriteCounts* counts, Status* st) {
  result->ids.assign(batch.series.size(), kNoSeriesId);
  result->series_rejected = 0;
  result->windows_written = 0;
  result->minutes_folded = 0;
  for (size_t i = 0; i < batch.series.size(); ++i) {
    const SeriesUpdate& u = batch.series[i];
    SeriesId id = u.id;
    if (id == kNoSeriesId) {
      const int rc = ResolveId(txn, *u.key, &id, counts, st);
      if (rc != 0) return rc;
      if (id == kNoSeriesId) {
        ++result->series_rejected;
        continue;
      }
    }
    result->ids[i] = id;
    key_buf_.clear();
    AppendSeriesKey(&key_buf_, u.key->host(), id);
    value_buf_.clear();
    EncodeSeriesRecord(*u.key, u.kind, u.last_value, u.last_ms, &value_buf_);
    MDB_val k = Val(key_buf_);
    MDB_val v = Val(value_buf_);
    const int rc = mdb_put(txn, series_, &k, &v, 0);
    if (rc != 0) return rc;
  }
  int rc = PutHosts(txn, st);
  if (rc == 0) rc = PutWindows(txn, batch, result);
  if (rc == 0) rc = FoldMinutes(txn, batch, result, counts, st);
  return rc;
}

// Finds the id of `key` in the catalog, registering it when new. Ids are the
// key's hash; when another key of the same host holds it, the next ids are
// probed. Sets *id to kNoSeriesId when every probe collides.
int LmdbStore::ResolveId(MDB_txn* txn, const SeriesKey& key, SeriesId* id, WriteCounts* counts,
                         Status* st) {
  SeriesId candidate = key.Hash();
  for (int probe = 0; probe < kMaxIdProbes; ++probe) {
    key_buf_.clear();
    AppendSeriesKey(&key_buf_, key.host(), candidate);
    MDB_val k = Val(key_buf_);
    MDB_val v;
    const int rc = mdb_get(txn, series_, &k, &v);
    if (rc == MDB_NOTFOUND) {
      ++counts->registered;
      *id = candidate;
      return 0;
    }
    if (rc != 0) return rc;
    Result<bool> same = SeriesRecordMatches(View(v), key);
    if (!same) {
      *st = same.error().WithContext("series catalog of host '" + key.host() + "'");
      return kAbortTxn;
    }
    if (*same) {
      *id = candidate;
      return 0;
    }
    ++counts->collisions;
    candidate = candidate + 1 == kNoSeriesId ? 1 : candidate + 1;
  }
  limited_log_.Error("store_series_rejected", "id_collision", "series={}", key.ToString());
  *id = kNoSeriesId;
  return 0;
}

int LmdbStore::PutHosts(MDB_txn* txn, Status* st) {
  for (const auto& [host, seen] : hosts_seen_) {
    MDB_val k = Val(host);
    MDB_val v;
    int rc = mdb_get(txn, hosts_, &k, &v);
    HostInfo info{std::string(host), seen.first_ms, seen.last_ms};
    if (rc == 0) {
      HostInfo stored;
      Status s = DecodeHostRecord(host, View(v), &stored);
      if (!s.ok()) {
        *st = s;
        return kAbortTxn;
      }
      if (stored.last_seen_ms >= seen.last_ms && stored.first_seen_ms <= seen.first_ms) continue;
      info.first_seen_ms = std::min(stored.first_seen_ms, seen.first_ms);
      info.last_seen_ms = std::max(stored.last_seen_ms, seen.last_ms);
    } else if (rc != MDB_NOTFOUND) {
      return rc;
    }
    value_buf_.clear();
    EncodeHostRecord(info, &value_buf_);
    v = Val(value_buf_);
    rc = mdb_put(txn, hosts_, &k, &v, 0);
    if (rc != 0) return rc;
  }
  return 0;
}

// Puts the windows in key order. Keys are time first, so a flush's windows
// land together at the end of each table: the first window past the last
// stored key and everything after it are appended (MDB_APPEND fills pages
// instead of splitting them in half).
int LmdbStore::PutWindows(MDB_txn* txn, const FlushBatch& batch, WriteResult* result) {
  keys_.clear();
  puts_.clear();
  for (size_t i = 0; i < batch.windows.size(); ++i) {
    const WindowUpdate& w = batch.windows[i];
    const SeriesId id = result->ids[w.series];
    if (id == kNoSeriesId) continue;
    const size_t offset = keys_.size();
    AppendWindowKey(&keys_, w.window.start_ms(), batch.series[w.series].key->host(), id);
    puts_.push_back({offset, static_cast<uint32_t>(keys_.size() - offset), static_cast<uint32_t>(i),
                     static_cast<uint8_t>(w.window.resolution())});
  }
  auto key_of = [this](const PendingPut& p) {
    return std::string_view(keys_).substr(p.key_offset, p.key_size);
  };
  // Stable, so that of two updates of one window the later one wins below.
  std::stable_sort(puts_.begin(), puts_.end(), [&](const PendingPut& a, const PendingPut& b) {
    if (a.resolution != b.resolution) return a.resolution < b.resolution;
    return key_of(a) < key_of(b);
  });
  for (size_t i = 0; i < puts_.size();) {
    const uint8_t res = puts_[i].resolution;
    Cursor cursor(txn, windows_[res]);
    if (cursor.open_rc() != 0) return cursor.open_rc();
    int rc = cursor.Last();
    if (rc != 0 && rc != MDB_NOTFOUND) return rc;
    std::string last_key(rc == 0 ? cursor.key() : std::string_view());
    bool append = false;
    for (; i < puts_.size() && puts_[i].resolution == res; ++i) {
      const std::string_view key = key_of(puts_[i]);
      if (i + 1 < puts_.size() && puts_[i + 1].resolution == res && key_of(puts_[i + 1]) == key) {
        continue;  // Superseded by a later update of the same window.
      }
      append = append || key > last_key;
      const uint32_t w = puts_[i].window;
      const std::string_view value = std::string_view(values_).substr(
          value_offsets_[w], value_offsets_[w + 1] - value_offsets_[w]);
      rc = cursor.Put(key, value, append ? MDB_APPEND : 0);
      if (rc != 0) return rc;
      ++result->windows_written;
    }
  }
  return 0;
}

// Merges each closed minute marked fold_into_hour into its stored hour, once
// (the hour's folded-minutes mask makes a replay a no-op). Runs after the
// window puts, so it reads what this transaction wrote.
int LmdbStore::FoldMinutes(MDB_txn* txn, const FlushBatch& batch, WriteResult* result,
                           WriteCounts* counts, Status* st) {
  RollupWindow hour;
  for (const WindowUpdate& w : batch.windows) {
    const SeriesId id = result->ids[w.series];
    if (!w.fold_into_hour || id == kNoSeriesId) continue;
    const std::string& host = batch.series[w.series].key->host();
    const int64_t hour_start = WindowStart(w.window.start_ms(), Resolution::kHour);
    key_buf_.clear();
    AppendWindowKey(&key_buf_, hour_start, host, id);
    MDB_val k = Val(key_buf_);
    MDB_val v;
    int rc = mdb_get(txn, windows_[1], &k, &v);
    if (rc == MDB_NOTFOUND) {
      hour.Reset(w.window.kind(), Resolution::kHour, hour_start);
    } else if (rc != 0) {
      return rc;
    } else {
      Status s = RollupWindow::Decode(View(v), Resolution::kHour, hour_start, &hour);
      if (!s.ok()) {
        *st = s.WithContext("hour window of " + batch.series[w.series].key->ToString());
        return kAbortTxn;
      }
    }
    // An hour written whole (direct mode) already holds its minutes.
    const bool direct = hour.folded_minutes() == 0 && !hour.empty();
    Result<bool> folded = direct ? Result<bool>(false) : hour.FoldMinute(w.window);
    if (direct || !folded) {
      ++counts->folds_skipped;
      limited_log_.Warn("store_fold_skipped", direct ? "direct_hour" : "kind_changed", "series={}",
                        batch.series[w.series].key->ToString());
      continue;
    }
    if (!*folded) continue;  // Folded by an earlier flush.
    value_buf_.clear();
    hour.EncodeTo(&value_buf_);
    v = Val(value_buf_);
    rc = mdb_put(txn, windows_[1], &k, &v, 0);
    if (rc != 0) return rc;
    ++result->minutes_folded;
  }
  return 0;
}

// ---- Sweep ---------------------------------------------------------------------

// One bounded transaction: walks `dbi` from `from` and deletes what `decide`
// says to, visiting at most sweep_keys_per_txn items. *done is true when the
// walk ended (kStop or the end of the table) rather than at the bound;
// *resume (optional) receives the key to continue from.
Status LmdbStore::DeleteRun(MDB_dbi dbi, std::string_view from, const Decider& decide,
                            uint64_t* deleted, bool* done, std::string* resume) {
  std::vector<std::string> doomed;
  return RunWrite(
      "expiring data", SweepMapLimit(),
      [&](MDB_txn* txn, Status*) {
        doomed.clear();
        *done = false;
        Cursor cursor(txn, dbi);
        if (cursor.open_rc() != 0) return cursor.open_rc();
        int rc = cursor.Seek(from);
        uint32_t visited = 0;
        for (; rc == 0 && visited < options_.sweep_keys_per_txn; rc = cursor.Next(), ++visited) {
          const Action a = decide(cursor.key(), cursor.value());
          if (a == Action::kStop) break;
          if (a == Action::kDelete) doomed.emplace_back(cursor.key());
        }
        if (rc != 0 && rc != MDB_NOTFOUND) return rc;
        *done = rc == MDB_NOTFOUND || visited < options_.sweep_keys_per_txn;
        if (resume != nullptr) resume->assign(*done || rc != 0 ? std::string_view() : cursor.key());
        // Deleting after the walk keeps the cursor walk simple and valid.
        for (const std::string& key : doomed) {
          MDB_val k = Val(key);
          rc = mdb_del(txn, dbi, &k, nullptr);
          if (rc != 0) return rc;
        }
        *deleted = doomed.size();
        return 0;
      },
      nullptr);
}

// A window [start, start + len) expires once start + len <= now - retention.
Status LmdbStore::ExpireWindows(Resolution res, int64_t now_ms, uint32_t* budget,
                                uint64_t* expired) {
  const auto retention =
      res == Resolution::kMinute ? options_.minute_retention : options_.hour_retention;
  const int64_t last_expired_start = now_ms - retention.count() - ResolutionMs(res);
  const Decider decide = [&](std::string_view key, std::string_view) {
    return key.size() >= 8 && LoadKeyTime(key.data()) <= last_expired_start ? Action::kDelete
                                                                            : Action::kStop;
  };
  for (bool done = false; !done && *budget > 0;) {
    --*budget;
    uint64_t deleted = 0;
    SONDE_RETURN_IF_ERROR(
        DeleteRun(windows_[static_cast<int>(res)], "", decide, &deleted, &done, nullptr));
    *expired += deleted;
  }
  return Status::OK();
}

Status LmdbStore::ExpireHosts(int64_t cutoff_ms, uint32_t* budget, SweepResult* result) {
  std::vector<std::string> expired;
  Status listed = RunRead("listing hosts to expire", [&](MDB_txn* txn) {
    return ScanPrefix(txn, hosts_, "", [&](std::string_view k, std::string_view v) {
      HostInfo info;
      Status s = DecodeHostRecord(k, v, &info);
      if (s.ok() && info.last_seen_ms <= cutoff_ms) expired.emplace_back(k);
      return s;
    });
  });
  if (!listed.ok()) return listed;
  for (const std::string& host : expired) {
    std::string prefix;
    AppendHostPrefix(&prefix, host);
    const Decider decide = [&](std::string_view key, std::string_view) {
      return StartsWith(key, prefix) ? Action::kDelete : Action::kStop;
    };
    bool done = false;
    for (; !done && *budget > 0; --*budget) {
      uint64_t deleted = 0;
      SONDE_RETURN_IF_ERROR(DeleteRun(series_, prefix, decide, &deleted, &done, nullptr));
      result->series_expired += deleted;
    }
    if (!done || *budget == 0) return Status::OK();
    uint64_t deleted = 0;
    const Decider just_host = [&](std::string_view key, std::string_view) {
      return key == host ? Action::kDelete : Action::kStop;
    };
    --*budget;
    SONDE_RETURN_IF_ERROR(DeleteRun(hosts_, host, just_host, &deleted, &done, nullptr));
    result->hosts_expired += deleted;
  }
  return Status::OK();
}

// Series of live hosts that stopped reporting: one bounded walk per Sweep,
// resuming where the previous one stopped, so the whole catalog is covered
// over successive sweeps at a bounded cost each.
Status LmdbStore::ExpireSeries(int64_t cutoff_ms, uint32_t* budget, SweepResult* result) {
  if (*budget == 0) return Status::OK();
  --*budget;
  const Decider decide = [&](std::string_view, std::string_view value) {
    uint64_t ts;
    std::string_view rest = value.substr(std::min<size_t>(value.size(), 10));
    if (!GetFixed64(&rest, &ts)) return Action::kSkip;  // Damaged: left for queries to report.
    return static_cast<int64_t>(ts) <= cutoff_ms ? Action::kDelete : Action::kSkip;
  };
  uint64_t deleted = 0;
  bool done = false;
  const std::string from = series_scan_from_;
  SONDE_RETURN_IF_ERROR(DeleteRun(series_, from, decide, &deleted, &done, &series_scan_from_));
  result->series_expired += deleted;
  return Status::OK();
}

// Evicts the oldest windows, minute windows first (the hours still cover
// that time), while live data exceeds the size cap.
Status LmdbStore::EnforceSizeCap(uint32_t* budget, SweepResult* result) {
  if (options_.size_cap_bytes == 0) return Status::OK();
  const Decider oldest = [](std::string_view, std::string_view) { return Action::kDelete; };
  for (int res = 0; res < kResolutionCount;) {
    Result<uint64_t> bytes = DataBytes();
    if (!bytes) return bytes.error();
    if (*bytes <= options_.size_cap_bytes) return Status::OK();
    if (*budget == 0) {
      result->more = true;
      return Status::OK();
    }
    --*budget;
    uint64_t deleted = 0;
    bool done = false;
    SONDE_RETURN_IF_ERROR(DeleteRun(windows_[res], "", oldest, &deleted, &done, nullptr));
    result->windows_evicted += deleted;
    if (deleted > 0) {
      limited_log_.Warn("store_evicted", "size_cap", "dir={} resolution={} windows={} cap_bytes={}",
                        options_.dir, ResolutionName(static_cast<Resolution>(res)), deleted,
                        options_.size_cap_bytes);
    }
    if (deleted == 0) ++res;
  }
  return Status::OK();
}

Status LmdbStore::Sweep(int64_t now_ms, SweepResult* result) {
  SweepResult local;
  if (result == nullptr) result = &local;
  *result = SweepResult();
  if (options_.read_only) {
    return Status::InvalidArgument("store at " + options_.dir + " is open read-only");
  }
  const auto started = std::chrono::steady_clock::now();
  std::lock_guard lock(write_mu_);
  result->stale_readers_cleared = ClearStaleReaders();
  uint32_t budget = options_.sweep_txns_per_call;
  SONDE_RETURN_IF_ERROR(
      ExpireWindows(Resolution::kMinute, now_ms, &budget, &result->minute_windows_expired));
  SONDE_RETURN_IF_ERROR(
      ExpireWindows(Resolution::kHour, now_ms, &budget, &result->hour_windows_expired));
  const int64_t catalog_cutoff = now_ms - options_.catalog_retention.count();
  SONDE_RETURN_IF_ERROR(ExpireHosts(catalog_cutoff, &budget, result));
  SONDE_RETURN_IF_ERROR(ExpireSeries(catalog_cutoff, &budget, result));
  SONDE_RETURN_IF_ERROR(EnforceSizeCap(&budget, result));
  result->transactions = options_.sweep_txns_per_call - budget;
  result->more = result->more || budget == 0;
  RefreshSizeStats();
  {
    std::lock_guard st(stats_mu_);
    stats_.windows_expired += result->minute_windows_expired + result->hour_windows_expired;
    stats_.windows_evicted += result->windows_evicted;
    stats_.hosts_expired += result->hosts_expired;
    stats_.series_expired += result->series_expired;
  }
  const uint64_t total = result->minute_windows_expired + result->hour_windows_expired +
                         result->windows_evicted + result->series_expired;
  log_->log(total > 0 ? spdlog::level::info : spdlog::level::debug,
            "event=store_sweep minute_expired={} hour_expired={} evicted={} hosts_expired={} "
            "series_expired={} txns={} more={} us={}",
            result->minute_windows_expired, result->hour_windows_expired, result->windows_evicted,
            result->hosts_expired, result->series_expired, result->transactions, result->more,
            ElapsedUs(started));
  return Status::OK();
}

Result<uint64_t> LmdbStore::DataBytes() {
  uint64_t bytes = 0;
  Status s = RunRead("measuring the database", [&](MDB_txn* txn) {
    for (MDB_dbi dbi : {meta_, hosts_, series_, windows_[0], windows_[1]}) {
      MDB_stat st;
      const int rc = mdb_stat(txn, dbi, &st);
      if (rc != 0) return LmdbError(rc, "measuring a table");
      bytes += (st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) * st.ms_psize;
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  return bytes;
}

void LmdbStore::RefreshSizeStats() {
  Result<uint64_t> bytes = DataBytes();
  MDB_envinfo info;
  {
    std::shared_lock lock(env_mu_);
    mdb_env_info(env_, &info);
  }
  std::lock_guard st(stats_mu_);
  if (bytes) stats_.data_bytes = *bytes;
  stats_.map_bytes = info.me_mapsize;
}

StoreStats LmdbStore::GetStats() const {
  std::lock_guard st(stats_mu_);
  return stats_;
}

// ---- Read --------------------------------------------------------------------------

Status LmdbStore::ScanPrefix(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix, const ScanFn& fn) {
  Cursor cursor(txn, dbi);
  if (cursor.open_rc() != 0) return LmdbError(cursor.open_rc(), "opening a cursor");
  int rc = cursor.Seek(prefix);
  for (; rc == 0 && StartsWith(cursor.key(), prefix); rc = cursor.Next()) {
    SONDE_RETURN_IF_ERROR(fn(cursor.key(), cursor.value()));
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "scanning");
  return Status::OK();
}

Status LmdbStore::ScanFrom(MDB_txn* txn, MDB_dbi dbi, std::string_view from, const ScanFn& fn) {
  Cursor cursor(txn, dbi);
  if (cursor.open_rc() != 0) return LmdbError(cursor.open_rc(), "opening a cursor");
  int rc = cursor.Seek(from);
  for (; rc == 0; rc = cursor.Next()) SONDE_RETURN_IF_ERROR(fn(cursor.key(), cursor.value()));
  if (rc != MDB_NOTFOUND) return LmdbError(rc, "scanning");
  return Status::OK();
}

Status LmdbStore::CheckHost(MDB_txn* txn, std::string_view host) {
  MDB_val k = Val(host);
  MDB_val v;
  const int rc = mdb_get(txn, hosts_, &k, &v);
  if (rc == MDB_NOTFOUND) return Status::NotFound("unknown host '" + std::string(host) + "'");
  if (rc != 0) return LmdbError(rc, "looking up a host");
  return Status::OK();
}

Status LmdbStore::GetSeries(MDB_txn* txn, std::string_view host, SeriesId id, LatestState* out) {
  std::string key;
  AppendSeriesKey(&key, host, id);
  MDB_val k = Val(key);
  MDB_val v;
  const int rc = mdb_get(txn, series_, &k, &v);
  if (rc == MDB_NOTFOUND) {
    return Status::NotFound("unknown series " + std::to_string(id) + " of host '" +
                            std::string(host) + "'");
  }
  if (rc != 0) return LmdbError(rc, "looking up a series");
  return DecodeSeriesRecord(host, id, View(v), out);
}

Status LmdbStore::ListHosts(std::vector<HostInfo>* out) {
  out->clear();
  return RunRead("listing hosts", [&](MDB_txn* txn) {
    return ScanPrefix(txn, hosts_, "", [&](std::string_view k, std::string_view v) {
      out->emplace_back();
      return DecodeHostRecord(k, v, &out->back());
    });
  });
}

Status LmdbStore::ListSeries(std::string_view host, std::vector<LatestState>* out) {
  return ReadLatest(LatestQuery{std::string(host), "", {}}, out);
}

Status LmdbStore::ReadLatest(const LatestQuery& q, std::vector<LatestState>* out) {
  out->clear();
  std::string prefix;
  if (!q.host.empty()) AppendHostPrefix(&prefix, q.host);
  Status s = RunRead("reading latest state", [&](MDB_txn* txn) {
    if (!q.host.empty()) SONDE_RETURN_IF_ERROR(CheckHost(txn, q.host));
    LatestState state;
    return ScanPrefix(txn, series_, prefix, [&](std::string_view k, std::string_view v) {
      std::string_view host;
      SeriesId id;
      if (!ParseSeriesKey(k, &host, &id)) return Status::Corruption("damaged series key");
      SONDE_RETURN_IF_ERROR(DecodeSeriesRecord(host, id, v, &state));
      if (ContainsIgnoreCase(state.key.name(), q.label) && state.MatchesTags(q.where)) {
        out->push_back(std::move(state));
      }
      return Status::OK();
    });
  });
  if (!s.ok()) {
    out->clear();
    return s;
  }
  std::sort(out->begin(), out->end(), SeriesLess);
  return Status::OK();
}

// Visits the windows of one series with starts in [first, last], probing
// each start but skipping over runs of starts where the table has nothing:
// a probe that lands on a later start continues from there.
Status LmdbStore::ScanSeriesWindows(MDB_txn* txn, MDB_dbi dbi, int64_t first, int64_t last,
                                    std::string_view host, SeriesId id, const ScanFn& fn) {
  Cursor cursor(txn, dbi);
  if (cursor.open_rc() != 0) return LmdbError(cursor.open_rc(), "opening a cursor");
  std::string target;
  for (int64_t start = first; start <= last;) {
    target.clear();
    AppendWindowKey(&target, start, host, id);
    const int rc = cursor.Seek(target);
    if (rc == MDB_NOTFOUND) break;
    if (rc != 0) return LmdbError(rc, "reading windows");
    int64_t found_start;
    std::string_view found_host;
    SeriesId found_id;
    if (!ParseWindowKey(cursor.key(), &found_start, &found_host, &found_id)) {
      return Status::Corruption("damaged window key");
    }
    if (found_start > last) break;
    const std::string_view found_series = cursor.key().substr(8);
    const std::string_view wanted = std::string_view(target).substr(8);
    if (found_series == wanted) {
      SONDE_RETURN_IF_ERROR(fn(cursor.key(), cursor.value()));
      start = found_start + 1;
    } else if (found_start > start && found_series < wanted) {
      start = found_start;  // The series may be further along this start.
    } else {
      start = found_start + 1;
    }
  }
  return Status::OK();
}

// Visits the windows of every series of `host` with starts in [first, last].
Status LmdbStore::ScanHostWindows(MDB_txn* txn, MDB_dbi dbi, int64_t first, int64_t last,
                                  std::string_view host, const ScanFn& fn) {
  Cursor cursor(txn, dbi);
  if (cursor.open_rc() != 0) return LmdbError(cursor.open_rc(), "opening a cursor");
  std::string prefix;
  for (int64_t start = first; start <= last;) {
    prefix.clear();
    AppendWindowHostPrefix(&prefix, start, host);
    int rc = cursor.Seek(prefix);
    if (rc == MDB_NOTFOUND) break;
    if (rc != 0) return LmdbError(rc, "reading windows");
    if (cursor.key().size() < 8) return Status::Corruption("damaged window key");
    const int64_t found_start = LoadKeyTime(cursor.key().data());
    if (found_start > last) break;
    const std::string_view wanted = std::string_view(prefix).substr(8);
    const std::string_view found_host = cursor.key().substr(8, wanted.size());
    if (found_start > start && found_host < wanted) {
      start = found_start;  // The host may be further along this start.
      continue;
    }
    std::string at(cursor.key().substr(0, 8));  // Copied: Next() moves the view.
    at.append(wanted);
    for (; rc == 0 && StartsWith(cursor.key(), at); rc = cursor.Next()) {
      SONDE_RETURN_IF_ERROR(fn(cursor.key(), cursor.value()));
    }
    if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "reading windows");
    start = found_start + 1;
  }
  return Status::OK();
}

// A few series: probe each one's keys; many: walk the host's keys.
Status LmdbStore::ScanWindows(MDB_txn* txn, MDB_dbi dbi, int64_t first, int64_t last,
                              const std::string& host, const std::vector<SeriesRollups>& series,
                              const ScanFn& fn) {
  if (series.size() > 4) return ScanHostWindows(txn, dbi, first, last, host, fn);
  for (const SeriesRollups& r : series) {
    SONDE_RETURN_IF_ERROR(ScanSeriesWindows(txn, dbi, first, last, host, r.series.id, fn));
  }
  return Status::OK();
}

// Folded hours hold the minutes that closed; the minutes still open (the
// last few, or those of a summarizer that has not restarted yet) are added
// here so that an hour reads complete up to the last flush, and such an hour
// reads open. Only the two newest hours of the minute table can hold open
// minutes worth adding.
Status LmdbStore::OverlayOpenMinutes(MDB_txn* txn, const RollupQuery& q, int64_t first,
                                     int64_t last,
                                     const std::unordered_map<SeriesId, size_t>& index,
                                     std::vector<SeriesRollups>* out) {
  int64_t newest;
  {
    Cursor cursor(txn, windows_[0]);
    if (cursor.open_rc() != 0) return LmdbError(cursor.open_rc(), "opening a cursor");
    const int rc = cursor.Last();
    if (rc == MDB_NOTFOUND) return Status::OK();
    if (rc != 0) return LmdbError(rc, "reading minute windows");
    if (cursor.key().size() < 8) return Status::Corruption("damaged window key");
    newest = LoadKeyTime(cursor.key().data());
  }
  const int64_t from = std::max(first, WindowStart(newest, Resolution::kHour) - 3600000);
  const int64_t to = std::min(last + 3600000 - 1, newest);
  if (from > to) return Status::OK();
  RollupWindow minute;
  const ScanFn fold = [&](std::string_view key, std::string_view value) {
    if (!RollupWindow::EncodedIsOpen(value)) return Status::OK();
    int64_t start;
    std::string_view host;
    SeriesId id;
    if (!ParseWindowKey(key, &start, &host, &id)) return Status::Corruption("damaged window key");
    auto it = index.find(id);
    if (it == index.end()) return Status::OK();
    SONDE_RETURN_IF_ERROR(RollupWindow::Decode(value, Resolution::kMinute, start, &minute));
    std::vector<RollupWindow>& hours = (*out)[it->second].windows;
    const int64_t hour_start = WindowStart(start, Resolution::kHour);
    auto h = std::lower_bound(hours.begin(), hours.end(), hour_start,
                              [](const RollupWindow& w, int64_t t) { return w.start_ms() < t; });
    if (h == hours.end() || h->start_ms() != hour_start) {
      h = hours.insert(h, RollupWindow(minute.kind(), Resolution::kHour, hour_start));
    } else if (h->folded_minutes() == 0 && !h->empty()) {
      return Status::OK();  // Written whole: it has its open minutes already.
    }
    // A kind that changed within the hour is left out, as FoldMinutes does.
    h->FoldMinute(minute).status().IgnoreError();
    // The stored hour was written closed (only minutes are written open in
    // folded mode), but a minute of it still receives samples, so it does.
    h->set_open(true);
    return Status::OK();
  };
  return ScanWindows(txn, windows_[0], from, to, q.host, *out, fold);
}

Status LmdbStore::SelectSeries(MDB_txn* txn, const RollupQuery& q,
                               std::vector<SeriesRollups>* out) {
  SONDE_RETURN_IF_ERROR(CheckHost(txn, q.host));
  if (q.series != kNoSeriesId) {
    out->emplace_back();
    return GetSeries(txn, q.host, q.series, &out->back().series);
  }
  std::string prefix;
  AppendHostPrefix(&prefix, q.host);
  return ScanPrefix(txn, series_, prefix, [&](std::string_view k, std::string_view v) {
    std::string_view host;
    SeriesId id;
    if (!ParseSeriesKey(k, &host, &id)) return Status::Corruption("damaged series key");
    LatestState state;
    SONDE_RETURN_IF_ERROR(DecodeSeriesRecord(host, id, v, &state));
    if (ContainsIgnoreCase(state.key.name(), q.label)) out->push_back({std::move(state), {}});
    return Status::OK();
  });
}

Status LmdbStore::ReadRollups(const RollupQuery& q, std::vector<SeriesRollups>* out) {
  out->clear();
  if (q.host.empty()) return Status::InvalidArgument("rollup query without a host");
  if (q.from_ms >= q.to_ms) return Status::InvalidArgument("rollup query with from >= to");
  const Resolution res = q.resolution;
  const MDB_dbi dbi = windows_[static_cast<int>(res)];
  const int64_t first = WindowStart(std::clamp(q.from_ms, kMinQueryMs, kMaxQueryMs), res);
  const int64_t last = WindowStart(std::clamp(q.to_ms, kMinQueryMs, kMaxQueryMs) - 1, res);
  Status s = RunRead("reading rollups", [&](MDB_txn* txn) {
    SONDE_RETURN_IF_ERROR(SelectSeries(txn, q, out));
    std::unordered_map<SeriesId, size_t> index;
    for (size_t i = 0; i < out->size(); ++i) index[(*out)[i].series.id] = i;
    const ScanFn add = [&](std::string_view key, std::string_view value) {
      int64_t start;
      std::string_view host;
      SeriesId id;
      if (!ParseWindowKey(key, &start, &host, &id)) return Status::Corruption("damaged window key");
      auto it = index.find(id);
      if (it == index.end()) return Status::OK();
      auto& windows = (*out)[it->second].windows;
      windows.emplace_back();
      Status st = RollupWindow::Decode(value, res, start, &windows.back());
      if (!st.ok()) return st.WithContext("window of " + (*out)[it->second].series.key.ToString());
      return Status::OK();
    };
    SONDE_RETURN_IF_ERROR(ScanWindows(txn, dbi, first, last, q.host, *out, add));
    if (res != Resolution::kHour) return Status::OK();
    return OverlayOpenMinutes(txn, q, first, last, index, out);
  });
  if (!s.ok()) {
    out->clear();
    return s;
  }
  std::erase_if(*out, [](const SeriesRollups& r) { return r.windows.empty(); });
  std::sort(out->begin(), out->end(), [](const SeriesRollups& a, const SeriesRollups& b) {
    return SeriesLess(a.series, b.series);
  });
  return Status::OK();
}

Status LmdbStore::LoadOpenWindows(Resolution resolution, int64_t since_ms,
                                  std::vector<OpenWindow>* out) {
  const MDB_dbi dbi = windows_[static_cast<int>(resolution)];
  std::string from;
  PutKeyTime(&from, WindowStart(std::clamp(since_ms, kMinQueryMs, kMaxQueryMs), resolution));
  return RunRead("loading open windows", [&](MDB_txn* txn) {
    std::unordered_map<std::string, LatestState> series;  // By series key bytes.
    return ScanFrom(txn, dbi, from, [&](std::string_view key, std::string_view value) {
      int64_t start;
      std::string_view host;
      SeriesId id;
      if (!ParseWindowKey(key, &start, &host, &id)) return Status::Corruption("damaged window key");
      OpenWindow w;
      SONDE_RETURN_IF_ERROR(RollupWindow::Decode(value, resolution, start, &w.window));
      if (!w.window.open()) return Status::OK();
      auto it = series.find(std::string(key.substr(8)));
      if (it == series.end()) {
        LatestState state;
        Status s = GetSeries(txn, host, id, &state);
        if (s.IsNotFound()) return Status::OK();  // Expired from the catalog.
        SONDE_RETURN_IF_ERROR(s);
        it = series.emplace(std::string(key.substr(8)), std::move(state)).first;
      }
      w.series = it->second;
      out->push_back(std::move(w));
      return Status::OK();
    });
  });
}

Result<std::unique_ptr<Store>> OpenLmdbStore(const StoreOptions& options) {
  auto store = std::make_unique<LmdbStore>(options);
  Status s = store->Init();
  if (!s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sonde::store_internal

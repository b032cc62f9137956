#include "local_query_source.h"

#include <utility>

#include "sonde/log.h"
#include "sonde/store.h"
#include "sonde/store_options.h"

namespace sonde::tools {

namespace {

class LocalQuerySource : public QuerySource {
 public:
  explicit LocalQuerySource(std::unique_ptr<Store> store) : store_(std::move(store)) {}

  Status ListHosts(std::vector<HostInfo>* out) override { return store_->ListHosts(out); }
  Status ListSeries(std::string_view host, std::vector<LatestState>* out) override {
    return store_->ListSeries(host, out);
  }
  Status ReadRollups(const RollupQuery& query, int64_t now_ms,
                     std::vector<api::SeriesWindows>* out) override {
    out->clear();
    std::vector<SeriesRollups> rollups;
    SONDE_RETURN_IF_ERROR(store_->ReadRollups(query, &rollups));
    // The same derivation the summarizer serves, so that --db and --url
    // print the same figures.
    for (SeriesRollups& r : rollups)
      out->push_back(api::ServeWindows(std::move(r.series), r.windows, now_ms));
    return Status::OK();
  }
  Status ReadLatest(const LatestQuery& query, std::vector<LatestState>* out) override {
    return store_->ReadLatest(query, out);
  }

 private:
  std::unique_ptr<Store> store_;
};

}  // namespace

Result<std::unique_ptr<QuerySource>> OpenLocalQuerySource(const std::string& dir) {
  StoreOptions options;
  options.dir = dir;
  options.read_only = true;
  options.logger = GetLogger("sonde.store");
  Result<std::unique_ptr<Store>> store = Store::Open(options);
  if (!store) {
    const Status& s = store.error();
    if (s.IsNotFound()) {
      return Status::NotFound(
          "no database at " + dir +
          ": start the summarizer to create it (sonde-summarizer --data-dir " + dir +
          "), point at another one with --db DIR, or ask a running summarizer with "
          "--url http://127.0.0.1:7780");
    }
    return s;
  }
  return std::unique_ptr<QuerySource>(std::make_unique<LocalQuerySource>(std::move(*store)));
}

}  // namespace sonde::tools

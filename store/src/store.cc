#include "sonde/store.h"

#include "lmdb_store.h"

namespace sonde {

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  return store_internal::OpenLmdbStore(options);
}

}  // namespace sonde

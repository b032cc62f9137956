// LmdbStore: the Store on LMDB. The only file that includes <lmdb.h> is
// lmdb_store.cc; every LMDB return code is converted there (mdb_strerror).
#ifndef SONDE_STORE_LMDB_STORE_H_
#define SONDE_STORE_LMDB_STORE_H_

#include <memory>

#include "sonde/status.h"
#include "sonde/store.h"
#include "sonde/store_options.h"

namespace sonde::store_internal {

// Opens an LmdbStore; see Store::Open for the contract.
Result<std::unique_ptr<Store>> OpenLmdbStore(const StoreOptions& options);

}  // namespace sonde::store_internal

#endif  // SONDE_STORE_LMDB_STORE_H_

# Every third-party dependency comes from a Debian package (scripts/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(msgpack REQUIRED CONFIG)      # libmsgpack-cxx-dev: target msgpackc-cxx
find_package(cppzmq REQUIRED CONFIG)       # cppzmq-dev: target cppzmq
find_package(nlohmann_json REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)
find_package(tomlplusplus REQUIRED CONFIG)
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)           # libsqlite3-dev: `sonde sql`
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)

# llhttp: Debian's node-llhttp ships the generated C parser as sources; we
# compile them into a small static library of our own.
find_path(LLHTTP_INCLUDE_DIR llhttp.h PATHS /usr/share/include/llhttp REQUIRED)
find_file(LLHTTP_SOURCE llhttp.c PATHS /usr/share/llhttp REQUIRED NO_DEFAULT_PATH)
get_filename_component(LLHTTP_SOURCE_DIR ${LLHTTP_SOURCE} DIRECTORY)
add_library(sonde_llhttp STATIC
  ${LLHTTP_SOURCE_DIR}/llhttp.c ${LLHTTP_SOURCE_DIR}/api.c ${LLHTTP_SOURCE_DIR}/http.c)
target_include_directories(sonde_llhttp SYSTEM PUBLIC ${LLHTTP_INCLUDE_DIR})
set_target_properties(sonde_llhttp PROPERTIES C_STANDARD 99)
target_compile_options(sonde_llhttp PRIVATE -w)

if(SONDE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SONDE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

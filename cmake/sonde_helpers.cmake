# Shared compile settings and helpers, in the spirit of leveldb_test().

set(SONDE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(NOT SONDE_SANITIZE STREQUAL "" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC's flow analysis sees the sanitizers' instrumentation and reports
  # "may be used uninitialized" inside libstdc++ (std::regex, std::function)
  # that plain builds, which keep the warning, do not.
  list(APPEND SONDE_WARNINGS -Wno-maybe-uninitialized)
endif()
if(SONDE_WERROR)
  list(APPEND SONDE_WARNINGS -Werror)
endif()

if(SONDE_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(SONDE_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  # libzmq is not built with TSan: every test and binary gets these.
  add_library(sonde_tsan_suppressions OBJECT ${CMAKE_CURRENT_LIST_DIR}/tsan_suppressions.cc)
elseif(NOT SONDE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "SONDE_SANITIZE must be empty, 'address' or 'thread', not '${SONDE_SANITIZE}'")
endif()

# sonde_library(<module> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Defines target sonde_<module> with alias sonde::<module>; include/ is public, src/ private.
function(sonde_library module)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(sonde_${module} ${ARG_SOURCES})
  add_library(sonde::${module} ALIAS sonde_${module})
  target_include_directories(sonde_${module}
    PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(sonde_${module} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_options(sonde_${module} PRIVATE ${SONDE_WARNINGS})
endfunction()

# sonde_binary(<name> SOURCES ... DEPS ...): a thin main().
function(sonde_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  if(TARGET sonde_tsan_suppressions)
    target_link_libraries(${name} PRIVATE sonde_tsan_suppressions)
  endif()
  target_compile_options(${name} PRIVATE ${SONDE_WARNINGS})
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()

# sonde_test(<file> DEPS ...): tests/<module>/<unit>_test.cc -> one binary, run by CTest.
function(sonde_test file)
  cmake_parse_arguments(ARG "" "" "DEPS;LABELS" ${ARGN})
  get_filename_component(name ${file} NAME_WE)
  get_filename_component(dir ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  set(target ${dir}_${name})
  add_executable(${target} ${file})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} sonde_testutil GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_options(${target} PRIVATE ${SONDE_WARNINGS})
  if(TARGET sonde_tsan_suppressions)
    target_link_libraries(${target} PRIVATE sonde_tsan_suppressions)
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
  # Labels are set by a CTest include file that runs after the discovered
  # tests exist: gtest_discover_tests (CMake 3.25) splits PROPERTIES values on
  # ';' at every step on the way to CTest, escaped or not, so a LABELS list
  # there keeps only its first label.
  set(labels ${dir} ${ARG_LABELS})
  set(labels_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake")
  file(WRITE "${labels_file}"
    "if(${target}_TESTS)\n"
    "  set_tests_properties(\${${target}_TESTS} PROPERTIES LABELS [==[${labels}]==])\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${labels_file}")
endfunction()

# sonde_bench(<file> DEPS ...): Google Benchmark programs; never part of CTest.
function(sonde_bench file)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  get_filename_component(name ${file} NAME_WE)
  add_executable(${name} ${file})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_options(${name} PRIVATE ${SONDE_WARNINGS})
endfunction()

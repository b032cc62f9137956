# Proves `cmake --install` + find_package(Sonde): installs the emitter
# component into a fresh prefix, then configures, builds and runs two
# consumer projects outside the tree, one C++ and one C-only.
#
# cmake -DBUILD_DIR=... -DCONSUMER_DIR=... -DWORK_DIR=... -DGENERATOR=...
#       -DC_COMPILER=... -DCXX_COMPILER=... [-DLAUNCHER=ccache] [-DLINK_FLAGS=...]
#       -P install_test.cmake
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "install test: '${cmd}' failed (${rc}):\n${out}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --component emitter --prefix ${prefix})
foreach(file include/sonde/emitter.h include/sonde/emitter_c.h include/sonde/endpoint.h
             include/sonde/wire.h include/sonde/ascii.h lib/cmake/Sonde/SondeConfig.cmake)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "install test: ${file} was not installed")
  endif()
endforeach()

set(launcher "")
if(LAUNCHER)  # ccache, when the tree uses it: keeps this test fast.
  set(launcher -DCMAKE_C_COMPILER_LAUNCHER=${LAUNCHER} -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
foreach(lang cxx c)
  set(build ${WORK_DIR}/${lang})
  run(${CMAKE_COMMAND} -S ${CONSUMER_DIR}/${lang} -B ${build} -G ${GENERATOR}
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Debug
      -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
      ${launcher}
      "-DCMAKE_EXE_LINKER_FLAGS=${LINK_FLAGS}")
  run(${CMAKE_COMMAND} --build ${build})
  # Nothing listens on the discard port; opening and recording must still work.
  run(${build}/consumer_${lang} udp://127.0.0.1:9)
  message(STATUS "install test: ${lang} consumer configured, built and ran")
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})

# SPDX-License-Identifier: MIT
# Runs one packaging check for CTest:  cmake -DMODE=<mode> ... -P run.cmake
#   install       fresh `cmake --install` of the traceflow build into PREFIX
#   find_package  build + run the consumer against PREFIX (CMAKE_PREFIX_PATH)
#   build-tree    build + run the consumer against the build-tree export
#   subdirectory  build + run the consumer with traceflow via add_subdirectory
#   pkg-config    compile + run main.cpp with `pkg-config --cflags traceflow`
# Inputs: SOURCE_DIR BINARY_DIR WORK_DIR PREFIX VERSION CONFIG GENERATOR
#         MAKE_PROGRAM CXX CXX_FLAGS LINKER_FLAGS CXX_STANDARD CXX_EXTENSIONS CTEST
cmake_minimum_required(VERSION 3.14)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "command failed (${rc}): ${cmd}\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(consumer_src "${CMAKE_CURRENT_LIST_DIR}")
set(config_args)
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run("${CMAKE_COMMAND}" --install "${BINARY_DIR}" --prefix "${PREFIX}" ${config_args})
  # Default layout (share/ for the arch-independent package files).
  foreach(f
      share/cmake/traceflow/traceflowConfig.cmake
      share/cmake/traceflow/traceflowConfigVersion.cmake
      share/cmake/traceflow/traceflowTargets.cmake
      share/pkgconfig/traceflow.pc
      include/traceflow/ip_address.hpp
      include/traceflow/detail/bits/endian.hpp)
    if(NOT EXISTS "${PREFIX}/${f}")
      message(FATAL_ERROR "install did not produce ${PREFIX}/${f}")
    endif()
  endforeach()
  return()
endif()

if(MODE STREQUAL "pkg-config")
  find_program(PKG_CONFIG NAMES pkg-config pkgconf)
  if(NOT PKG_CONFIG)
    message("SKIPPED: no pkg-config program")
    return()
  endif()
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig")
  run("${PKG_CONFIG}" --modversion traceflow)
  string(STRIP "${run_output}" got)
  if(NOT got STREQUAL VERSION)
    message(FATAL_ERROR "pkg-config --modversion traceflow gave '${got}', expected '${VERSION}'")
  endif()
  run("${PKG_CONFIG}" --cflags traceflow)
  string(STRIP "${run_output}" cflags)
  separate_arguments(cflags UNIX_COMMAND "${cflags}")
  if(NOT cflags MATCHES "^-I")
    message(FATAL_ERROR "pkg-config --cflags traceflow gave '${cflags}'")
  endif()
  # Resolve the ${pcfiledir}-relative path: it must be the installed include dir.
  string(REGEX REPLACE "^-I" "" incdir "${cflags}")
  get_filename_component(incdir "${incdir}" REALPATH)
  get_filename_component(want "${PREFIX}/include" REALPATH)
  if(NOT incdir STREQUAL want)
    message(FATAL_ERROR "pkg-config include dir ${incdir} is not ${want}")
  endif()
  separate_arguments(flags UNIX_COMMAND "${CXX_FLAGS} ${LINKER_FLAGS}")
  set(std 17)
  if(CXX_STANDARD)
    set(std ${CXX_STANDARD})
  endif()
  file(MAKE_DIRECTORY "${WORK_DIR}")
  run("${CXX}" -std=c++${std} ${flags} ${cflags}
    "-DTRACEFLOW_CONSUMER_EXPECTED_VERSION=\"${VERSION}\"" "${consumer_src}/main.cpp" -o "${WORK_DIR}/pc_consumer")
  run("${WORK_DIR}/pc_consumer")
  return()
endif()

set(options
  "-DCMAKE_CXX_COMPILER=${CXX}"
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
foreach(var CXX_STANDARD CXX_EXTENSIONS)
  if(NOT "${${var}}" STREQUAL "")
    list(APPEND options "-DCMAKE_${var}=${${var}}")
  endif()
endforeach()
if(CONFIG)
  list(APPEND options "-DCMAKE_BUILD_TYPE=${CONFIG}")
endif()
if(MODE STREQUAL "find_package")
  list(APPEND options "-DCMAKE_PREFIX_PATH=${PREFIX}"
    "-DTRACEFLOW_EXPECTED_DIR=${PREFIX}"
    "-DTRACEFLOW_EXPECTED_VERSION=${VERSION}")
elseif(MODE STREQUAL "build-tree")
  list(APPEND options "-Dtraceflow_DIR=${BINARY_DIR}"
    "-DTRACEFLOW_EXPECTED_DIR=${BINARY_DIR}"
    "-DTRACEFLOW_EXPECTED_VERSION=${VERSION}")
elseif(MODE STREQUAL "subdirectory")
  list(APPEND options "-DTRACEFLOW_CONSUMER_MODE=subdirectory" "-DTRACEFLOW_SOURCE_DIR=${SOURCE_DIR}"
    "-DTRACEFLOW_EXPECTED_VERSION=${VERSION}")
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()

set(make_args)
if(MAKE_PROGRAM)
  set(make_args --build-makeprogram "${MAKE_PROGRAM}")
endif()
set(build_config)
if(CONFIG)
  set(build_config --build-config "${CONFIG}")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
run("${CTEST}" --build-and-test "${consumer_src}" "${WORK_DIR}"
  --build-generator "${GENERATOR}" ${make_args} ${build_config}
  --build-noclean
  --build-options ${options}
  --test-command traceflow_consumer)

# SPDX-License-Identifier: MIT
# docs.strict_warnings: the headers as a user sees them, with plain -I (not
# the CMake target, which marks include/ SYSTEM and so hides warnings) and
# strict warnings as errors. Compiles (-fsyntax-only) every example, a user's
# translation unit with awkward packet types (tests/docs/strict_user.cpp) and
# the umbrella header alone, with g++ and clang++, in C++17 and C++20.
# A compiler that is not installed is skipped with a message; the test fails
# when a compilation fails (printing the compiler's message) or when none ran.
#
#   cmake -DSOURCE_DIR=<project root> -DWORK_DIR=<scratch dir> [-DCOMPILERS=g++;clang++]
#         [-DSTANDARDS=17;20] -P strict_warnings.cmake
cmake_minimum_required(VERSION 3.14)

if(NOT SOURCE_DIR OR NOT WORK_DIR)
  message(FATAL_ERROR "strict_warnings.cmake: give -DSOURCE_DIR and -DWORK_DIR")
endif()
if(NOT COMPILERS)
  set(COMPILERS g++ clang++)
endif()
if(NOT STANDARDS)
  set(STANDARDS 17 20)
endif()
set(_flags -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror)
string(REPLACE ";" " " _flags_text "${_flags}")

file(MAKE_DIRECTORY "${WORK_DIR}")
set(_umbrella "${WORK_DIR}/umbrella.cpp")
file(WRITE "${_umbrella}" "#include <traceflow/traceflow.hpp>\n")
file(GLOB _examples "${SOURCE_DIR}/examples/*.cpp")
list(SORT _examples)
set(_sources ${_examples} "${SOURCE_DIR}/tests/docs/strict_user.cpp" "${_umbrella}")
list(LENGTH _examples _example_count)
if(_example_count EQUAL 0)
  message(FATAL_ERROR "strict_warnings: no examples/*.cpp under ${SOURCE_DIR}")
endif()

set(_ran 0)
set(_failed 0)
foreach(cxx IN LISTS COMPILERS)
  string(MAKE_C_IDENTIFIER "${cxx}" _id)
  find_program(_strict_cxx_${_id} NAMES "${cxx}")
  set(_cxx_path "${_strict_cxx_${_id}}")
  if(NOT _cxx_path)
    message(STATUS "strict_warnings: ${cxx} not found, skipped")
    continue()
  endif()
  foreach(std IN LISTS STANDARDS)
    foreach(src IN LISTS _sources)
      file(RELATIVE_PATH _name "${SOURCE_DIR}" "${src}")
      if(src STREQUAL _umbrella)
        set(_name "#include <traceflow/traceflow.hpp>")
      endif()
      execute_process(
        COMMAND "${_cxx_path}" -std=c++${std} ${_flags} -fsyntax-only "-I${SOURCE_DIR}/include" "${src}"
        RESULT_VARIABLE _rc
        OUTPUT_VARIABLE _out
        ERROR_VARIABLE _out)
      math(EXPR _ran "${_ran} + 1")
      if(_rc EQUAL 0)
        message(STATUS "ok    ${cxx} -std=c++${std}  ${_name}")
      else()
        math(EXPR _failed "${_failed} + 1")
        message(STATUS "FAIL  ${cxx} -std=c++${std}  ${_name}\n${_out}")
      endif()
    endforeach()
  endforeach()
endforeach()

if(_ran EQUAL 0)
  message(FATAL_ERROR "strict_warnings: no compilation ran (none of ${COMPILERS} found)")
endif()
if(_failed GREATER 0)
  message(FATAL_ERROR "strict_warnings: ${_failed} of ${_ran} compilations failed (flags: ${_flags_text})")
endif()
message(STATUS "strict_warnings: ${_ran} compilations clean")

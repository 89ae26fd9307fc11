# SPDX-License-Identifier: MIT
# Documentation that compiles, and compile errors that read well.
# Included from tests/CMakeLists.txt.

# Every C++ code block of README.md and of the header comments compiles
# (tests/docs/compile_snippets.py says which blocks and how fragments are wrapped).
find_package(Python3 COMPONENTS Interpreter)
set(_traceflow_std "${CMAKE_CXX_STANDARD}")
if(NOT _traceflow_std)
  set(_traceflow_std 17)
endif()
if(Python3_Interpreter_FOUND)
  add_test(NAME docs.code_blocks_compile
    COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_SOURCE_DIR}/docs/compile_snippets.py"
      --root "${PROJECT_SOURCE_DIR}" --cxx "${CMAKE_CXX_COMPILER}" --std ${_traceflow_std}
      --work "${CMAKE_CURRENT_BINARY_DIR}/docs_snippets")
  set_tests_properties(docs.code_blocks_compile PROPERTIES LABELS docs)
  # The headers the umbrella and the tracer pull in, listed, and their counts as README states them.
  add_test(NAME docs.header_counts
    COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_SOURCE_DIR}/docs/header_counts.py"
      --root "${PROJECT_SOURCE_DIR}" --cxx "${CMAKE_CXX_COMPILER}" --std ${_traceflow_std})
  set_tests_properties(docs.header_counts PROPERTIES LABELS docs)
endif()

# Misuse of the packet concept fails to compile with our message. Each file
# under compile_fail/ names the message it must produce on its first line:
# `// expect: <regular expression>`.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  file(GLOB _traceflow_compile_fail CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/*.cpp")
  foreach(src IN LISTS _traceflow_compile_fail)
    get_filename_component(name "${src}" NAME_WE)
    file(STRINGS "${src}" _expect LIMIT_COUNT 1 REGEX "^// expect: ")
    string(REGEX REPLACE "^// expect: " "" _expect "${_expect}")
    add_test(NAME compile_fail.${name}
      COMMAND "${CMAKE_CXX_COMPILER}" -std=c++${_traceflow_std} -fsyntax-only
        -I "${PROJECT_SOURCE_DIR}/include" "${src}")
    # Passes only on the message; a file that compiles prints nothing.
    set_tests_properties(compile_fail.${name} PROPERTIES PASS_REGULAR_EXPRESSION "${_expect}" LABELS docs)
  endforeach()
endif()

# The headers as users with plain -I (or pkg-config) see them: not SYSTEM, so
# their warnings show. Every example, a user's TU with awkward packet types
# (strict_user.cpp) and the umbrella header compile under -Wall -Wextra
# -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror, with g++ and
# clang++ (each skipped when missing; none found fails), C++17 and C++20.
add_test(NAME docs.strict_warnings
  COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${PROJECT_SOURCE_DIR}"
    "-DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/strict_warnings"
    -P "${CMAKE_CURRENT_SOURCE_DIR}/docs/strict_warnings.cmake")
set_tests_properties(docs.strict_warnings PROPERTIES LABELS docs)

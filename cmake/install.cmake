# SPDX-License-Identifier: MIT
# Install rules, build-tree export and pkg-config file for traceflow.
# Included from the top-level CMakeLists.txt when TRACEFLOW_INSTALL is ON.
include(CMakePackageConfigHelpers)

# Header-only and architecture-independent: the package files go to share/,
# as nlohmann/json does, so one install serves every ABI.
set(TRACEFLOW_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/traceflow"
  CACHE STRING "Where traceflowConfig.cmake is installed (relative to the prefix)")
set(TRACEFLOW_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig"
  CACHE STRING "Where traceflow.pc is installed (relative to the prefix)")
mark_as_advanced(TRACEFLOW_INSTALL_CMAKEDIR TRACEFLOW_INSTALL_PKGCONFIGDIR)

install(TARGETS traceflow EXPORT traceflowTargets)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  FILES_MATCHING PATTERN "*.hpp")
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# One name everywhere: package traceflow, target traceflow::traceflow.
install(EXPORT traceflowTargets
  NAMESPACE traceflow::
  FILE traceflowTargets.cmake
  DESTINATION "${TRACEFLOW_INSTALL_CMAKEDIR}")

# Build-tree export: find_package(traceflow) with traceflow_DIR=<build dir>
# works without installing.
export(EXPORT traceflowTargets
  NAMESPACE traceflow::
  FILE "${PROJECT_BINARY_DIR}/traceflowTargets.cmake")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/traceflowConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/traceflowConfig.cmake"
  INSTALL_DESTINATION "${TRACEFLOW_INSTALL_CMAKEDIR}"
  NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/traceflowConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)
install(FILES
  "${PROJECT_BINARY_DIR}/traceflowConfig.cmake"
  "${PROJECT_BINARY_DIR}/traceflowConfigVersion.cmake"
  DESTINATION "${TRACEFLOW_INSTALL_CMAKEDIR}")

# pkg-config: prefix relative to the .pc file itself (${pcfiledir}), so the
# file stays right under `cmake --install --prefix <other>` and DESTDIR.
if(IS_ABSOLUTE "${TRACEFLOW_INSTALL_PKGCONFIGDIR}")
  set(TRACEFLOW_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _traceflow_up "/p/${TRACEFLOW_INSTALL_PKGCONFIGDIR}" "/p")
  string(REGEX REPLACE "/$" "" _traceflow_up "${_traceflow_up}")
  set(TRACEFLOW_PC_PREFIX "\${pcfiledir}/${_traceflow_up}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(TRACEFLOW_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(TRACEFLOW_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/traceflow.pc.in"
  "${PROJECT_BINARY_DIR}/traceflow.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/traceflow.pc"
  DESTINATION "${TRACEFLOW_INSTALL_PKGCONFIGDIR}")

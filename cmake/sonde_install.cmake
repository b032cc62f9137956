# `cmake --install` installs the emitter library, its public headers and a
# package config, so that an application can find_package(Sonde) and link
# Sonde::emitter (C++ or C). Everything here is in the "emitter" component:
#   cmake --install build --component emitter --prefix /opt/sonde
include(CMakePackageConfigHelpers)
if(TARGET sonde_emitter)
  set(SONDE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Sonde)
  # Consumers see Sonde::emitter, not Sonde::sonde_emitter.
  set_target_properties(sonde_emitter PROPERTIES EXPORT_NAME emitter)
  install(TARGETS sonde_emitter EXPORT SondeTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT emitter
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT emitter)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/emitter/include/sonde
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT emitter)
  install(EXPORT SondeTargets NAMESPACE Sonde::
    DESTINATION ${SONDE_INSTALL_CMAKEDIR} COMPONENT emitter)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/SondeConfig.cmake.in
    ${PROJECT_BINARY_DIR}/SondeConfig.cmake INSTALL_DESTINATION ${SONDE_INSTALL_CMAKEDIR})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/SondeConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/SondeConfig.cmake ${PROJECT_BINARY_DIR}/SondeConfigVersion.cmake
    DESTINATION ${SONDE_INSTALL_CMAKEDIR} COMPONENT emitter)
endif()

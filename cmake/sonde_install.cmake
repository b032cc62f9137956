# `cmake --install` installs the emitter library, its public headers and a
# package config, so that an application can find_package(Sonde) and link
# Sonde::emitter.
include(CMakePackageConfigHelpers)
if(TARGET sonde_emitter)
  install(TARGETS sonde_emitter EXPORT SondeTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/emitter/include/sonde DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT SondeTargets NAMESPACE Sonde:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Sonde)
  configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/SondeConfig.cmake.in
    ${CMAKE_BINARY_DIR}/SondeConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Sonde)
  write_basic_package_version_file(${CMAKE_BINARY_DIR}/SondeConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
  install(FILES ${CMAKE_BINARY_DIR}/SondeConfig.cmake ${CMAKE_BINARY_DIR}/SondeConfigVersion.cmake
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Sonde)
endif()

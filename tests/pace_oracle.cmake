# ICAMS's ACE evaluator (lammps-user-pace, the library behind LAMMPS `pair_style pace`) built from
# the reference tarball beside the repository, as an independent oracle for the `.yace` export
# (test_pace_export). Absent tarball or GRAPHACE_PACE_ORACLE=OFF: the test builds without it and
# skips its oracle cases with a message. Its bundled yaml-cpp lives in namespace YAML_PACE, so it
# cannot clash with anything of ours.
set(GRAPHACE_PACE_TARBALL
    "${PROJECT_SOURCE_DIR}/../shared/reference/lammps-user-pace/lammps-user-pace-v.2025.12.4.tar.gz"
    CACHE FILEPATH "lammps-user-pace source tarball for the .yace export oracle test")
if(GRAPHACE_SANITIZE OR GRAPHACE_FUZZ)
    set(pace_default OFF) # the oracle is checked by the plain build; keep these builds lean
else()
    set(pace_default ON)
endif()
option(GRAPHACE_PACE_ORACLE "Build ICAMS's ACE evaluator for the .yace export test" ${pace_default})

set(GRAPHACE_HAVE_PACE_ORACLE OFF)
if(GRAPHACE_PACE_ORACLE AND EXISTS "${GRAPHACE_PACE_TARBALL}")
    include(ExternalProject)
    set(pace_build "${CMAKE_CURRENT_BINARY_DIR}/pace-oracle-build")
    set(pace_libraries
        "${pace_build}/libpace.a"
        "${pace_build}/build-yaml-cpp/libyaml-cpp-pace.a"
        "${pace_build}/libcnpy.a")
    ExternalProject_Add(pace_oracle
        URL "${GRAPHACE_PACE_TARBALL}"
        DOWNLOAD_EXTRACT_TIMESTAMP ON
        PREFIX "${CMAKE_CURRENT_BINARY_DIR}/pace-oracle"
        BINARY_DIR "${pace_build}"
        CMAKE_ARGS -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
                   -DCMAKE_POSITION_INDEPENDENT_CODE=ON
        BUILD_COMMAND ${CMAKE_COMMAND} --build . --target pace
        INSTALL_COMMAND ""
        BUILD_BYPRODUCTS ${pace_libraries})
    ExternalProject_Get_Property(pace_oracle SOURCE_DIR)
    set(GRAPHACE_PACE_SOURCE_DIR "${SOURCE_DIR}")
    set(GRAPHACE_PACE_LIBRARIES ${pace_libraries} ZLIB::ZLIB)
    set(GRAPHACE_HAVE_PACE_ORACLE ON)
    message(STATUS "ACE evaluator oracle: ${GRAPHACE_PACE_TARBALL}")
else()
    message(STATUS "ACE evaluator oracle: off (no ${GRAPHACE_PACE_TARBALL}); test_pace_export skips it")
endif()

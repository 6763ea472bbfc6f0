# install.cmake - the ctest `install` (label install): tests/install/run.sh installs this build
# into a temporary prefix and builds examples/ against it with CMake and pkg-config, static
# and shared (issue #13). About 10 s.
# SPDX-License-Identifier: MIT

if(NOT DMPREAD_INSTALL OR NOT DMPREAD_BUILD_CLI OR WIN32)
    return()
endif()

set(_dmp_install_skip "")
if(NOT _dmp_lib_shared)
    set(_dmp_install_skip "configured without a shared library (DMPREAD_BUILD_SHARED=OFF)")
elseif(DMPREAD_SANITIZE)
    set(_dmp_install_skip "built with sanitizers (${DMPREAD_SANITIZE}): programs linking the \
installed library would need their runtime")
endif()
add_test(NAME install COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/install/run.sh ${PROJECT_BINARY_DIR}
    ${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER} "${_dmp_install_skip}")
set_tests_properties(install PROPERTIES SKIP_RETURN_CODE 77 LABELS install TIMEOUT 300)

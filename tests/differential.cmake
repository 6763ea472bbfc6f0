# differential.cmake - dmpread's memory index against LLDB and Breakpad, over every dump we have.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. Builds tests/differential/dmpdiff and adds two ctests that
# run tests/differential/run.sh over testdata/ (with testdata/writers/) and the shared dumps:
#   differential_lldb      LLDB: DMPREAD_LLDB (cache or environment), else lldb-16 or lldb on PATH
#   differential_breakpad  Breakpad's minidump_dump: DMPREAD_MINIDUMP_DUMP (cache or environment);
#                          tests/differential/get_breakpad.sh DIR builds one and prints its path
# Each is skipped (exit 77, reason printed) when its peer is missing. Differences must be
# explained in tests/differential/allow.tsv. tests/differential/README.md has the details,
# and how to regenerate tests/differential/REPORT.md.

if(WIN32)
    return()
endif()

add_executable(dmpdiff ${CMAKE_CURRENT_LIST_DIR}/differential/dmpdiff.c)
target_link_libraries(dmpdiff PRIVATE dmpread)
dmpread_target_warnings(dmpdiff NO_CONVERSION)
dmpread_target_sanitize(dmpdiff)

set(DMPREAD_LLDB "$ENV{DMPREAD_LLDB}" CACHE STRING
    "LLDB for the differential test (empty: lldb-16 or lldb on PATH when it runs)")
set(DMPREAD_MINIDUMP_DUMP "$ENV{DMPREAD_MINIDUMP_DUMP}" CACHE FILEPATH
    "Breakpad's minidump_dump for the differential test (tests/differential/get_breakpad.sh)")

set(_dmp_diff_common
    --testdata "${PROJECT_SOURCE_DIR}/testdata"
    --shared "${DMPREAD_SHARED_DUMPS}"
    --allow "${CMAKE_CURRENT_LIST_DIR}/differential/allow.tsv")
# Empty values are left to run.sh, which then looks at the environment and PATH at test time.
if(DMPREAD_LLDB)
    list(APPEND _dmp_diff_common --lldb "${DMPREAD_LLDB}")
endif()
if(DMPREAD_MINIDUMP_DUMP)
    list(APPEND _dmp_diff_common --breakpad "${DMPREAD_MINIDUMP_DUMP}")
endif()
foreach(peer lldb breakpad)
    add_test(NAME differential_${peer}
        COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/differential/run.sh" --peer ${peer}
        ${_dmp_diff_common} "$<TARGET_FILE:dmpdiff>")
    set_tests_properties(differential_${peer} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
endforeach()

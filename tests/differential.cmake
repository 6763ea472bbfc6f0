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

# ---- The LLDB referee of the walks with module files (issue 11) ------------------------------
# tests/differential/bt_diff.sh runs bt_diff.py: `dmpread stack --json --images DIR...` (and
# without --images) against LLDB's `thread backtrace` with the same module files
# (lldb_bt.py), frame by frame, on the fresh chain captures the walk_writers_*_capture tests
# leave in the build tree (fixtures walk_writers_lldb, walk_writers_wine: tests/
# walk_writers.cmake) and on the committed Wine chain dumps with their .exe files:
#   walk_referee_wine       BUILD/tests/walk-writers-wine/chain-wine-*.chain, with Wine's PE
#                           DLLs (DMPREAD_WINE_PE_DIR); full-memory dumps must also agree
#                           without --images
#   walk_referee_lldb       BUILD/tests/walk-writers-lldb/chain-lldb-*.chain, with the
#                           system's libc folder (DMPREAD_SYSTEM_LIB_DIR)
#   walk_referee_committed  testdata/writers/chain-wine-normal-*.chain; skipped when the Wine
#                           DLLs here are not the build the dumps were written with
# Each is skipped (exit 77, reason printed) without python3, LLDB, its captures or module
# folder, and while `dmpread stack` rejects --images. About 10 s each.
if(NOT TARGET dmpread_cli)
    return()
endif()
set(DMPREAD_WINE_PE_DIR "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows" CACHE PATH
    "Wine's PE DLLs (x86_64-windows) for the LLDB referee of the Wine chain dumps")
set(DMPREAD_SYSTEM_LIB_DIR "/lib/x86_64-linux-gnu" CACHE PATH
    "The folder of the system's libc for the LLDB referee of the Linux chain dumps")
set(_dmp_bt_diff_lldb "")
if(DMPREAD_LLDB)
    set(_dmp_bt_diff_lldb --lldb "${DMPREAD_LLDB}")
endif()
add_test(NAME walk_referee_wine
    COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/differential/bt_diff.sh" "$<TARGET_FILE:dmpread_cli>"
            "${CMAKE_CURRENT_BINARY_DIR}/walk-writers-wine" "chain-wine-*.chain"
            --images "${DMPREAD_WINE_PE_DIR}" ${_dmp_bt_diff_lldb})
set_tests_properties(walk_referee_wine PROPERTIES FIXTURES_REQUIRED walk_writers_wine)
add_test(NAME walk_referee_lldb
    COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/differential/bt_diff.sh" "$<TARGET_FILE:dmpread_cli>"
            "${CMAKE_CURRENT_BINARY_DIR}/walk-writers-lldb" "chain-lldb-*.chain"
            --images "${DMPREAD_SYSTEM_LIB_DIR}" ${_dmp_bt_diff_lldb})
set_tests_properties(walk_referee_lldb PROPERTIES FIXTURES_REQUIRED walk_writers_lldb)
add_test(NAME walk_referee_committed
    COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/differential/bt_diff.sh" "$<TARGET_FILE:dmpread_cli>"
            "${PROJECT_SOURCE_DIR}/testdata/writers" "chain-wine-normal-*.chain"
            --images "${DMPREAD_WINE_PE_DIR}" --foreign-files skip ${_dmp_bt_diff_lldb})
set_tests_properties(walk_referee_wine walk_referee_lldb walk_referee_committed PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS "referee;lldb")

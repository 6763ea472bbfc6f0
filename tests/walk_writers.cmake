# walk_writers.cmake - the stack walker against call chains known from real writers' dumps.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. tests/targets/chain_target.c calls main -> a -> b -> c and
# faults in c, recording its own chain. Two tests dump it afresh into the build tree and check
# the dumps with test_writers (the sidecars) and test_walk_writers (the walks against the
# chain and its expectations table); the committed samples in testdata/writers/chain-* are
# test_walk_writers' own ctest entry.
#   walk_writers_lldb_capture  tests/targets/chain_lldb.sh: eight gcc builds (-O0/-O2, with
#                              and without frame pointers, default and -z noseparate-code
#                              links) crashed under lldb-16, dumped with `process save-core`,
#                              .sym files from Breakpad's dump_syms; into
#                              BUILD/tests/walk-writers-lldb (fixture walk_writers_lldb)
#   walk_writers_wine_capture  tests/targets/chain_wine.sh: four x86_64-w64-mingw32-gcc builds
#                              crashed under Wine, MiniDumpNormal and MiniDumpWithFullMemory
#                              written by their own exception handler, each .exe kept beside
#                              its dumps; into BUILD/tests/walk-writers-wine (fixture
#                              walk_writers_wine; walk_writers_wine_cleanup deletes the 100 MB
#                              full-memory dumps after every test that needs them)
#   walk_writers_lldb_fresh, walk_writers_wine_fresh
#                              test_writers and test_walk_writers on those captures
# The captures report themselves skipped (exit 77, with the reason) without lldb-16, gcc or
# dump_syms (DMPREAD_DUMP_SYMS, else what tests/differential/get_breakpad.sh built), or without
# Wine or mingw-w64; the checks then skip too. The LLDB referee of the walks with module files
# (walk_referee_*) is in tests/differential.cmake.

if(WIN32 OR NOT CMAKE_SYSTEM_NAME STREQUAL "Linux" OR NOT TARGET test_walk_writers
   OR NOT TARGET test_writers)
    return()
endif()

set(DMPREAD_DUMP_SYMS "$ENV{DMPREAD_DUMP_SYMS}" CACHE FILEPATH
    "Breakpad's dump_syms for walk_writers_lldb_fresh (empty: the one get_breakpad.sh built)")

set(_walk_lldb_dir ${CMAKE_CURRENT_BINARY_DIR}/walk-writers-lldb)
set(_walk_wine_dir ${CMAKE_CURRENT_BINARY_DIR}/walk-writers-wine)
set(_walk_lldb_env "DMPREAD_MINIDUMP_DUMP=${DMPREAD_MINIDUMP_DUMP}")
if(DMPREAD_DUMP_SYMS)
    list(APPEND _walk_lldb_env "DUMP_SYMS=${DMPREAD_DUMP_SYMS}")
endif()

# The captures are fixtures of their own (walk_writers_lldb, walk_writers_wine), so that the
# checks here and the LLDB referee (walk_referee_*, tests/differential.cmake) each run on them
# whether or not the other passes. A capture starts from an empty folder: when it is skipped
# the folder is absent and the tests that need it report themselves skipped too.
add_test(NAME walk_writers_lldb_capture
    COMMAND sh -c "rm -rf \"$2\" && exec sh \"$1\" \"$2\""
            sh "${CMAKE_CURRENT_LIST_DIR}/targets/chain_lldb.sh" "${_walk_lldb_dir}")
set_tests_properties(walk_writers_lldb_capture PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 300 ENVIRONMENT "${_walk_lldb_env}"
    FIXTURES_SETUP walk_writers_lldb)

add_test(NAME walk_writers_wine_capture
    COMMAND sh -c "rm -rf \"$2\" && exec sh \"$1\" \"$2\""
            sh "${CMAKE_CURRENT_LIST_DIR}/targets/chain_wine.sh" "${_walk_wine_dir}")
set_tests_properties(walk_writers_wine_capture PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 900 FIXTURES_SETUP walk_writers_wine RESOURCE_LOCK wine)
# The 100 MB full-memory dumps go once every test that needs them has run
# (CHAIN_WINE_KEEP_FULL=1 in ctest's environment keeps them).
add_test(NAME walk_writers_wine_cleanup
    COMMAND sh -c "[ \"\${CHAIN_WINE_KEEP_FULL:-0}\" = 1 ] || rm -f \"$1\"/chain-wine-full-*"
            sh "${_walk_wine_dir}")
set_tests_properties(walk_writers_wine_cleanup PROPERTIES FIXTURES_CLEANUP walk_writers_wine)

# test_writers (the sidecars), then test_walk_writers (the walks), on one capture folder.
foreach(_walk_writer lldb wine)
    add_test(NAME walk_writers_${_walk_writer}_fresh
        COMMAND sh -c "[ -d \"$1\" ] || { echo \"SKIPPED: no captures in $1 (walk_writers_${_walk_writer}_capture was skipped)\"; exit 77; }; DMPREAD_WRITERS_DIR=\"$1\" \"$2\" || exit $?; DMPREAD_WALK_WRITERS_DIR=\"$1\" exec \"$3\""
                sh "${CMAKE_CURRENT_BINARY_DIR}/walk-writers-${_walk_writer}"
                "$<TARGET_FILE:test_writers>" "$<TARGET_FILE:test_walk_writers>")
    set_tests_properties(walk_writers_${_walk_writer}_fresh PROPERTIES
        SKIP_RETURN_CODE 77 TIMEOUT 300 FIXTURES_REQUIRED walk_writers_${_walk_writer})
endforeach()

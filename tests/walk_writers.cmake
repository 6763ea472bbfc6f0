# walk_writers.cmake - the stack walker against call chains known from real writers' dumps.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. tests/targets/chain_target.c calls main -> a -> b -> c and
# faults in c, recording its own chain. Two tests dump it afresh into the build tree and check
# the dumps with test_writers (the sidecars) and test_walk_writers (the walks against the
# chain and its expectations table); the committed samples in testdata/writers/chain-* are
# test_walk_writers' own ctest entry.
#   walk_writers_lldb_fresh  tests/targets/chain_lldb.sh: eight gcc builds (-O0/-O2, with and
#                            without frame pointers, default and -z noseparate-code links)
#                            crashed under lldb-16, dumped with `process save-core`, .sym files
#                            from Breakpad's dump_syms; into BUILD/tests/walk-writers-lldb
#   walk_writers_wine_fresh  tests/targets/chain_wine.sh: four x86_64-w64-mingw32-gcc builds
#                            crashed under Wine, MiniDumpNormal and MiniDumpWithFullMemory
#                            written by their own exception handler; into
#                            BUILD/tests/walk-writers-wine (the 100 MB full-memory dumps are
#                            deleted once the checks pass)
# Each reports itself skipped (exit 77, with the reason) without lldb-16, gcc or dump_syms
# (DMPREAD_DUMP_SYMS, else what tests/differential/get_breakpad.sh built), or without Wine or
# mingw-w64.

if(WIN32 OR NOT CMAKE_SYSTEM_NAME STREQUAL "Linux" OR NOT TARGET test_walk_writers
   OR NOT TARGET test_writers)
    return()
endif()

set(DMPREAD_DUMP_SYMS "$ENV{DMPREAD_DUMP_SYMS}" CACHE FILEPATH
    "Breakpad's dump_syms for walk_writers_lldb_fresh (empty: the one get_breakpad.sh built)")

set(_walk_lldb_dir ${CMAKE_CURRENT_BINARY_DIR}/walk-writers-lldb)
set(_walk_lldb_env "DMPREAD_MINIDUMP_DUMP=${DMPREAD_MINIDUMP_DUMP}")
if(DMPREAD_DUMP_SYMS)
    list(APPEND _walk_lldb_env "DUMP_SYMS=${DMPREAD_DUMP_SYMS}")
endif()
add_test(NAME walk_writers_lldb_fresh
    COMMAND sh -c "sh \"$1\" \"$2\" || exit $?; DMPREAD_WRITERS_DIR=\"$2\" \"$3\" || exit $?; DMPREAD_WALK_WRITERS_DIR=\"$2\" exec \"$4\""
            sh "${CMAKE_CURRENT_LIST_DIR}/targets/chain_lldb.sh" "${_walk_lldb_dir}"
            "$<TARGET_FILE:test_writers>" "$<TARGET_FILE:test_walk_writers>")
set_tests_properties(walk_writers_lldb_fresh PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 300 ENVIRONMENT "${_walk_lldb_env}")

add_test(NAME walk_writers_wine_fresh
    COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/targets/chain_wine.sh"
            --check "$<TARGET_FILE:test_walk_writers>" --check "$<TARGET_FILE:test_writers>"
            "${CMAKE_CURRENT_BINARY_DIR}/walk-writers-wine")
set_tests_properties(walk_writers_wine_fresh PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)

# writers_lldb.cmake - dumps from a real writer: LLDB's minidump plugin on a live Linux process.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. `pattern_target` (tests/targets/pattern_target.c) fills
# known patterns in its own memory and waits; `writers_lldb_fresh` runs
# tests/targets/lldb_capture.sh, which dumps it with lldb-16 into
# BUILD/tests/writers-lldb, and then test_writers on those fresh dumps and their sidecars
# (the committed ones in testdata/writers are test_writers' own ctest entry). Without lldb-16
# the test reports itself skipped.

if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
    return()
endif()

# A plain program: no sanitizers (it is the dumped process, not code under test).
add_executable(pattern_target ${CMAKE_CURRENT_LIST_DIR}/targets/pattern_target.c)
target_link_libraries(pattern_target PRIVATE Threads::Threads ${CMAKE_DL_LIBS})
dmpread_target_warnings(pattern_target NO_CONVERSION)

find_program(DMPREAD_LLDB16 NAMES lldb-16 DOC "lldb-16, for the writers_lldb_fresh test")
set(_writers_lldb_dir ${CMAKE_CURRENT_BINARY_DIR}/writers-lldb)
if(DMPREAD_LLDB16)
    add_test(NAME writers_lldb_fresh
        COMMAND sh -c "LLDB=\"$1\" sh \"$2\" \"$3\" \"$4\" || exit $?; DMPREAD_WRITERS_DIR=\"$3\" exec \"$5\""
                sh "${DMPREAD_LLDB16}" "${CMAKE_CURRENT_LIST_DIR}/targets/lldb_capture.sh"
                "${_writers_lldb_dir}" "$<TARGET_FILE:pattern_target>"
                "$<TARGET_FILE:test_writers>")
else()
    add_test(NAME writers_lldb_fresh
        COMMAND sh -c "echo 'writers_lldb_fresh: SKIPPED: lldb-16 not found (install the lldb-16 package)'; exit 77")
endif()
set_tests_properties(writers_lldb_fresh PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)

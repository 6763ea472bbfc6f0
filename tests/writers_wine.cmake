# writers_wine.cmake - dumps from a real writer: dbghelp's MiniDumpWriteDump under Wine.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. `writers_wine_fresh` runs tests/targets/wine_capture.sh,
# which builds tests/targets/win_target.c with x86_64-w64-mingw32-gcc, runs it in a throwaway
# Wine prefix (about 30 s from cold) and leaves wine-*.dmp and wine-*.sidecar in
# BUILD/tests/writers-wine; test_writers then checks every sidecar there. The committed copies
# in testdata/writers are test_writers' own ctest entry. Without wine or mingw-w64 the script
# exits 77 and ctest reports the test skipped.

if(WIN32)
    return()
endif()

set(_writers_wine_dir ${CMAKE_CURRENT_BINARY_DIR}/writers-wine)
set(_writers_wine_check)
if(TARGET test_writers)
    set(_writers_wine_check --check $<TARGET_FILE:test_writers>)
endif()
add_test(NAME writers_wine_fresh
    COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/targets/wine_capture.sh" ${_writers_wine_check}
            "${_writers_wine_dir}")
# One Wine test at a time (walk_writers_wine_capture is the other): two prefixes booting side
# by side on a two-core machine is where Wine has been seen to fail a program for no reason.
set_tests_properties(writers_wine_fresh PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600
                     RESOURCE_LOCK wine)

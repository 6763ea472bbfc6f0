# stack_differential.cmake - dmpread's stack walks against Breakpad's minidump_stackwalk.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. Adds the ctest `stack_differential`, which runs
# tests/differential/stack_diff.sh: every thread of every dump under DMPREAD_SHARED_DUMPS is
# walked by minidump_stackwalk and by `dmpread stack` (default and --breakpad mode), without
# symbols and with the ones under DMPREAD_SHARED_SYMBOLS, and compared frame by frame; and
# dmpread's crashing thread of breakpad/minidump2.dmp must reproduce Breakpad's own -m output in
# ../shared/expected. minidump_stackwalk is DMPREAD_MINIDUMP_STACKWALK (cache or environment),
# else the one next to DMPREAD_MINIDUMP_DUMP, else the one in DMPREAD_BREAKPAD_BUILD, else where
# tests/differential/get_breakpad.sh builds it. Skipped (exit 77, reason printed) without it,
# python3, or the shared dumps, symbols and expected output. Differences must be explained in
# tests/differential/stack_allow.tsv; the run takes about 15 s (a minute under ASan).

if(NOT TARGET dmpread_cli OR WIN32)
    return()
endif()

if(NOT DEFINED DMPREAD_SHARED_SYMBOLS)
    get_filename_component(_dmp_shared_root "${DMPREAD_SHARED_DUMPS}" DIRECTORY)
    set(DMPREAD_SHARED_SYMBOLS "${_dmp_shared_root}/symbols" CACHE PATH
        "Breakpad .sym files for the symbol tests (../shared/symbols)")
endif()
set(DMPREAD_MINIDUMP_STACKWALK "$ENV{DMPREAD_MINIDUMP_STACKWALK}" CACHE FILEPATH
    "Breakpad's minidump_stackwalk for the stack differential (get_breakpad.sh --tool minidump_stackwalk)")
set(DMPREAD_BREAKPAD_BUILD "$ENV{DMPREAD_BREAKPAD_BUILD}" CACHE PATH
    "Breakpad's build tree for the .sym referee (tests/differential/get_breakpad.sh --tool build-dir)")

get_filename_component(_dmp_shared_root "${DMPREAD_SHARED_SYMBOLS}" DIRECTORY)
set(_dmp_stackdiff_args
    --shared "${DMPREAD_SHARED_DUMPS}"
    --symbols "${DMPREAD_SHARED_SYMBOLS}"
    --expected "${_dmp_shared_root}/expected/breakpad/minidump2.stackwalk.machine_readable.out"
    --allow "${CMAKE_CURRENT_LIST_DIR}/differential/stack_allow.tsv")
if(DMPREAD_MINIDUMP_STACKWALK)
    list(APPEND _dmp_stackdiff_args --stackwalk "${DMPREAD_MINIDUMP_STACKWALK}")
endif()
add_test(NAME stack_differential
    COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/differential/stack_diff.sh" ${_dmp_stackdiff_args}
    "$<TARGET_FILE:dmpread_cli>")
set_tests_properties(stack_differential PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
# Where stack_diff.sh looks for minidump_stackwalk when no path was given here.
set(_dmp_stackdiff_env "")
if(DMPREAD_MINIDUMP_DUMP)
    list(APPEND _dmp_stackdiff_env "DMPREAD_MINIDUMP_DUMP=${DMPREAD_MINIDUMP_DUMP}")
endif()
if(DMPREAD_BREAKPAD_BUILD)
    list(APPEND _dmp_stackdiff_env "DMPREAD_BREAKPAD_BUILD=${DMPREAD_BREAKPAD_BUILD}")
endif()
if(_dmp_stackdiff_env)
    set_tests_properties(stack_differential PROPERTIES ENVIRONMENT "${_dmp_stackdiff_env}")
endif()

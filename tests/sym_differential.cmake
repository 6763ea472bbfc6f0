# sym_differential.cmake - dmpread's .sym lookups against Breakpad's resolver, on the shared files.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. Adds the ctest `sym_differential`, which runs
# tests/differential/sym_diff.sh: it builds tests/differential/bp_symbolize.cc (Breakpad's
# BasicSourceLineResolver answering as JSON) against Breakpad's build tree, then compares
# `dmpread symbolize --json` with it at about 138,000 addresses over every .sym under
# DMPREAD_SHARED_SYMBOLS. The build tree is DMPREAD_BREAKPAD_BUILD (cache or environment),
# else the one next to DMPREAD_MINIDUMP_DUMP, else where tests/differential/get_breakpad.sh
# builds it (`get_breakpad.sh --tool build-dir` prints it). Skipped (exit 77, reason printed)
# without that tree, the symbol files, g++ or python3. Differences must be explained in
# tests/differential/sym_allow.tsv.

if(NOT TARGET dmpread_cli OR WIN32)
    return()
endif()

if(NOT DEFINED DMPREAD_SHARED_SYMBOLS)
    get_filename_component(_dmp_shared_root "${DMPREAD_SHARED_DUMPS}" DIRECTORY)
    set(DMPREAD_SHARED_SYMBOLS "${_dmp_shared_root}/symbols" CACHE PATH
        "Breakpad .sym files for the symbol tests (../shared/symbols)")
endif()
set(DMPREAD_BREAKPAD_BUILD "$ENV{DMPREAD_BREAKPAD_BUILD}" CACHE PATH
    "Breakpad's build tree for the .sym referee (tests/differential/get_breakpad.sh --tool build-dir)")

set(_dmp_symdiff_args
    --build "${CMAKE_CURRENT_BINARY_DIR}/sym_differential"
    --symbols "${DMPREAD_SHARED_SYMBOLS}"
    --allow "${CMAKE_CURRENT_LIST_DIR}/differential/sym_allow.tsv")
if(DMPREAD_BREAKPAD_BUILD)
    list(APPEND _dmp_symdiff_args --breakpad-build "${DMPREAD_BREAKPAD_BUILD}")
endif()
add_test(NAME sym_differential
    COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/differential/sym_diff.sh" ${_dmp_symdiff_args}
    "$<TARGET_FILE:dmpread_cli>")
set_tests_properties(sym_differential PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
# DMPREAD_MINIDUMP_DUMP (differential.cmake's cache entry) points at the same build.
if(DMPREAD_MINIDUMP_DUMP)
    set_tests_properties(sym_differential PROPERTIES
        ENVIRONMENT "DMPREAD_MINIDUMP_DUMP=${DMPREAD_MINIDUMP_DUMP}")
endif()

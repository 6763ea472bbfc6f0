# cli.cmake - tests of the dmpread command: expected output on testdata/, and the shared dumps.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. `cli` runs tests/cli/run.sh, which compares exit status,
# stdout and stderr of each case with tests/cli/expected/NAME.txt; refresh those with
#   sh tests/cli/run.sh --update --mkbytes BUILD/tests/cli_mkbytes BUILD/dmpread \
#      testdata tests/cli/expected
# and review the diff. `cli_shared_dumps` runs the command on ../shared/dumps and is skipped
# when that folder is absent.

if(NOT TARGET dmpread_cli OR WIN32)
    return()
endif()

# Writes the bytes tests/mkdump puts at an address, so raw reads are checked independently.
add_executable(cli_mkbytes ${CMAKE_CURRENT_LIST_DIR}/cli/mkbytes.c)
target_link_libraries(cli_mkbytes PRIVATE dmpread_mkdump)
dmpread_target_warnings(cli_mkbytes NO_CONVERSION)
dmpread_target_sanitize(cli_mkbytes)

add_test(NAME cli COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/cli/run.sh"
    --mkbytes "$<TARGET_FILE:cli_mkbytes>" "$<TARGET_FILE:dmpread_cli>"
    "${PROJECT_SOURCE_DIR}/testdata" "${CMAKE_CURRENT_LIST_DIR}/cli/expected")

add_test(NAME cli_shared_dumps COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/cli/shared_dumps.sh"
    "$<TARGET_FILE:dmpread_cli>" "${DMPREAD_SHARED_DUMPS}")
set_tests_properties(cli_shared_dumps PROPERTIES SKIP_RETURN_CODE 77)

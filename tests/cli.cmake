# cli.cmake - tests of the dmpread command: expected output on testdata/, and the shared dumps.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. `cli` runs tests/cli/run.sh, which compares exit status,
# stdout and stderr of each case with tests/cli/expected/NAME.txt and validates every --json
# output with tests/cli/jsoncheck; refresh the expectations with
#   sh tests/cli/run.sh --update --mkbytes BUILD/tests/cli_mkbytes \
#      --jsoncheck BUILD/tests/cli_jsoncheck BUILD/dmpread testdata tests/cli/expected
# and review the diff. `cli_jsoncheck` checks the validator itself, `test_cli_json` the
# writer. `cli_shared_dumps` and
# `cli_shared_dumps_json` run the command on ../shared/dumps and are skipped when that
# folder is absent.

if(NOT TARGET dmpread_cli OR WIN32)
    return()
endif()

# Writes the bytes tests/mkdump puts at an address, so raw reads are checked independently.
add_executable(cli_mkbytes ${CMAKE_CURRENT_LIST_DIR}/cli/mkbytes.c)
target_link_libraries(cli_mkbytes PRIVATE dmpread_mkdump)
dmpread_target_warnings(cli_mkbytes NO_CONVERSION)
dmpread_target_sanitize(cli_mkbytes)

# A strict RFC 8259 validator, written apart from the CLI's JSON writer.
add_executable(cli_jsoncheck ${CMAKE_CURRENT_LIST_DIR}/cli/jsoncheck.c)
dmpread_target_warnings(cli_jsoncheck NO_CONVERSION)
dmpread_target_sanitize(cli_jsoncheck)
add_test(NAME cli_jsoncheck COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/cli/jsoncheck_cases.sh"
    "$<TARGET_FILE:cli_jsoncheck>")

# The JSON writer and terminal-safe text, unit by unit (a Check suite over cli/ sources).
add_executable(test_cli_json ${CMAKE_CURRENT_LIST_DIR}/cli/test_json.c
    ${PROJECT_SOURCE_DIR}/cli/json.c ${PROJECT_SOURCE_DIR}/cli/text.c
    ${PROJECT_SOURCE_DIR}/cli/budget.c)
target_include_directories(test_cli_json PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(test_cli_json PRIVATE PkgConfig::CHECK Threads::Threads)
dmpread_target_warnings(test_cli_json NO_CONVERSION)
dmpread_target_sanitize(test_cli_json)
add_test(NAME test_cli_json COMMAND test_cli_json)

add_test(NAME cli COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/cli/run.sh"
    --mkbytes "$<TARGET_FILE:cli_mkbytes>" --jsoncheck "$<TARGET_FILE:cli_jsoncheck>"
    "$<TARGET_FILE:dmpread_cli>" "${PROJECT_SOURCE_DIR}/testdata"
    "${CMAKE_CURRENT_LIST_DIR}/cli/expected")

add_test(NAME cli_shared_dumps COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/cli/shared_dumps.sh"
    "$<TARGET_FILE:dmpread_cli>" "${DMPREAD_SHARED_DUMPS}")
add_test(NAME cli_shared_dumps_json COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/cli/shared_dumps_json.sh"
    "$<TARGET_FILE:dmpread_cli>" "$<TARGET_FILE:cli_jsoncheck>" "${DMPREAD_SHARED_DUMPS}")
set_tests_properties(cli_shared_dumps cli_shared_dumps_json PROPERTIES SKIP_RETURN_CODE 77)

# Issue 12, parts 4 and 5: output bounded by the input on dumps whose entries share one long
# string, and a million-row `streams` table within a fixed memory bound (not under
# sanitizers, whose shadow memory would be measured too).
add_executable(cli_bounded ${CMAKE_CURRENT_LIST_DIR}/cli/bounded.c)
target_link_libraries(cli_bounded PRIVATE dmpread_mkdump)
dmpread_target_warnings(cli_bounded NO_CONVERSION)
dmpread_target_sanitize(cli_bounded)
set(_bounded_rss "")
if(DMPREAD_SANITIZE)
    set(_bounded_rss --no-rss)
endif()
add_test(NAME cli_bounded COMMAND cli_bounded "$<TARGET_FILE:dmpread_cli>"
    "${CMAKE_CURRENT_BINARY_DIR}" ${_bounded_rss})

# docs.cmake - the ctests `docs_api` and `docs_man` (label docs): docs/API.md against
# include/dmpread.h, and the man page and bash completion against the CLI (tests/docs/check.sh).
# SPDX-License-Identifier: MIT

if(WIN32)
    return()
endif()
add_test(NAME docs_api COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/docs/check.sh api ${PROJECT_SOURCE_DIR})
add_test(NAME docs_man COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/docs/check.sh man ${PROJECT_SOURCE_DIR})
set_tests_properties(docs_api docs_man PROPERTIES SKIP_RETURN_CODE 77 LABELS docs)

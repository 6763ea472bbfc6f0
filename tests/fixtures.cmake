# fixtures.cmake - builds mkfixtures and checks that testdata/ holds exactly what it generates.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt, it adds the target and the ctest `testdata_fresh`. That
# test runs this same file with `cmake -P`: mkfixtures writes every fixture into OUT_DIR, and
# each must match its committed copy in REF_DIR, byte for byte for .dmp, by inflated content
# for .gz (deflate output may differ between zlib versions). A committed dump that nothing
# generates fails too. To refresh testdata/: `mkfixtures testdata` from the source root.

if(CMAKE_SCRIPT_MODE_FILE)
    file(REMOVE_RECURSE "${OUT_DIR}")
    file(MAKE_DIRECTORY "${OUT_DIR}/inflated")
    execute_process(COMMAND "${MKFIXTURES}" "${OUT_DIR}" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "mkfixtures ${OUT_DIR} failed: ${rc}")
    endif()
    file(GLOB generated RELATIVE "${OUT_DIR}" "${OUT_DIR}/*.dmp" "${OUT_DIR}/*.gz"
         "${OUT_DIR}/*.sym")
    file(GLOB committed LIST_DIRECTORIES false RELATIVE "${REF_DIR}" "${REF_DIR}/*")
    list(REMOVE_ITEM committed README.md)
    list(SORT generated)
    list(SORT committed)
    set(errors "")
    if(NOT generated STREQUAL committed)
        string(REPLACE ";" " " have "${committed}")
        string(REPLACE ";" " " want "${generated}")
        list(APPEND errors "testdata/ holds [${have}] but mkfixtures writes [${want}]")
    endif()
    foreach(name IN LISTS generated)
        set(ref "${REF_DIR}/${name}")
        set(gen "${OUT_DIR}/${name}")
        if(NOT EXISTS "${ref}")
            continue()
        endif()
        file(SIZE "${ref}" size)
        if(size GREATER_EQUAL 65536)
            list(APPEND errors "${name} is ${size} bytes; fixtures must stay under 64 KiB")
        endif()
        if(name MATCHES "\\.gz$")
            # zlib's minimal header: 1f 8b, deflate, no flags (no name), MTIME 0.
            file(READ "${ref}" head LIMIT 8 HEX)
            if(NOT head STREQUAL "1f8b080000000000")
                list(APPEND errors "${name}: gzip header ${head} has a name or an mtime")
            endif()
            foreach(side ref gen)
                execute_process(COMMAND "${MKFIXTURES}" --inflate "${${side}}"
                                "${OUT_DIR}/inflated/${side}-${name}" RESULT_VARIABLE rc)
                if(NOT rc EQUAL 0)
                    list(APPEND errors "${name}: cannot inflate the ${side} copy")
                endif()
            endforeach()
            set(ref "${OUT_DIR}/inflated/ref-${name}")
            set(gen "${OUT_DIR}/inflated/gen-${name}")
        endif()
        execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${ref}" "${gen}"
                        RESULT_VARIABLE rc)
        if(NOT rc EQUAL 0)
            list(APPEND errors "${name} differs from what mkfixtures writes: regenerate it")
        endif()
    endforeach()
    if(errors)
        string(REPLACE ";" "\n  " errors "${errors}")
        message(FATAL_ERROR "testdata is stale:\n  ${errors}")
    endif()
    list(LENGTH generated n)
    message(STATUS "testdata: ${n} fixtures up to date")
    return()
endif()

add_executable(mkfixtures mkfixtures.c)
target_link_libraries(mkfixtures PRIVATE dmpread_mkdump ZLIB::ZLIB)
dmpread_target_warnings(mkfixtures NO_CONVERSION)
dmpread_target_sanitize(mkfixtures)

add_test(NAME testdata_fresh COMMAND "${CMAKE_COMMAND}"
    "-DMKFIXTURES=$<TARGET_FILE:mkfixtures>"
    "-DOUT_DIR=${CMAKE_CURRENT_BINARY_DIR}/testdata_fresh"
    "-DREF_DIR=${PROJECT_SOURCE_DIR}/testdata"
    -P "${CMAKE_CURRENT_LIST_FILE}")

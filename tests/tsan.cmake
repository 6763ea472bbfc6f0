# tsan.cmake - tsan_threads: one dump read from four threads at once (tests/tsan_threads.c).
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. Any build runs it as a concurrency test (the stacks every
# thread walks must agree); scripts/check.sh also builds it alone with
# -DDMPREAD_SANITIZE=thread under clang, where ThreadSanitizer watches it and any report fails.
# Inputs: a dump it builds with tests/mkdump (200 adjacent ranges: the lazy coverage table),
# the committed dumps, and when the shared dumps are there two real ones walked with
# their Breakpad symbols (minidump2: x86 Windows, STACK WIN; linux_inline: amd64, STACK CFI and
# inline records) and the largest real one (breakpad/stack_exhaustion, 1 MiB).
add_executable(tsan_threads ${CMAKE_CURRENT_LIST_DIR}/tsan_threads.c
    ${PROJECT_SOURCE_DIR}/fuzz/touch.c)
target_include_directories(tsan_threads PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
target_link_libraries(tsan_threads PRIVATE dmpread dmpread_mkdump Threads::Threads)
dmpread_target_warnings(tsan_threads NO_CONVERSION)
dmpread_target_sanitize(tsan_threads)

file(GLOB _dmp_tsan_inputs ${PROJECT_SOURCE_DIR}/testdata/*.dmp)
list(APPEND _dmp_tsan_inputs ${PROJECT_SOURCE_DIR}/testdata/full.dmp.gz)
set(_dmp_tsan_args "")
get_filename_component(_dmp_tsan_symbols "${DMPREAD_SHARED_DUMPS}/../symbols/breakpad" ABSOLUTE)
if(IS_DIRECTORY "${DMPREAD_SHARED_DUMPS}/breakpad" AND IS_DIRECTORY "${_dmp_tsan_symbols}")
    set(_dmp_tsan_args --symbols "${_dmp_tsan_symbols}")
    foreach(_dump IN ITEMS minidump2 linux_inline stack_exhaustion)
        if(EXISTS "${DMPREAD_SHARED_DUMPS}/breakpad/${_dump}.dmp")
            list(APPEND _dmp_tsan_inputs "${DMPREAD_SHARED_DUMPS}/breakpad/${_dump}.dmp")
        endif()
    endforeach()
endif()
add_test(NAME tsan_threads COMMAND tsan_threads ${_dmp_tsan_args} ${_dmp_tsan_inputs})

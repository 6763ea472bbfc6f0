# elf_cfi.cmake - the ELF reader and DWARF CFI unwinder (src/image/elf.c, dwarf.c) against
# binutils' readelf, and test_elf's frame-pointer-less call chain.
# SPDX-License-Identifier: MIT
#
# Included by tests/CMakeLists.txt. `elf_cfi_diff` builds tests/differential/elf_cfi_sample.c
# for every CPU the compilers here can target, then compares our rule rows, build ids and
# symbol lookups with readelf's over those files, the system's libc, ld.so and libstdc++, and
# the dumper itself (tests/differential/elf_cfi_diff.py). Skipped (77) without readelf or
# python3.

if(WIN32)
    return()
endif()

add_executable(elf_cfi_dump ${CMAKE_CURRENT_LIST_DIR}/elf_cfi_dump.c)
target_include_directories(elf_cfi_dump PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(elf_cfi_dump PRIVATE dmpread)
dmpread_target_warnings(elf_cfi_dump NO_CONVERSION)
dmpread_target_sanitize(elf_cfi_dump)

add_test(NAME elf_cfi_diff COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/differential/elf_cfi_diff.sh"
    "$<TARGET_FILE:elf_cfi_dump>" "${CMAKE_CURRENT_BINARY_DIR}/elf_cfi_targets")
set_tests_properties(elf_cfi_diff PROPERTIES SKIP_RETURN_CODE 77)

# test_elf unwinds its own stack through a chain built without frame pointers, so that only
# the CFI can find the callers (the sanitizer build asks for frame pointers everywhere else).
if(TARGET test_elf)
    target_sources(test_elf PRIVATE ${CMAKE_CURRENT_LIST_DIR}/elf_chain.c)
    if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
        set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/elf_chain.c PROPERTIES
            COMPILE_OPTIONS "-O2;-fomit-frame-pointer;-fasynchronous-unwind-tables")
    endif()
endif()

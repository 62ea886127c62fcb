# libFuzzer targets (tests/fuzz), built only with -DGW_FUZZ=ON and clang:
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DGW_FUZZ=ON -DGW_TESTS=OFF
#   cmake --build build-fuzz -j2 && mkdir -p /tmp/corpus &&
#   build-fuzz/tests/fuzz/fuzz_path_template -max_total_time=60 /tmp/corpus \
#       tests/fuzz/corpus/fuzz_path_template      (new inputs go to /tmp/corpus)
# Every target of the build gets coverage instrumentation and ASan + UBSan.
option(GW_FUZZ "Build the libFuzzer targets under tests/fuzz (needs clang)" OFF)

if(GW_FUZZ)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "GW_FUZZ=ON needs clang: -DCMAKE_C_COMPILER=clang")
    endif()
    add_compile_options(-g -O1 -fno-omit-frame-pointer
                        -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
    add_link_options(-fsanitize=address,undefined)
endif()

# gw_add_fuzzer(<name> SOURCES <file>... LIBS <target>...)
function(gw_add_fuzzer name)
    cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
    add_executable(${name} ${F_SOURCES})
    gw_target_defaults(${name})
    target_link_libraries(${name} PRIVATE ${F_LIBS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()

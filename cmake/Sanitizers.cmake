# Build types beyond CMake's own: Asan (address + undefined, no recovery) and Tsan.
# project() leaves empty cache entries for every build type's flags, so ours replace
# them when they are empty (and stay as the user set them otherwise).
function(gw_build_type_flags var value)
    if(NOT ${var})
        set(${var} "${value}" CACHE STRING "Flags of the ${CMAKE_BUILD_TYPE} build type" FORCE)
        mark_as_advanced(${var})
    endif()
endfunction()

set(GW_ASAN_FLAGS "-fsanitize=address,undefined -fno-sanitize-recover=all")
gw_build_type_flags(CMAKE_C_FLAGS_ASAN "-O1 -g -fno-omit-frame-pointer ${GW_ASAN_FLAGS}")
gw_build_type_flags(CMAKE_EXE_LINKER_FLAGS_ASAN "${GW_ASAN_FLAGS}")
gw_build_type_flags(CMAKE_SHARED_LINKER_FLAGS_ASAN "${GW_ASAN_FLAGS}")
gw_build_type_flags(CMAKE_C_FLAGS_TSAN "-O1 -g -fsanitize=thread")
gw_build_type_flags(CMAKE_EXE_LINKER_FLAGS_TSAN "-fsanitize=thread")
gw_build_type_flags(CMAKE_SHARED_LINKER_FLAGS_TSAN "-fsanitize=thread")

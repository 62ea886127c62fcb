# Build types beyond CMake's own: Asan (address + undefined, no recovery) and Tsan.
# project() leaves an empty CMAKE_<X>_FLAGS_<TYPE> in the cache for a custom build type
# given on the command line; drop such empty entries so that the defaults below apply.
foreach(var C_FLAGS_ASAN EXE_LINKER_FLAGS_ASAN SHARED_LINKER_FLAGS_ASAN C_FLAGS_TSAN
            EXE_LINKER_FLAGS_TSAN SHARED_LINKER_FLAGS_TSAN)
    if(DEFINED CACHE{CMAKE_${var}} AND "$CACHE{CMAKE_${var}}" STREQUAL "")
        unset(CMAKE_${var} CACHE)
    endif()
endforeach()
set(CMAKE_C_FLAGS_ASAN
    "-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
    CACHE STRING "C flags for the Asan build type")
set(CMAKE_EXE_LINKER_FLAGS_ASAN "-fsanitize=address,undefined"
    CACHE STRING "Linker flags for the Asan build type")
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "-fsanitize=address,undefined"
    CACHE STRING "Shared linker flags for the Asan build type")
set(CMAKE_C_FLAGS_TSAN "-O1 -g -fsanitize=thread" CACHE STRING "C flags for the Tsan build type")
set(CMAKE_EXE_LINKER_FLAGS_TSAN "-fsanitize=thread" CACHE STRING "Linker flags for the Tsan build type")
set(CMAKE_SHARED_LINKER_FLAGS_TSAN "-fsanitize=thread"
    CACHE STRING "Shared linker flags for the Tsan build type")
mark_as_advanced(CMAKE_C_FLAGS_ASAN CMAKE_EXE_LINKER_FLAGS_ASAN CMAKE_SHARED_LINKER_FLAGS_ASAN
                 CMAKE_C_FLAGS_TSAN CMAKE_EXE_LINKER_FLAGS_TSAN CMAKE_SHARED_LINKER_FLAGS_TSAN)

# Warnings for every target of ours: gw_target_defaults(<target>) also sets C11 and
# hidden visibility. -Wconversion is opt-in per target (gw_target_strict) where length
# and varint arithmetic lives.
include(CheckCCompilerFlag)

option(GW_WERROR "Treat warnings as errors" ON)

set(GW_WARNINGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wwrite-strings -Wformat=2 -Wcast-qual -Wundef -Wvla -Wimplicit-fallthrough)
set(GW_STRICT_WARNINGS -Wconversion -Wsign-conversion)

set(GW_C_FLAGS "")
foreach(flag IN LISTS GW_WARNINGS)
    string(MAKE_C_IDENTIFIER "HAVE${flag}" var)
    check_c_compiler_flag(${flag} ${var})
    if(${var})
        list(APPEND GW_C_FLAGS ${flag})
    endif()
endforeach()
if(GW_WERROR)
    list(APPEND GW_C_FLAGS -Werror)
endif()

function(gw_target_defaults target)
    target_compile_features(${target} PRIVATE c_std_11)
    set_target_properties(${target} PROPERTIES C_EXTENSIONS OFF C_VISIBILITY_PRESET hidden)
    target_compile_definitions(${target} PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
    target_compile_options(${target} PRIVATE ${GW_C_FLAGS})
endfunction()

function(gw_target_strict target)
    target_compile_options(${target} PRIVATE ${GW_STRICT_WARNINGS})
endfunction()

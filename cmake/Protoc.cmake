# Code and descriptor sets generated at build time from .proto files.
find_program(PROTOC protoc REQUIRED)
find_program(PROTOC_C protoc-c REQUIRED)

set(GW_PROTOBUF_INCLUDE /usr/include CACHE PATH "Folder holding google/protobuf/*.proto")
set(GW_GOOGLEAPIS_INCLUDE
    /usr/share/gocode/src/github.com/gogo/googleapis
    CACHE PATH "Folder holding google/api/*.proto and google/rpc/*.proto")
set(GW_GRPC_PROTO_INCLUDE /usr/share/grpc-proto CACHE PATH "Folder holding grpc/**/*.proto")

# gw_protoc_c(<out-var> <proto-root> <file.proto>...): protobuf-c sources for the files
# (paths relative to <proto-root>) into ${CMAKE_CURRENT_BINARY_DIR}/gen; <out-var> gets the .c files.
function(gw_protoc_c out_var root)
    set(gen ${CMAKE_CURRENT_BINARY_DIR}/gen)
    file(MAKE_DIRECTORY ${gen})
    set(sources "")
    foreach(proto IN LISTS ARGN)
        string(REGEX REPLACE "\\.proto$" "" stem ${proto})
        add_custom_command(
            OUTPUT ${gen}/${stem}.pb-c.c ${gen}/${stem}.pb-c.h
            COMMAND ${PROTOC_C} -I${root} -I${GW_GOOGLEAPIS_INCLUDE} -I${GW_PROTOBUF_INCLUDE}
                    --c_out=${gen} ${root}/${proto}
            DEPENDS ${root}/${proto}
            COMMENT "protoc-c ${proto}" VERBATIM)
        list(APPEND sources ${gen}/${stem}.pb-c.c)
    endforeach()
    set(${out_var} ${sources} PARENT_SCOPE)
endfunction()

# gw_descriptor_set(<target> <out.pb> <proto-root> <file.proto>...): a FileDescriptorSet with
# imports and source info (comments), as users make them for protogate.
function(gw_descriptor_set target out root)
    set(inputs "")
    foreach(proto IN LISTS ARGN)
        list(APPEND inputs ${root}/${proto})
    endforeach()
    add_custom_command(
        OUTPUT ${out}
        COMMAND ${PROTOC} -I${root} -I${GW_GOOGLEAPIS_INCLUDE} -I${GW_PROTOBUF_INCLUDE}
                -I${GW_GRPC_PROTO_INCLUDE} --include_imports --include_source_info
                --descriptor_set_out=${out} ${ARGN}
        WORKING_DIRECTORY ${root}
        DEPENDS ${inputs}
        COMMENT "descriptor set ${out}" VERBATIM)
    add_custom_target(${target} ALL DEPENDS ${out})
endfunction()

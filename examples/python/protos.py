"""Generates the Python modules of the example protos at start-up (nothing generated is
committed), the way the gRPC tutorials run grpc_tools.protoc, and puts them on sys.path."""
import os
import sys
import tempfile

from grpc_tools import protoc

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)
INCLUDES = [
    "/usr/share/gocode/src/github.com/gogo/googleapis",
    "/usr/include",
    "/usr/share/grpc-proto",
    os.path.join(os.path.dirname(protoc.__file__), "_proto"),
]
# Imported by the example protos, generated alongside them.
GOOGLE = ["google/api/http.proto", "google/api/annotations.proto", "google/rpc/status.proto",
          "google/rpc/error_details.proto"]


_out = None


def load(root, *protos):
    """Compiles |protos| (paths under |root|) and the google/* protos they may import into
    one folder per process, on sys.path; returns the folder."""
    global _out
    first = _out is None
    if first:
        _out = tempfile.mkdtemp(prefix="protogate-py-")
    out = _out
    groups = ((GOOGLE, False),) if first else ()
    for group, services in groups + ((list(protos), True),):
        args = ["protoc", "-I" + root] + ["-I" + i for i in INCLUDES]
        args += ["--python_out=" + out]
        if services:
            args += ["--grpc_python_out=" + out]
        if protoc.main(args + list(group)) != 0:
            raise SystemExit("protoc failed for %s" % " ".join(group))
    if first:
        sys.path.insert(0, out)
        # Installed packages gain the generated google.api, google.rpc, grpc.health.v1.
        import google
        import grpc

        google.__path__.append(os.path.join(out, "google"))
        grpc.__path__.append(os.path.join(out, "grpc"))
    return out

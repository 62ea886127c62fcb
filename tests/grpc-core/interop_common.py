"""What the interop driver (interop_client.py) and the grpcio TestService
(interop_server.py) share: stubs generated from Debian's grpc-proto at run time,
throwaway certificates, and the constants of grpc's interop-test-descriptions.md."""

import importlib
import os
import subprocess
import sys

GRPC_PROTO = os.environ.get("GW_GRPC_PROTO_INCLUDE", "/usr/share/grpc-proto")
HERE = os.path.dirname(os.path.abspath(__file__))

SPECIAL_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
INITIAL_VALUE = "test_initial_metadata_value"
TRAILING_VALUE = b"\x0a\x0b\x0a\x0b\x0a\x0b"


class Protos:
    """grpc.testing's message classes, built from a descriptor set that grpc_tools.protoc
    writes into |tmp| (generated modules would be named grpc.testing.*, which the
    grpcio package shadows). Calls go through generic stubs: see stub() and service()."""

    def __init__(self, tmp):
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
        from grpc_tools import protoc

        out = os.path.join(tmp, "testing.pb")
        args = ["protoc", "-I" + GRPC_PROTO, "--include_imports", "--descriptor_set_out=" + out,
                "grpc/testing/test.proto"]
        if protoc.main(args) != 0:
            raise RuntimeError("grpc_tools.protoc failed on " + GRPC_PROTO)
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as f:
            fds.ParseFromString(f.read())
        pool = descriptor_pool.DescriptorPool()
        for fd in fds.file:
            pool.Add(fd)
        factory = message_factory.MessageFactory(pool)
        self.pool = pool
        for name in ("Empty", "Payload", "EchoStatus", "BoolValue", "SimpleRequest",
                     "SimpleResponse", "StreamingInputCallRequest", "StreamingInputCallResponse",
                     "ResponseParameters", "StreamingOutputCallRequest",
                     "StreamingOutputCallResponse"):
            desc = pool.FindMessageTypeByName("grpc.testing." + name)
            setattr(self, name, factory.GetPrototype(desc))

    def methods(self, service):
        """{method name: (request class, response class)} of |service|."""
        svc = self.pool.FindServiceByName(service)
        return {m.name: (getattr(self, m.input_type.name), getattr(self, m.output_type.name))
                for m in svc.methods}


def stub(channel, protos, service, method, kind):
    """A callable for /|service|/|method|; |kind| is unary_unary, stream_unary, ..."""
    req, resp = protos.methods(service)[method]
    factory = getattr(channel, kind)
    return factory("/%s/%s" % (service, method), request_serializer=req.SerializeToString,
                   response_deserializer=resp.FromString)


def make_certs(tmp):
    """ca.pem, server.pem and server.key (localhost, 127.0.0.1) in |tmp|."""
    subprocess.run(["bash", os.path.join(HERE, "make_certs.sh"), tmp], check=True)
    return {name: os.path.join(tmp, name) for name in ("ca.pem", "server.pem", "server.key")}


def read_port(proc):
    """The port of a server that prints "listening on HOST:PORT" on its stdout."""
    for line in proc.stdout:
        if line.startswith("listening on "):
            return int(line.rsplit(":", 1)[1])
    raise RuntimeError("the server exited before listening")

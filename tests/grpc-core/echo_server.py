#!/usr/bin/python3
"""A real grpcio peer for grpc-core's client tests: service test.Echo, raw bytes in
and out (generic handlers, no generated stubs). Binds 127.0.0.1:0 and prints
"PORT <n>" once serving.

  echo_server.py [--tls CERT KEY] [--client-ca CA] [--max-streams N]
"""
import argparse
import struct
import sys
import threading
import time
from concurrent import futures

import grpc
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, wrappers_pb2

try:
    from google.protobuf import message_factory
except ImportError:  # pragma: no cover
    message_factory = None

MAX = 32 * 1024 * 1024


def status_class():
    """google.rpc.Status, built from its definition (no googleapis package here)."""
    fdp = descriptor_pb2.FileDescriptorProto(
        name="test_rpc_status.proto", package="google.rpc", syntax="proto3",
        dependency=["google/protobuf/any.proto"])
    m = fdp.message_type.add(name="Status")
    F = descriptor_pb2.FieldDescriptorProto
    m.field.add(name="code", number=1, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    m.field.add(name="message", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    m.field.add(name="details", number=3, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                type_name=".google.protobuf.Any")
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(descriptor_pb2.FileDescriptorProto.FromString(
        any_pb2.DESCRIPTOR.serialized_pb).SerializeToString())
    pool.Add(fdp)
    desc = pool.FindMessageTypeByName("google.rpc.Status")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


Status = status_class()


def echo_md(context):
    md = [(k, v) for k, v in context.invocation_metadata() if k.startswith("x-")]
    context.send_initial_metadata(md)
    context.set_trailing_metadata([("x-trailer", "done")] + md)


def unary(req, context):
    echo_md(context)
    return req


def server_stream(req, context):
    count, size = struct.unpack(">II", req[:8])
    for i in range(count):
        yield bytes([i % 256]) * size if size else struct.pack(">I", i)


def client_stream(it, context):
    n = total = 0
    for m in it:
        n += 1
        total += len(m)
    return ("%d:%d" % (n, total)).encode()


def bidi(it, context):
    echo_md(context)
    for m in it:
        yield m


def fail(req, context):
    code, _, msg = req.decode().partition(":")
    code = int(code)
    st = Status(code=code, message=msg)
    d = st.details.add()
    d.Pack(wrappers_pb2.StringValue(value="detail for " + msg))
    context.set_trailing_metadata([("grpc-status-details-bin", st.SerializeToString()),
                                   ("x-trailer", "failed")])
    context.abort(grpc.StatusCode(next(c for c in grpc.StatusCode if c.value[0] == code)), msg)


def slow(req, context):
    ms = struct.unpack(">I", req[:4])[0]
    deadline = time.time() + ms / 1000.0
    while time.time() < deadline and context.is_active():
        time.sleep(0.01)
    return b"slept"


def stream_then_hang(req, context):
    yield b"first"
    while context.is_active():
        time.sleep(0.05)


def timeout_echo(req, context):
    """Replies with the remaining time the server saw, in ms."""
    left = context.time_remaining()
    return str(-1 if left is None or left > 1e9 else int(left * 1000)).encode()


ident = (lambda b: b, lambda b: b)
HANDLERS = {
    "Unary": grpc.unary_unary_rpc_method_handler(unary, *ident),
    "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream, *ident),
    "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream, *ident),
    "Bidi": grpc.stream_stream_rpc_method_handler(bidi, *ident),
    "Fail": grpc.unary_unary_rpc_method_handler(fail, *ident),
    "Slow": grpc.unary_unary_rpc_method_handler(slow, *ident),
    "StreamThenHang": grpc.unary_stream_rpc_method_handler(stream_then_hang, *ident),
    "Timeout": grpc.unary_unary_rpc_method_handler(timeout_echo, *ident),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--client-ca")
    ap.add_argument("--max-streams", type=int, default=0)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    opts = [("grpc.max_receive_message_length", MAX), ("grpc.max_send_message_length", MAX),
            ("grpc.so_reuseport", 0)]
    if a.max_streams:
        opts.append(("grpc.max_concurrent_streams", a.max_streams))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64), options=opts)
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("test.Echo", HANDLERS),))
    addr = "127.0.0.1:%d" % a.port
    if a.tls:
        key = open(a.tls[1], "rb").read()
        cert = open(a.tls[0], "rb").read()
        ca = open(a.client_ca, "rb").read() if a.client_ca else None
        creds = grpc.ssl_server_credentials([(key, cert)], root_certificates=ca,
                                            require_client_auth=ca is not None)
        port = server.add_secure_port(addr, creds)
    else:
        port = server.add_insecure_port(addr)
    server.start()
    print("PORT %d" % port, flush=True)
    # Exit when the test closes our stdin (or kills us).
    threading.Thread(target=lambda: (sys.stdin.read(), server.stop(0)), daemon=True).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()

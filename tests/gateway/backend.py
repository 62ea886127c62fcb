"""The integration tests' gRPC backend (gwtest.Test plus grpc.health.v1.Health), written
the way the gRPC tutorials write servers.

    python3 tests/gateway/backend.py --port 0      # prints "listening on 127.0.0.1:PORT"
"""
import argparse
import os
import sys
import threading
import time
from concurrent import futures

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "python"))
import protos  # noqa: E402

protos.load(os.path.join(HERE, "proto"), "gwtest.proto", "google/api/httpbody.proto")
protos.load("/usr/share/grpc-proto", "grpc/health/v1/health.proto")
import gwtest_pb2  # noqa: E402
import gwtest_pb2_grpc  # noqa: E402
from google.api import httpbody_pb2  # noqa: E402,F401
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from grpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402

outcomes = {}
lock = threading.Lock()


class Test(gwtest_pb2_grpc.TestServicer):
    def Echo(self, request, context):
        md = {k: (v if isinstance(v, str) else "bin:" + v.hex())
              for k, v in context.invocation_metadata()}
        context.send_initial_metadata((("x-echo-header", "h1"),))
        context.set_trailing_metadata((("x-echo-trailer", "t1"),))
        return gwtest_pb2.EchoReply(request=request, metadata=md, payload=request.payload)

    def Unbound(self, request, context):
        return gwtest_pb2.EchoReply(request=request)

    def Update(self, request, context):
        return request

    def Fail(self, request, context):
        if request.details:
            st = status_pb2.Status(code=request.code, message=request.message)
            br = error_details_pb2.BadRequest(field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field="name", description="empty")])
            st.details.add().Pack(br)
            unknown = st.details.add()
            unknown.type_url = "type.googleapis.com/gwtest.NotInPool"
            unknown.value = b"\x08\x01"
            context.set_trailing_metadata((("grpc-status-details-bin", st.SerializeToString()),))
        context.set_code(_code(request.code))
        context.set_details(request.message)
        return gwtest_pb2.EchoReply()

    def Sleep(self, request, context):
        tag = request.tag or str(request.ms)
        with lock:
            outcomes[tag] = gwtest_pb2.OutcomeReply()
        deadline = time.time() + request.ms / 1000.0
        while time.time() < deadline:
            if not context.is_active():
                with lock:
                    outcomes[tag].cancelled = True
                return gwtest_pb2.SleepReply()
            time.sleep(0.01)
        with lock:
            outcomes[tag].finished = True
        return gwtest_pb2.SleepReply(slept=True)

    def Outcome(self, request, context):
        with lock:
            out = outcomes.get(request.tag)
        if out is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "no call tagged " + request.tag)
        return out

    def Raw(self, request, context):
        return httpbody_pb2.HttpBody(content_type="text/plain; charset=utf-8",
                                     data=("raw " + request.text).encode())

    def Count(self, request, context):
        if request.tag:
            with lock:
                outcomes[request.tag] = gwtest_pb2.OutcomeReply()
        for i in range(1, request.n + 1):
            if request.delay_ms:
                time.sleep(request.delay_ms / 1000.0)
            if i == request.die_at:
                os._exit(3)
            if i == request.fail_at:
                context.abort(grpc.StatusCode.ABORTED, "failed at %d" % i)
            if i == request.n:
                context.set_trailing_metadata((("x-count", str(request.n)),))
            yield gwtest_pb2.CountReply(i=i, pad="x" * request.pad)
            if request.tag:
                with lock:
                    outcomes[request.tag].sent = i

    def Sum(self, request_iterator, context):
        total = count = 0
        for r in request_iterator:
            total += r.value
            count += 1
        return gwtest_pb2.SumReply(total=total, count=count)

    def Chat(self, request_iterator, context):
        total = count = 0
        for r in request_iterator:
            total += r.value
            count += 1
            yield gwtest_pb2.SumReply(total=total, count=count)


def _code(n):
    for c in grpc.StatusCode:
        if c.value[0] == n:
            return c
    return grpc.StatusCode.UNKNOWN


class Health(health_pb2_grpc.HealthServicer):
    def Check(self, request, context):
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-health", action="store_true")
    parser.add_argument("--tls-cert", help="serve TLS with this PEM certificate ...")
    parser.add_argument("--tls-key", help="... and its key")
    args = parser.parse_args()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64))
    gwtest_pb2_grpc.add_TestServicer_to_server(Test(), server)
    if not args.no_health:
        health_pb2_grpc.add_HealthServicer_to_server(Health(), server)
    if args.tls_cert:
        with open(args.tls_key, "rb") as k, open(args.tls_cert, "rb") as c:
            creds = grpc.ssl_server_credentials([(k.read(), c.read())])
        port = server.add_secure_port("127.0.0.1:%d" % args.port, creds)
    else:
        port = server.add_insecure_port("127.0.0.1:%d" % args.port)
    server.start()
    print("listening on 127.0.0.1:%d" % port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()

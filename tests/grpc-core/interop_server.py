"""grpc.testing.TestService in python grpcio, for the C interop client.

    interop_server.py --client-bin build/examples/interop_client
        serves over plaintext, over TLS (throwaway certificates), and over plaintext
        gzip-compressing every response (grpcio's compression= ignores what the client
        accepts), and runs the C client's every case against each; exit 1 when the
        client reports a failure.
    interop_server.py --port N [--use_tls --tls-cert F --tls-key F] [--gzip]
        serves on 127.0.0.1:N (0: any; "listening on 127.0.0.1:PORT") until stdin closes.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent import futures

import grpc

from interop_common import ECHO_INITIAL, ECHO_TRAILING, Protos, make_certs

SERVICE = "grpc.testing.TestService"


class TestService:
    def __init__(self, protos):
        self.p = protos

    def echo(self, context):
        md = dict(context.invocation_metadata())
        if ECHO_INITIAL in md:
            context.send_initial_metadata(((ECHO_INITIAL, md[ECHO_INITIAL]),))
        if ECHO_TRAILING in md:
            context.set_trailing_metadata(((ECHO_TRAILING, md[ECHO_TRAILING]),))

    def status(self, req, context):
        """Ends the call with the status |req| asks for, if any (abort raises)."""
        if req.HasField("response_status") and req.response_status.code != 0:
            code = next(c for c in grpc.StatusCode if c.value[0] == req.response_status.code)
            context.abort(code, req.response_status.message)

    def payload(self, n):
        return self.p.Payload(body=b"\0" * n)

    def EmptyCall(self, req, context):
        self.echo(context)
        return self.p.Empty()

    def UnaryCall(self, req, context):
        self.echo(context)
        self.status(req, context)
        return self.p.SimpleResponse(payload=self.payload(req.response_size))

    def responses(self, req, context):
        for param in req.response_parameters:
            if param.interval_us:
                time.sleep(param.interval_us / 1e6)
            yield self.p.StreamingOutputCallResponse(payload=self.payload(param.size))

    def StreamingOutputCall(self, req, context):
        self.echo(context)
        yield from self.responses(req, context)
        self.status(req, context)

    def StreamingInputCall(self, reqs, context):
        self.echo(context)
        total = sum(len(r.payload.body) for r in reqs)
        return self.p.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, reqs, context):
        self.echo(context)
        for req in reqs:
            self.status(req, context)
            yield from self.responses(req, context)

    def HalfDuplexCall(self, reqs, context):
        self.echo(context)
        for req in list(reqs):
            self.status(req, context)
            yield from self.responses(req, context)

    def UnimplementedCall(self, req, context):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "UnimplementedCall is not implemented")


def serve(protos, port, cert=None, key=None, gzip=False):
    """Starts the server on 127.0.0.1:|port|; returns (server, port)."""
    svc = TestService(protos)
    kinds = {"EmptyCall": grpc.unary_unary_rpc_method_handler,
             "UnaryCall": grpc.unary_unary_rpc_method_handler,
             "UnimplementedCall": grpc.unary_unary_rpc_method_handler,
             "StreamingOutputCall": grpc.unary_stream_rpc_method_handler,
             "StreamingInputCall": grpc.stream_unary_rpc_method_handler,
             "FullDuplexCall": grpc.stream_stream_rpc_method_handler,
             "HalfDuplexCall": grpc.stream_stream_rpc_method_handler}
    methods = protos.methods(SERVICE)
    handlers = {}
    for name, kind in kinds.items():
        req, resp = methods[name]
        handlers[name] = kind(getattr(svc, name), request_deserializer=req.FromString,
                                     response_serializer=resp.SerializeToString)
    compression = grpc.Compression.Gzip if gzip else None
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), compression=compression)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    addr = "127.0.0.1:%d" % port
    if cert is None:
        port = server.add_insecure_port(addr)
    else:
        with open(cert, "rb") as c, open(key, "rb") as k:
            creds = grpc.ssl_server_credentials(((k.read(), c.read()),))
        port = server.add_secure_port(addr, creds)
    server.start()
    return server, port


def run_client(protos, client_bin, tmp):
    certs = make_certs(tmp)
    failed = 0
    tls = ["--use_tls", "--ca", certs["ca.pem"], "--server_host_override", "localhost"]
    for label, cert, key, gzip, extra in (
            ("plaintext", None, None, False, []),
            ("tls", certs["server.pem"], certs["server.key"], False, tls),
            ("gzip responses", None, None, True, [])):
        server, port = serve(protos, 0, cert, key, gzip)
        try:
            print("-- the C client, %s" % label, flush=True)
            rc = subprocess.run([client_bin, "--server_port", str(port), "--test_case", "all"]
                                + extra, timeout=240).returncode
        finally:
            server.stop(None)
        if rc != 0:
            print("FAIL the C client exited with %d (%s)" % (rc, label), flush=True)
            failed += 1
    return failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client-bin")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--use_tls", action="store_true")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--gzip", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        protos = Protos(tmp)
        if args.client_bin:
            failed = run_client(protos, args.client_bin, tmp)
            print("%s: %d failed" % ("FAIL" if failed else "OK", failed), flush=True)
            sys.exit(1 if failed else 0)
        server, port = serve(protos, args.port, args.tls_cert if args.use_tls else None,
                             args.tls_key, args.gzip)
        print("listening on 127.0.0.1:%d" % port, flush=True)
        sys.stdin.read()
        server.stop(None)


if __name__ == "__main__":
    main()

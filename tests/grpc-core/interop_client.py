"""gRPC's interop test cases (grpc/doc/interop-test-descriptions.md), run by a python
grpcio client against a grpc.testing.TestService server.

    interop_client.py --server-bin build/examples/interop_server
        starts the C server over plaintext, then over TLS (throwaway certificates),
        runs every case against each and prints PASS/FAIL per case; exit 1 on a failure.
    interop_client.py --server-bin ... --client-bin build/examples/interop_client
        the same with the C client in place of this one (grpc-core against itself).
    interop_client.py --port N [--use_tls --ca ca.pem] [--test_case NAME]
        runs against a server already listening on 127.0.0.1:N.
"""

import argparse
import os
import queue
import signal
import subprocess
import sys
import tempfile
import traceback

import grpc

from interop_common import (ECHO_INITIAL, ECHO_TRAILING, INITIAL_VALUE, SPECIAL_MESSAGE,
                            TRAILING_VALUE, Protos, make_certs, read_port, stub)

SERVICE = "grpc.testing.TestService"
TIMEOUT = 20


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def expect_code(err, code, details=None):
    check(isinstance(err, grpc.RpcError), "expected an RpcError, got %r" % (err,))
    check(err.code() == code, "expected %s, got %s (%r)" % (code, err.code(), err.details()))
    if details is not None:
        check(err.details() == details, "details %r != %r" % (err.details(), details))


class Requests:
    """A request iterator fed from the test, for streams that interleave."""

    END = object()

    def __init__(self):
        self.q = queue.Queue()

    def put(self, msg):
        self.q.put(msg)

    def close(self):
        self.q.put(self.END)

    def __iter__(self):
        return self

    def __next__(self):
        msg = self.q.get()
        if msg is self.END:
            raise StopIteration
        return msg


class Cases:
    def __init__(self, channel, p):
        self.ch = channel
        self.p = p

    def call(self, method, kind, service=SERVICE):
        return stub(self.ch, self.p, service, method, kind)

    def payload(self, n):
        return self.p.Payload(body=b"\0" * n)

    def out_request(self, sizes, payload=0, status=None):
        return self.p.StreamingOutputCallRequest(
            response_parameters=[self.p.ResponseParameters(size=s) for s in sizes],
            payload=self.payload(payload) if payload else None, response_status=status)

    def empty_unary(self):
        resp = self.call("EmptyCall", "unary_unary")(self.p.Empty(), timeout=TIMEOUT)
        check(resp.ByteSize() == 0, "EmptyCall returned a non-empty message")

    def large_unary(self):
        req = self.p.SimpleRequest(response_size=314159, payload=self.payload(271828))
        resp = self.call("UnaryCall", "unary_unary")(req, timeout=TIMEOUT)
        check(resp.payload.body == b"\0" * 314159, "payload of %d bytes" % len(resp.payload.body))

    def client_streaming(self):
        reqs = [self.p.StreamingInputCallRequest(payload=self.payload(n))
                for n in (27182, 8, 1828, 45904)]
        resp = self.call("StreamingInputCall", "stream_unary")(iter(reqs), timeout=TIMEOUT)
        check(resp.aggregated_payload_size == 74922,
              "aggregated_payload_size %d" % resp.aggregated_payload_size)

    def server_streaming(self):
        sizes = (31415, 9, 2653, 58979)
        it = self.call("StreamingOutputCall", "unary_stream")(self.out_request(sizes),
                                                            timeout=TIMEOUT)
        got = [len(r.payload.body) for r in it]
        check(tuple(got) == sizes, "response sizes %r" % (got,))
        check(it.code() == grpc.StatusCode.OK, "status %s" % it.code())

    def ping_pong(self):
        reqs = Requests()
        it = self.call("FullDuplexCall", "stream_stream")(reqs, timeout=TIMEOUT)
        for req_size, resp_size in ((27182, 31415), (8, 9), (1828, 2653), (45904, 58979)):
            reqs.put(self.out_request([resp_size], payload=req_size))
            resp = next(it)
            check(len(resp.payload.body) == resp_size, "response of %d bytes" %
                  len(resp.payload.body))
        reqs.close()
        check(list(it) == [], "a response after the last request")
        check(it.code() == grpc.StatusCode.OK, "status %s" % it.code())

    def empty_stream(self):
        it = self.call("FullDuplexCall", "stream_stream")(iter([]), timeout=TIMEOUT)
        check(list(it) == [], "responses to no request")
        check(it.code() == grpc.StatusCode.OK, "status %s" % it.code())

    def timeout_on_sleeping_server(self):
        reqs = Requests()
        it = self.call("FullDuplexCall", "stream_stream")(reqs, timeout=0.001)
        reqs.put(self.out_request([], payload=27182))
        try:
            list(it)
            raise Failure("the call did not time out")
        except grpc.RpcError as e:
            expect_code(e, grpc.StatusCode.DEADLINE_EXCEEDED)
        finally:
            reqs.close()

    def cancel_after_begin(self):
        reqs = Requests()
        fut = self.call("StreamingInputCall", "stream_unary").future(reqs, timeout=TIMEOUT)
        fut.cancel()
        reqs.close()
        check(fut.cancelled(), "the future is not cancelled")
        check(fut.code() == grpc.StatusCode.CANCELLED, "status %s" % fut.code())

    def cancel_after_first_response(self):
        reqs = Requests()
        it = self.call("FullDuplexCall", "stream_stream")(reqs, timeout=TIMEOUT)
        reqs.put(self.out_request([31415], payload=27182))
        resp = next(it)
        check(len(resp.payload.body) == 31415, "first response of %d bytes" %
              len(resp.payload.body))
        it.cancel()
        reqs.close()
        try:
            next(it)
            raise Failure("a message after cancel")
        except grpc.RpcError as e:
            expect_code(e, grpc.StatusCode.CANCELLED)

    def _status(self, code, message):
        status = self.p.EchoStatus(code=code, message=message)
        req = self.p.SimpleRequest(response_status=status)
        try:
            self.call("UnaryCall", "unary_unary")(req, timeout=TIMEOUT)
            raise Failure("UnaryCall succeeded")
        except grpc.RpcError as e:
            expect_code(e, grpc.StatusCode.UNKNOWN, message)
        return status

    def status_code_and_message(self):
        status = self._status(2, "test status message")
        it = self.call("FullDuplexCall", "stream_stream")(
            iter([self.out_request([], status=status)]), timeout=TIMEOUT)
        try:
            list(it)
            raise Failure("FullDuplexCall succeeded")
        except grpc.RpcError as e:
            expect_code(e, grpc.StatusCode.UNKNOWN, "test status message")

    def special_status_message(self):
        self._status(2, SPECIAL_MESSAGE)

    def _check_echo(self, initial, trailing):
        check((ECHO_INITIAL, INITIAL_VALUE) in initial, "initial metadata %r" % (initial,))
        check((ECHO_TRAILING, TRAILING_VALUE) in trailing, "trailing metadata %r" % (trailing,))

    def custom_metadata(self):
        md = ((ECHO_INITIAL, INITIAL_VALUE), (ECHO_TRAILING, TRAILING_VALUE))
        req = self.p.SimpleRequest(response_size=314159, payload=self.payload(271828))
        resp, call = self.call("UnaryCall", "unary_unary").with_call(req, metadata=md,
                                                                    timeout=TIMEOUT)
        check(len(resp.payload.body) == 314159, "UnaryCall payload")
        self._check_echo(call.initial_metadata(), call.trailing_metadata())
        it = self.call("FullDuplexCall", "stream_stream")(
            iter([self.out_request([314159], payload=271828)]), metadata=md, timeout=TIMEOUT)
        got = [len(r.payload.body) for r in it]
        check(got == [314159], "FullDuplexCall responses %r" % (got,))
        self._check_echo(it.initial_metadata(), it.trailing_metadata())

    def unimplemented_method(self):
        try:
            self.call("UnimplementedCall", "unary_unary")(self.p.Empty(), timeout=TIMEOUT)
            raise Failure("UnimplementedCall succeeded")
        except grpc.RpcError as e:
            expect_code(e, grpc.StatusCode.UNIMPLEMENTED)

    def unimplemented_service(self):
        try:
            self.call("UnimplementedCall", "unary_unary",
                      service="grpc.testing.UnimplementedService")(self.p.Empty(),
                                                                   timeout=TIMEOUT)
            raise Failure("UnimplementedService.UnimplementedCall succeeded")
        except grpc.RpcError as e:
            expect_code(e, grpc.StatusCode.UNIMPLEMENTED)


CASES = ["empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong",
         "empty_stream", "timeout_on_sleeping_server", "cancel_after_begin",
         "cancel_after_first_response", "status_code_and_message", "special_status_message",
         "custom_metadata", "unimplemented_method", "unimplemented_service"]


def run_cases(protos, port, ca, label, only=None):
    """Runs the cases against 127.0.0.1:|port|; returns how many failed."""
    target = "127.0.0.1:%d" % port
    if ca is None:
        channel = grpc.insecure_channel(target)
    else:
        with open(ca, "rb") as f:
            creds = grpc.ssl_channel_credentials(root_certificates=f.read())
        channel = grpc.secure_channel(target, creds,
                                      options=[("grpc.ssl_target_name_override", "localhost")])
    cases = Cases(channel, protos)
    failed = 0
    for name in CASES if only in (None, "all") else [only]:
        try:
            getattr(cases, name)()
            print("PASS %s (%s)" % (name, label), flush=True)
        except Exception:  # noqa: BLE001 - every failure is reported, then the next case runs
            failed += 1
            print("FAIL %s (%s)\n%s" % (name, label, traceback.format_exc()), flush=True)
    channel.close()
    return failed


def run_client_bin(client_bin, port, ca, label):
    """Runs the C interop client's every case; returns 1 when one failed."""
    extra = [] if ca is None else ["--use_tls", "--ca", ca, "--server_host_override", "localhost"]
    print("-- the C client, %s" % label, flush=True)
    rc = subprocess.run([client_bin, "--server_port", str(port)] + extra, timeout=240).returncode
    return 1 if rc != 0 else 0


def against_binary(protos, server_bin, tmp, client_bin=None):
    certs = make_certs(tmp)
    failed = 0
    for label, extra, ca in (("plaintext", [], None),
                             ("tls", ["--use_tls", "--tls-cert", certs["server.pem"],
                                      "--tls-key", certs["server.key"]], certs["ca.pem"])):
        proc = subprocess.Popen([server_bin, "--port", "0"] + extra, stdout=subprocess.PIPE,
                                text=True)
        try:
            port = read_port(proc)
            if client_bin:
                failed += run_client_bin(client_bin, port, ca, label)
            else:
                failed += run_cases(protos, port, ca, label)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.stdout.close()
            code = proc.wait(timeout=30)
        if code != 0:
            print("FAIL the server exited with %d (%s)" % (code, label), flush=True)
            failed += 1
    return failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-bin")
    ap.add_argument("--client-bin")
    ap.add_argument("--port", type=int)
    ap.add_argument("--use_tls", action="store_true")
    ap.add_argument("--ca")
    ap.add_argument("--test_case", default="all", choices=CASES + ["all"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        protos = Protos(tmp)
        if args.server_bin:
            failed = against_binary(protos, args.server_bin, tmp, args.client_bin)
        else:
            failed = run_cases(protos, args.port, args.ca if args.use_tls else None,
                               "tls" if args.use_tls else "plaintext", args.test_case)
    print("%s: %d failed" % ("FAIL" if failed else "OK", failed), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

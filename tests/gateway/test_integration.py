"""The gateway between curl-like HTTP clients and real gRPC backends (Python grpcio,
written the way the tutorials write them): routing, request and reply mapping, every
status code, details, headers, deadlines, streaming, limits and start-up errors.

    GW_PROTOGATE=build/gateway/protogate GW_SETS=a.pb:b.pb python3 test_integration.py
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402

BIN = os.environ.get("GW_PROTOGATE", os.path.join(harness.ROOT, "build/gateway/protogate"))
SETS = os.environ.get("GW_SETS", "").split(":")
procs = []
GW = None  # the main gateway's port
BACKEND = None


def start(p):
    procs.append(p)
    return p


def setUpModule():
    global GW, BACKEND, gw_proc, greeter, route_guide
    BACKEND = start(harness.backend())
    greeter = start(harness.backend("examples/python/greeter_server.py"))
    route_guide = start(harness.backend("examples/python/route_guide_server.py"))
    config = {
        "services": {
            "helloworld.Greeter": {"backend": "127.0.0.1:%d" % greeter.port},
            "routeguide.RouteGuide": {"backend": "127.0.0.1:%d" % route_guide.port},
        },
        "limits": {"max_body": "64KiB"},
        "forward_headers": ["X-Request-Id"],
        "access_log": True,
    }
    gw_proc = start(harness.gateway(BIN, SETS, BACKEND.port, config=config))
    GW = gw_proc.port


def tearDownModule():
    for p in reversed(procs):
        p.stop()
    # Under ASan/UBSan the gateways report memory errors and leaks on their stderr.
    bad = [line for p in procs for line in p.lines
           if "Sanitizer" in line or "runtime error:" in line]
    if bad:
        raise AssertionError("sanitizer reports:\n" + "\n".join(bad[:40]))


def get(path, **kw):
    return request(GW, "GET", path, **kw)


def post(path, body=None, **kw):
    return request(GW, "POST", path, body, **kw)


def outcome_of(tag):
    """What the test backend saw of the call tagged |tag|, once it was cancelled or
    finished (or after 5 s)."""
    end = time.time() + 5
    while True:
        r = get("/v1/outcome/" + tag)
        out = r.json() if r.status == 200 else {}
        if out.get("cancelled") or out.get("finished") or time.time() > end:
            return out
        time.sleep(0.1)


class Routing(unittest.TestCase):
    def test_hello_call_returns_the_greeting(self):
        r = post("/v1/hello", {"name": "world"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b'{"message":"Hello, world!"}')
        self.assertEqual(r.header("Content-Type"), "application/json")

    def test_additional_binding_takes_the_name_from_the_path(self):
        self.assertEqual(get("/v1/hello/ada").json(), {"message": "Hello, ada!"})

    def test_unknown_path_is_404_with_a_status_body(self):
        r = get("/v1/nowhere")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"code": 5, "message": "Not Found", "details": []})

    def test_wrong_method_is_405_with_allow(self):
        r = request(GW, "DELETE", "/v1/hello")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "POST")
        self.assertEqual(r.json()["code"], 12)

    def test_unannotated_method_is_served_at_its_grpc_path(self):
        r = post("/gwtest.Test/Unbound", {"id": "u1"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["request"]["id"], "u1")

    def test_most_specific_template_wins(self):
        r = get("/v1/echo/x/inner/bob")
        self.assertEqual(r.json()["request"], {"id": "x", "inner": {"name": "bob"}})

    def test_multi_segment_variable_takes_the_rest_of_the_path(self):
        r = get("/v1/files/a/b/c.txt")
        self.assertEqual(r.json()["request"]["id"], "a/b/c.txt")

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        c = http.client.HTTPConnection("127.0.0.1", GW, timeout=10)
        for path in ("/v1/hello/a", "/v1/nowhere", "/v1/hello/b"):
            c.request("GET", path)
            r = c.getresponse()
            r.read()
        self.assertEqual(r.status, 200)
        c.close()


class RequestMapping(unittest.TestCase):
    def test_query_parameters_fill_nested_repeated_enum_and_well_known_fields(self):
        q = ("inner.name=n&inner.n=7&nums=1&nums=2&color=GREEN&when=2024-01-02T03:04:05Z"
             "&wait=1.5s&maybe=3&mask=a,b.c&big=9007199254740993&pageToken=t%20x")
        r = get("/v1/echo/q1?" + q)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["request"], {
            "id": "q1", "inner": {"name": "n", "n": 7}, "nums": [1, 2], "color": "GREEN",
            "when": "2024-01-02T03:04:05Z", "wait": "1.500s", "maybe": 3, "mask": "a,b.c",
            "big": "9007199254740993", "pageToken": "t x"})

    def test_enum_by_number(self):
        self.assertEqual(get("/v1/echo/e?color=1").json()["request"]["color"], "RED")

    def test_body_star_fills_the_message(self):
        r = post("/v1/echo", {"id": "b", "nums": [4], "inner": {"name": "z"}})
        self.assertEqual(r.json()["request"], {"id": "b", "nums": [4], "inner": {"name": "z"}})

    def test_body_field_fills_that_field_and_the_path_the_rest(self):
        r = request(GW, "PUT", "/v1/echo/p?inner.n=2", '"the payload"')
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["request"], {"id": "p", "payload": "the payload",
                                               "inner": {"n": 2}})

    def test_unknown_query_parameter_is_400_naming_it(self):
        r = get("/v1/echo/x?colour=RED")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["code"], 3)
        self.assertIn("colour", r.json()["message"])

    def test_unknown_json_field_is_400_naming_it(self):
        r = post("/v1/echo", {"id": "x", "bogus": 1})
        self.assertEqual(r.status, 400)
        self.assertIn("bogus", r.json()["message"])

    def test_bad_values_are_400_with_the_codec_message(self):
        for path in ("/v1/echo/x?inner.n=abc", "/v1/echo/x?color=BLUE",
                     "/v1/echo/x?when=yesterday", "/v1/echo/x?a=%zz"):
            r = get(path)
            self.assertEqual(r.status, 400, path)
            self.assertEqual(r.json()["code"], 3)

    def test_malformed_json_body_is_400(self):
        r = post("/v1/echo", '{"id":')
        self.assertEqual(r.status, 400)

    def test_query_parameter_for_the_body_field_is_a_conflict(self):
        r = request(GW, "PUT", "/v1/echo/p?payload=x", '"y"')
        self.assertEqual(r.status, 400)

    def test_patch_fills_the_field_mask_from_the_body_keys(self):
        r = request(GW, "PATCH", "/v1/things/t1", {"name": "n", "size": 3})
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertEqual(body["thing"], {"id": "t1", "name": "n", "size": 3})
        self.assertEqual(sorted(body["updateMask"].split(",")), ["name", "size"])

    def test_patch_keeps_a_mask_the_client_sent(self):
        r = request(GW, "PATCH", "/v1/things/t1?updateMask=name", {"name": "n", "size": 3})
        self.assertEqual(r.json()["updateMask"], "name")

    def test_chunked_request_body(self):
        c = http.client.HTTPConnection("127.0.0.1", GW, timeout=10)
        c.request("POST", "/v1/hello", body=iter([b'{"na', b'me":"chunks"}']),
                  encode_chunked=True)
        r = c.getresponse()
        self.assertEqual(r.read(), b'{"message":"Hello, chunks!"}')
        c.close()


class ReplyMapping(unittest.TestCase):
    def test_response_body_sends_only_that_field(self):
        r = post("/v1/echo/x:payload", {"payload": "just this"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), "just this")

    def test_http_body_reply_is_raw_with_its_content_type(self):
        r = get("/v1/raw?text=hi")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"raw hi")
        self.assertEqual(r.header("Content-Type"), "text/plain; charset=utf-8")

    def test_pretty_indents(self):
        r = get("/v1/hello/ada?pretty")
        self.assertIn(b"\n", r.body)
        self.assertEqual(r.json(), {"message": "Hello, ada!"})


CODES = {0: 200, 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400,
         10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401}


class Errors(unittest.TestCase):
    def test_every_grpc_code_maps_to_its_http_status(self):
        for code, http_status in CODES.items():
            if code == 0:
                continue
            r = post("/v1/fail", {"code": code, "message": "m%d" % code})
            self.assertEqual(r.status, http_status, "code %d" % code)
            self.assertEqual(r.json(), {"code": code, "message": "m%d" % code, "details": []})

    def test_unauthenticated_sets_www_authenticate(self):
        r = post("/v1/fail", {"code": 16, "message": "token expired"})
        self.assertEqual(r.header("WWW-Authenticate"), "token expired")

    def test_details_are_decoded_and_unknown_types_kept_as_base64(self):
        r = post("/v1/fail", {"code": 3, "message": "bad", "details": True})
        self.assertEqual(r.status, 400)
        details = r.json()["details"]
        self.assertEqual(details[0], {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": "name", "description": "empty"}]})
        self.assertEqual(details[1], {"@type": "type.googleapis.com/gwtest.NotInPool",
                                      "value": base64.b64encode(b"\x08\x01").decode()})


class Headers(unittest.TestCase):
    def test_request_headers_become_metadata(self):
        r = get("/v1/echo/h", headers={"Grpc-Metadata-Tenant": "acme",
                                       "Authorization": "Bearer t",
                                       "X-Request-Id": "r-1", "X-Other": "no",
                                       "X-Forwarded-For": "10.1.1.1",
                                       "Grpc-Metadata-Trace-Bin": "AAEC"})
        md = r.json()["metadata"]
        self.assertEqual(md["tenant"], "acme")
        self.assertEqual(md["authorization"], "Bearer t")
        self.assertEqual(md["x-request-id"], "r-1")
        self.assertNotIn("x-other", md)
        self.assertEqual(md["x-forwarded-for"], "10.1.1.1, 127.0.0.1")
        self.assertEqual(md["x-forwarded-host"], "127.0.0.1:%d" % GW)
        self.assertEqual(md["trace-bin"], "bin:000102")

    def test_reply_headers_and_trailers_come_back_prefixed(self):
        r = get("/v1/echo/h")
        self.assertEqual(r.header("Grpc-Metadata-x-echo-header"), "h1")
        self.assertEqual(r.header("Grpc-Trailer-x-echo-trailer"), "t1")


class Cors(unittest.TestCase):
    """A gateway allowing one origin by flag and one by its config file."""

    APP = "http://app.example:3000"

    @classmethod
    def setUpClass(cls):
        cls.gw = start(harness.gateway(BIN, SETS, BACKEND.port, "--cors-origin", cls.APP,
                                       "--forward-header", "X-Request-Id",
                                       config={"cors": {"allowed_origins": ["https://b.test"]}}))

    def req(self, method, path, origin, headers=None, body=None):
        h = dict(headers or {})
        h["Origin"] = origin
        return request(self.gw.port, method, path, body, headers=h)

    def test_preflight_lists_the_methods_of_the_path_and_the_allowed_headers(self):
        r = self.req("OPTIONS", "/v1/echo/x", self.APP, {
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "content-type,grpc-metadata-tenant,x-evil,"
                                              "grpc-timeout,authorization,x-request-id"})
        self.assertEqual(r.status, 204)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), self.APP)
        self.assertEqual(r.header("Vary"), "Origin")
        methods = [m.strip() for m in r.header("Access-Control-Allow-Methods").split(",")]
        self.assertIn("GET", methods)
        self.assertNotIn("PATCH", methods)
        self.assertEqual(r.header("Access-Control-Allow-Headers"),
                         "content-type, grpc-metadata-tenant, grpc-timeout, authorization, "
                         "x-request-id")
        self.assertEqual(r.header("Access-Control-Max-Age"), "600")

    def test_preflight_for_every_route_and_origin_from_the_config_file(self):
        for path in ("/v1/hello", "/v1/features/1/2", "/v1/count/3", "/v1/routes:record"):
            r = self.req("OPTIONS", path, "https://b.test",
                         {"Access-Control-Request-Method": "POST"})
            self.assertEqual(r.status, 204, path)
            self.assertEqual(r.header("Access-Control-Allow-Origin"), "https://b.test")

    def test_replies_errors_and_streams_carry_the_origin_and_expose_metadata(self):
        r = self.req("GET", "/v1/echo/h", self.APP)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), self.APP)
        self.assertEqual(r.header("Vary"), "Origin")
        self.assertIn("Grpc-Metadata-x-echo-header",
                      r.header("Access-Control-Expose-Headers").split(", "))
        r = self.req("GET", "/v1/nowhere", self.APP)
        self.assertEqual(r.status, 404)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), self.APP)
        r = self.req("GET", "/v1/count/2", self.APP)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), self.APP)
        self.assertEqual(len(r.body.decode().splitlines()), 2)

    def test_other_origins_get_no_cors_headers(self):
        r = self.req("OPTIONS", "/v1/echo/x", "http://evil.example",
                     {"Access-Control-Request-Method": "GET"})
        self.assertNotEqual(r.status, 204)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        r = self.req("GET", "/v1/echo/h", "http://evil.example")
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))

    def test_cors_is_off_by_default(self):
        r = request(GW, "OPTIONS", "/v1/echo/x", headers={
            "Origin": self.APP, "Access-Control-Request-Method": "GET"})
        self.assertEqual(r.status, 405)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        r = request(GW, "GET", "/v1/echo/h", headers={"Origin": self.APP})
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))


class Reload(unittest.TestCase):
    """SIGHUP loads the descriptor set files again; a bad file keeps the old schema."""

    def compile_with_v2_route(self, out):
        # gwtest.proto with one more binding of Echo: GET /v2/echo/{id}.
        src = os.path.join(harness.HERE, "proto")
        with open(os.path.join(src, "gwtest.proto")) as f:
            text = f.read()
        old = 'get: "/v1/echo/{id}"\n'
        self.assertIn(old, text)
        tmp = os.path.dirname(out)
        with open(os.path.join(tmp, "gwtest.proto"), "w") as f:
            f.write(text.replace(old, old + 'additional_bindings { get: "/v2/echo/{id}" }\n', 1))
        paths = os.environ.get("GW_PROTO_PATH", "").split(":")
        subprocess.run(["protoc", "-I", tmp, "-I", src] + ["-I" + p for p in paths if p] +
                       ["--include_imports", "--include_source_info",
                        "--descriptor_set_out=" + out, "gwtest.proto"],
                       check=True, cwd=tmp)

    def sets(self):
        """A folder with live.pb (gwtest as built) and v2.pb (with GET /v2/echo/{id})."""
        tmp = tempfile.mkdtemp()
        live = os.path.join(tmp, "live.pb")
        shutil.copy(SETS[1], live)
        v2 = os.path.join(tmp, "v2.pb")
        self.compile_with_v2_route(v2)
        return tmp, live, v2

    def reload(self, gw, lines_before, pattern, sighup=True):
        if sighup:
            os.kill(gw.p.pid, signal.SIGHUP)
        end = time.time() + 10
        while time.time() < end:
            if any(re.search(pattern, x) for x in gw.lines[lines_before:]):
                return
            time.sleep(0.05)
        self.fail("no %r in the log:\n%s" % (pattern, "\n".join(gw.lines)))

    def test_reload_adds_routes_keeps_calls_in_flight_and_survives_a_bad_file(self):
        tmp, live, v2 = self.sets()
        gw = start(harness.gateway(BIN, [SETS[0], live], BACKEND.port))
        self.assertEqual(request(gw.port, "GET", "/v2/echo/a").status, 404)
        doc = request(gw.port, "GET", "/openapi.json")
        etag = doc.header("ETag")
        self.assertEqual(doc.header("Cache-Control"), "no-cache")
        self.assertEqual(request(gw.port, "GET", "/openapi.json",
                                 headers={"If-None-Match": etag}).status, 304)

        slow = {}
        t = threading.Thread(target=lambda: slow.update(
            r=request(gw.port, "GET", "/v1/sleep/1500?tag=reload1")))
        t.start()
        time.sleep(0.4)  # the call is on its way on the old schema
        os.replace(v2, live)
        self.reload(gw, len(gw.lines), r"reload: \d+ services")
        r = request(gw.port, "GET", "/v2/echo/a")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["request"]["id"], "a")
        doc2 = request(gw.port, "GET", "/openapi.json")
        self.assertNotEqual(doc2.header("ETag"), etag)
        self.assertIn("/v2/echo/{id}", doc2.json()["paths"])
        self.assertEqual(request(gw.port, "GET", "/openapi.json",
                                 headers={"If-None-Match": etag}).status, 200)
        t.join(10)
        self.assertEqual(slow["r"].status, 200)

        with open(live, "wb") as f:
            f.write(b"\x0a\xff\xff\xff not a descriptor set")
        self.reload(gw, len(gw.lines), r"reload failed, still serving the previous schema: .*live\.pb")
        self.assertEqual(request(gw.port, "GET", "/v2/echo/b").status, 200)
        self.assertEqual(request(gw.port, "GET", "/openapi.json").header("ETag"),
                         doc2.header("ETag"))
        gw.stop()
        shutil.rmtree(tmp)

    def test_watch_reloads_when_a_file_is_replaced(self):
        tmp, live, v2 = self.sets()
        gw = start(harness.gateway(BIN, [SETS[0], live], BACKEND.port, "--watch"))
        self.assertEqual(request(gw.port, "GET", "/v2/echo/a").status, 404)
        os.replace(v2, live)
        self.reload(gw, 0, r"reload: \d+ services", sighup=False)
        self.assertEqual(request(gw.port, "GET", "/v2/echo/a").status, 200)
        gw.stop()
        shutil.rmtree(tmp)


class Deadlines(unittest.TestCase):
    def test_expired_deadline_is_504_and_the_backend_call_is_cancelled(self):
        t0 = time.time()
        r = get("/v1/sleep/3000?tag=d1", headers={"Grpc-Timeout": "300m"})
        self.assertEqual(r.status, 504)
        self.assertEqual(r.json()["code"], 4)
        self.assertLess(time.time() - t0, 2.5)
        self.assertTrue(outcome_of("d1")["cancelled"])

    def test_invalid_grpc_timeout_is_400(self):
        r = get("/v1/sleep/1?tag=d2", headers={"Grpc-Timeout": "soon"})
        self.assertEqual(r.status, 400)

    def test_client_disconnect_cancels_the_backend_call(self):
        s = socket.create_connection(("127.0.0.1", GW))
        s.sendall(b"GET /v1/sleep/3000?tag=d3 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.5)
        s.close()
        time.sleep(1.0)
        self.assertTrue(outcome_of("d3").get("cancelled"))

    def test_client_disconnect_after_pipelining_cancels_the_backend_call(self):
        # The pipelined request keeps the socket readable: the hang-up must still be seen.
        s = socket.create_connection(("127.0.0.1", GW))
        s.sendall(b"GET /v1/sleep/3000?tag=d4 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.3)  # the call is on: the next request waits in the socket
        s.sendall(b"GET /v1/echo/next HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.3)
        s.close()
        time.sleep(1.0)
        self.assertTrue(outcome_of("d4").get("cancelled"))

    def test_pipelined_requests_are_answered_in_order(self):
        s = socket.create_connection(("127.0.0.1", GW), timeout=10)
        s.sendall(b"GET /v1/sleep/500?tag=d5 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        s.sendall(b"GET /v1/echo/second HTTP/1.1\r\nHost: x\r\n\r\n")
        f = s.makefile("rb")

        def reply():  # status line, headers, a Content-Length body
            status = int(f.readline().split()[1])
            length = 0
            for line in iter(f.readline, b"\r\n"):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            return status, f.read(length)

        first, second = reply(), reply()
        s.close()
        self.assertEqual(first[0], 200)
        self.assertEqual(second[0], 200)
        self.assertEqual(json.loads(second[1])["request"]["id"], "second")
        self.assertTrue(outcome_of("d5").get("finished"))


class Shutdown(unittest.TestCase):
    def test_sigterm_ends_calls_in_flight_and_exits_cleanly(self):
        gw = start(harness.gateway(BIN, SETS, BACKEND.port))
        got = []

        def call(path):
            try:
                got.append(request(gw.port, "GET", path).status)
            except (OSError, http.client.HTTPException):
                got.append("closed")

        paths = ["/v1/sleep/5000?tag=sd%d" % i for i in range(6)]
        paths += ["/v1/count/50?delayMs=100"] * 3
        threads = [threading.Thread(target=call, args=(p,)) for p in paths]
        for t in threads:
            t.start()
        time.sleep(0.5)  # the calls are under way and the streams have begun
        t0 = time.time()
        gw.p.send_signal(signal.SIGTERM)
        self.assertEqual(gw.p.wait(10), 0, "\n".join(gw.lines))
        self.assertLess(time.time() - t0, 4)
        for t in threads:
            t.join(10)
        self.assertEqual(len(got), len(paths), "every client got an answer or a close")
        self.assertEqual(got.count(499), 6, got)  # the sleeps: CANCELLED
        for i in range(6):
            self.assertTrue(outcome_of("sd%d" % i).get("cancelled"))


class ServerStreaming(unittest.TestCase):
    def test_messages_are_newline_delimited_results(self):
        for query in ("", "?delayMs=50"):
            r = get("/v1/count/3" + query)
            self.assertEqual(r.status, 200)
            lines = r.body.decode().splitlines()
            self.assertEqual([json.loads(x) for x in lines],
                             [{"result": {"i": 1}}, {"result": {"i": 2}}, {"result": {"i": 3}}])

    def test_a_stream_still_running_is_chunked_one_that_ended_is_sent_whole(self):
        slow = get("/v1/count/3?delayMs=50")
        self.assertEqual(slow.header("Transfer-Encoding"), "chunked")
        ended = get("/v1/count/0")  # no message: the call has ended when the reply begins
        self.assertEqual((ended.status, ended.body), (200, b""))
        self.assertIsNone(ended.header("Transfer-Encoding"))
        self.assertEqual(ended.header("Content-Length"), "0")

    def test_route_guide_lists_features(self):
        q = ("lo.latitude=400000000&lo.longitude=-750000000"
             "&hi.latitude=420000000&hi.longitude=-730000000")
        r = get("/v1/features?" + q)
        self.assertEqual(r.header("Content-Type"), "application/x-ndjson")
        results = [json.loads(x)["result"] for x in r.body.decode().splitlines()]
        self.assertGreater(len(results), 5)
        self.assertIn("location", results[0])

    def test_failure_after_the_first_message_is_a_last_error_line(self):
        lines = get("/v1/count/5?failAt=3").body.decode().splitlines()
        self.assertEqual(json.loads(lines[-1]),
                         {"error": {"code": 10, "message": "failed at 3", "details": []}})
        self.assertEqual(len(lines), 3)

    def test_failure_before_the_first_message_is_a_plain_error(self):
        r = get("/v1/count/5?failAt=1")
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["code"], 10)

    def test_event_stream_when_asked(self):
        r = get("/v1/count/2?failAt=2", headers={"Accept": "text/event-stream"})
        self.assertEqual(r.header("Content-Type"), "text/event-stream")
        self.assertEqual(r.body.decode(),
                         'data: {"i":1}\n\nevent: error\ndata: '
                         '{"code":10,"message":"failed at 2","details":[]}\n\n')

    def test_a_client_that_does_not_read_holds_the_backend_back(self):
        n, pad = 3000, 8192  # 24 MiB: far more than the windows and socket buffers hold
        s = socket.create_connection(("127.0.0.1", GW), timeout=30)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.sendall(b"GET /v1/count/%d?pad=%d&tag=bp HTTP/1.1\r\nHost: x\r\n\r\n" % (n, pad))
        time.sleep(2)  # the backend runs ahead as far as flow control lets it
        sent = get("/v1/outcome/bp").json().get("sent", 0)
        self.assertLess(sent, n // 2)
        got, carry = 0, b""
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            # A marker may straddle two reads: keep the bytes that could start one.
            data = carry + chunk
            got += data.count(b'"result"')
            carry = data[-7:]
            if got == n:
                break
        s.close()
        self.assertEqual(got, n)

    def test_trailers_follow_the_last_chunk_when_asked(self):
        s = socket.create_connection(("127.0.0.1", GW), timeout=10)
        s.sendall(b"GET /v1/count/2 HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        tail = data.split(b"\r\n0\r\n", 1)[1]
        self.assertIn(b"Grpc-Trailer-x-count: 2", tail)

    def test_the_header_goes_with_the_first_message_and_the_last_item_with_the_end(self):
        def data_segments_in(s):  # struct tcp_info's tcpi_data_segs_in
            return struct.unpack_from("I", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256),
                                      152)[0]

        s = socket.create_connection(("127.0.0.1", GW), timeout=10)

        def exchange(request, until):
            s.sendall(request)
            data = b""
            while until not in data:
                chunk = s.recv(65536)
                self.assertTrue(chunk, "the gateway closed the connection")
                data += chunk

        exchange(b"GET /v1/count/0 HTTP/1.1\r\nHost: x\r\n\r\n", b"\r\n\r\n")
        before = data_segments_in(s)
        exchange(b"GET /v1/count/2?delayMs=300&failAt=2 HTTP/1.1\r\nHost: x\r\n\r\n",
                 b'{"result":{"i":1}}')
        self.assertEqual(data_segments_in(s) - before, 1)  # the header and the first message
        exchange(b"", b"\r\n0\r\n\r\n")
        self.assertEqual(data_segments_in(s) - before, 2)  # the error item and the end
        # The connection's next reply is not held back (a held socket keeps it 200 ms).
        t0 = time.time()
        exchange(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", b"}")
        self.assertLess(time.time() - t0, 0.1)
        s.close()

    def test_slow_stream_is_written_as_it_arrives(self):
        c = http.client.HTTPConnection("127.0.0.1", GW, timeout=10)
        c.request("GET", "/v1/count/3?delayMs=300")
        r = c.getresponse()
        t0 = time.time()
        first = r.readline()
        self.assertEqual(json.loads(first), {"result": {"i": 1}})
        self.assertLess(time.time() - t0, 0.9)
        r.read()
        c.close()


class ClientStreaming(unittest.TestCase):
    def test_newline_delimited_objects_are_streamed_to_the_backend(self):
        r = post("/v1/sum", '{"value":1}\n{"value":2}\n{"value":39}\n')
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), {"total": 42, "count": 3})

    def test_a_json_array_body(self):
        self.assertEqual(post("/v1/sum", [{"value": 5}, {"value": 6}]).json(),
                         {"total": 11, "count": 2})

    def test_chunked_body_split_inside_objects(self):
        c = http.client.HTTPConnection("127.0.0.1", GW, timeout=10)
        c.request("POST", "/v1/sum", body=iter([b'{"val', b'ue":1}\n{"value"', b':2}']),
                  encode_chunked=True)
        r = c.getresponse()
        self.assertEqual(json.loads(r.read()), {"total": 3, "count": 2})
        c.close()

    def test_record_route(self):
        points = [{"latitude": 407838351, "longitude": -746143763},
                  {"latitude": 408122808, "longitude": -743999179}]
        r = post("/v1/routes:record", "\n".join(json.dumps(p) for p in points))
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertEqual(body["pointCount"], 2)
        self.assertEqual(body["featureCount"], 2)

    def test_bidi_replies_stream_back(self):
        r = post("/v1/chat", '{"value":1}{"value":2}')
        lines = [json.loads(x) for x in r.body.decode().splitlines()]
        self.assertEqual(lines, [{"result": {"total": 1, "count": 1}},
                                 {"result": {"total": 3, "count": 2}}])

    def test_a_bad_message_in_the_stream_is_400(self):
        r = post("/v1/sum", '{"value":1}\n{"value":"x"}\n')
        self.assertEqual(r.status, 400)
        r = post("/v1/sum", '[{"value":1}, 7]')
        self.assertEqual(r.status, 400)


class Limits(unittest.TestCase):
    def test_body_over_the_limit_is_413(self):
        r = post("/v1/echo", {"payload": "x" * (70 * 1024)})
        self.assertEqual(r.status, 413)

    def test_chunked_body_over_the_limit_is_413(self):
        s = socket.create_connection(("127.0.0.1", GW), timeout=10)
        s.sendall(b"POST /v1/sum HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b'{"value":1}\n' * 1000
        for _ in range(8):
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        s.sendall(b"0\r\n\r\n")
        self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 413"))
        s.close()

    def test_huge_headers_are_refused(self):
        r = get("/v1/hello/a", headers={"X-Big": "y" * 40000})
        self.assertIn(r.status, (413, 431))


class Docs(unittest.TestCase):
    def test_openapi_and_swagger_documents(self):
        doc = get("/openapi.json")
        self.assertEqual(doc.status, 200)
        self.assertTrue(doc.json()["openapi"].startswith("3."))
        self.assertIn("/v1/hello", doc.json()["paths"])
        self.assertEqual(get("/swagger.json").json()["swagger"], "2.0")

    def test_swagger_ui_page_and_redirect(self):
        r = get("/swagger-ui/")
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.header("Content-Type"))
        again = get("/swagger-ui/", headers={"If-None-Match": r.header("ETag")})
        self.assertEqual(again.status, 304)
        self.assertEqual(get("/swagger-ui").status, 301)
        root = get("/")
        self.assertEqual(root.status, 302)
        self.assertEqual(root.header("Location"), "/swagger-ui/")
        self.assertEqual(get("/swagger-ui/nope.js").status, 404)

    def test_no_swagger_ui_flag(self):
        gw = start(harness.gateway(BIN, SETS, BACKEND.port, "--no-swagger-ui"))
        self.assertEqual(request(gw.port, "GET", "/swagger-ui/").status, 404)
        self.assertEqual(request(gw.port, "GET", "/").status, 404)
        self.assertEqual(request(gw.port, "GET", "/openapi.json").status, 200)
        gw.stop()


class Health(unittest.TestCase):
    def test_healthz_is_200_when_the_backends_answer(self):
        r = get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "SERVING"})

    def test_access_log_names_method_path_rpc_and_statuses(self):
        get("/v1/hello/logged")
        m = gw_proc.wait_for(r'"GET /v1/hello/logged" rpc=/helloworld.Greeter/SayHello '
                             r'http=200 grpc=0 [0-9.]+ms', 5)
        self.assertIsNotNone(m)


class Backends(unittest.TestCase):
    """Gateways of their own, for backends that die or never were."""

    def test_dead_backend_is_503_naming_it(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        gw = start(harness.gateway(BIN, SETS, port))
        r = request(gw.port, "GET", "/v1/echo/x")
        self.assertEqual(r.status, 503)
        self.assertEqual(r.json()["code"], 14)
        self.assertIn("127.0.0.1:%d" % port, r.json()["message"])
        h = request(gw.port, "GET", "/healthz")
        self.assertEqual(h.status, 503)
        self.assertIn("127.0.0.1:%d" % port, h.json()["message"])
        gw.stop()

    def test_a_reply_without_grpc_status_is_502(self):
        # nghttpd serves files over h2c: an HTTP/2 reply with no grpc-status and no
        # application/grpc content-type, as a misrouted backend would send.
        site = tempfile.mkdtemp()
        os.mkdir(os.path.join(site, "helloworld.Greeter"))
        with open(os.path.join(site, "helloworld.Greeter", "SayHello"), "wb") as f:
            f.write(b"\0\0\0\0\0")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        h2 = start(harness.Proc(["nghttpd", "--no-tls", "-v", "--address=127.0.0.1", str(port),
                                 "-d", site], r"listen 127\.0\.0\.1:(\d+)"))
        gw = start(harness.gateway(BIN, SETS, port))
        r = request(gw.port, "POST", "/v1/hello", {"name": "x"})
        self.assertEqual(r.status, 502)
        self.assertEqual(r.json()["code"], 2)
        self.assertIn("not application/grpc", r.json()["message"])
        r = request(gw.port, "GET", "/v1/hello/x/stream")  # no such file: a 404 page
        self.assertEqual(r.status, 501)  # HTTP 404 maps to UNIMPLEMENTED, not 502
        gw.stop()
        h2.stop()
        shutil.rmtree(site)

    def test_backend_killed_mid_stream_ends_with_an_error_line(self):
        be = start(harness.backend())
        gw = start(harness.gateway(BIN, SETS, be.port))
        r = request(gw.port, "GET", "/v1/count/5?dieAt=3&delayMs=50")
        lines = [json.loads(x) for x in r.body.decode().splitlines()]
        self.assertEqual(lines[0], {"result": {"i": 1}})
        self.assertEqual(lines[-1]["error"]["code"], 14)
        gw.stop()
        be.stop()

    def test_array_stream_format_and_discard_unknown(self):
        gw = start(harness.gateway(BIN, SETS, BACKEND.port, "--stream-format", "array",
                                   "--discard-unknown"))
        r = request(gw.port, "GET", "/v1/count/2")
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(json.loads(r.body), [{"i": 1}, {"i": 2}])
        r = request(gw.port, "GET", "/v1/echo/x?colour=RED")
        self.assertEqual(r.status, 200)
        r = request(gw.port, "POST", "/v1/echo", '{"id":"d","bogus":1}')
        self.assertEqual(r.json()["request"], {"id": "d"})
        gw.stop()

    def test_print_options(self):
        gw = start(harness.gateway(BIN, SETS, BACKEND.port, "--emit-unpopulated",
                                   "--proto-names", "--enums-as-ints"))
        req = request(gw.port, "GET", "/v1/echo/x?color=RED&pageToken=p").json()["request"]
        self.assertEqual(req["color"], 1)
        self.assertEqual(req["page_token"], "p")
        self.assertEqual(req["payload"], "")
        gw.stop()


    def test_tls_to_the_backend(self):
        d = harness.tempfile.mkdtemp()
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "1", "-subj", "/CN=backend.test",
                        "-addext", "subjectAltName=DNS:backend.test"],
                       check=True, capture_output=True)
        be = start(harness.backend("tests/gateway/backend.py", "--tls-cert", cert,
                                   "--tls-key", key))
        tls = {"ca_file": cert, "server_name": "backend.test"}
        gw = start(harness.gateway(BIN, SETS, be.port, config={"backend_tls": tls}))
        r = request(gw.port, "GET", "/v1/echo/secure")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["request"]["id"], "secure")
        gw.stop()
        wrong = dict(tls, server_name="other.test")
        gw = start(harness.gateway(BIN, SETS, be.port, config={"backend_tls": wrong}))
        self.assertEqual(request(gw.port, "GET", "/v1/echo/secure").status, 503)
        gw.stop()
        be.stop()

    def test_cors_preflight_and_allowed_origins(self):
        gw = start(harness.gateway(BIN, SETS, BACKEND.port, "--cors-origin",
                                   "https://app.example"))
        r = request(gw.port, "OPTIONS", "/v1/echo",
                    headers={"Origin": "https://app.example",
                             "Access-Control-Request-Method": "POST",
                             "Access-Control-Request-Headers": "content-type"})
        self.assertEqual(r.status, 204)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "https://app.example")
        self.assertIn("POST", r.header("Access-Control-Allow-Methods"))
        self.assertEqual(r.header("Access-Control-Allow-Headers"), "content-type")
        r = request(gw.port, "GET", "/v1/echo/c", headers={"Origin": "https://app.example"})
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "https://app.example")
        r = request(gw.port, "GET", "/v1/echo/c", headers={"Origin": "https://evil.example"})
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        gw.stop()

    def test_a_stalled_client_is_disconnected(self):
        gw = start(harness.gateway(BIN, SETS, BACKEND.port, "--idle-timeout", "1s"))
        idle = socket.create_connection(("127.0.0.1", gw.port), timeout=15)
        half = socket.create_connection(("127.0.0.1", gw.port), timeout=15)
        half.sendall(b"POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        self.assertEqual(idle.recv(100), b"")
        self.assertFalse(half.recv(100).startswith(b"HTTP/1.1 200"))
        idle.close()
        half.close()
        gw.stop()

    def test_listens_on_ipv6(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6")
        gw = start(harness.gateway(BIN, SETS, BACKEND.port, listen="[::1]:0"))
        c = http.client.HTTPConnection("::1", gw.port, timeout=10)
        c.request("GET", "/v1/echo/six")
        self.assertEqual(json.loads(c.getresponse().read())["request"]["id"], "six")
        c.close()
        gw.stop()

    def test_cors_is_off_by_default(self):
        r = request(GW, "OPTIONS", "/v1/echo", headers={"Origin": "https://app.example",
                                                        "Access-Control-Request-Method": "POST"})
        self.assertEqual(r.status, 405)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))


def thread_count(pid):
    with open("/proc/%d/status" % pid) as f:
        return int([x for x in f if x.startswith("Threads:")][0].split()[1])


class Concurrency(unittest.TestCase):
    def test_the_default_is_one_worker_per_two_cores(self):
        gw = start(harness.gateway(BIN, SETS, BACKEND.port, "--threads", "0"))
        threads = thread_count(gw.p.pid)
        gw.stop()
        workers = max(1, os.sysconf("SC_NPROCESSORS_ONLN") // 2)
        self.assertEqual(threads, 1 + workers)  # the main thread and the workers

    def test_each_worker_is_a_thread(self):
        # The main thread and the two workers the tests ask for.
        self.assertEqual(thread_count(gw_proc.p.pid), 3)

    def test_many_slow_calls_in_flight_hold_no_thread_each(self):
        n = 200
        socks = []
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", GW), timeout=30)
            s.sendall(b"GET /v1/sleep/400?tag=c%d HTTP/1.1\r\nHost: x\r\n\r\n" % i)
            socks.append(s)
        self.assertLess(thread_count(gw_proc.p.pid), 32)
        ok = 0
        for s in socks:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            ok += data.startswith(b"HTTP/1.1 200")
            s.close()
        self.assertEqual(ok, n)


EXAMPLES_BIN = os.environ.get("GW_EXAMPLES_BIN", "")


@unittest.skipUnless(os.path.exists(os.path.join(EXAMPLES_BIN, "greeter_server")),
                     "the C example backends are not built")
class CBackends(unittest.TestCase):
    """The gateway in front of the C example backends built on grpc-core."""

    @classmethod
    def setUpClass(cls):
        # --descriptor-set: the servers answer server reflection from it.
        listen = [os.path.join(EXAMPLES_BIN, "greeter_server"), "--listen", "127.0.0.1:0",
                  "--descriptor-set", SETS[0]]
        cls.greeter = start(harness.Proc(listen, r"listening on [0-9.]+:(\d+)"))
        rg = [os.path.join(EXAMPLES_BIN, "route_guide_server"), "--listen", "127.0.0.1:0",
              "--db", os.path.join(harness.ROOT, "examples/data/route_guide_db.json"),
              "--descriptor-set", SETS[0]]
        cls.route_guide = start(harness.Proc(rg, r"listening on [0-9.]+:(\d+)"))
        config = {"services": {
            "helloworld.Greeter": {"backend": "127.0.0.1:%d" % cls.greeter.port},
            "routeguide.RouteGuide": {"backend": "127.0.0.1:%d" % cls.route_guide.port}}}
        cls.gw = start(harness.gateway(BIN, SETS, BACKEND.port, config=config))

    @classmethod
    def tearDownClass(cls):
        for p in (cls.gw, cls.route_guide, cls.greeter):
            p.stop()

    def test_hello(self):
        r = request(self.gw.port, "POST", "/v1/hello", {"name": "world"})
        self.assertEqual(r.body, b'{"message":"Hello, world!"}')

    def test_list_features_streams(self):
        q = ("lo.latitude=400000000&lo.longitude=-750000000"
             "&hi.latitude=420000000&hi.longitude=-730000000")
        r = request(self.gw.port, "GET", "/v1/features?" + q)
        lines = [json.loads(x) for x in r.body.decode().splitlines()]
        self.assertGreater(len(lines), 2)
        self.assertIn("result", lines[0])

    def test_record_route(self):
        r = request(self.gw.port, "POST", "/v1/routes:record",
                    '{"latitude":407838351,"longitude":-746143763}\n'
                    '{"latitude":408122808,"longitude":-743999179}')
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["pointCount"], 2)

    def test_healthz(self):
        self.assertEqual(request(self.gw.port, "GET", "/healthz").status, 200)

    def test_schema_from_server_reflection_alone(self):
        config = {"services": {
            "routeguide.RouteGuide": {"backend": "127.0.0.1:%d" % self.route_guide.port}}}
        gw = start(harness.gateway(BIN, [], self.greeter.port, "--reflection", config=config))
        r = request(gw.port, "POST", "/v1/hello", {"name": "reflection"})
        self.assertEqual(r.body, b'{"message":"Hello, reflection!"}')
        r = request(gw.port, "GET", "/v1/features/407838351/-746143763")
        self.assertEqual(r.json()["name"], "Patriots Path, Mendham, NJ 07945, USA")
        paths = request(gw.port, "GET", "/openapi.json").json()["paths"]
        self.assertIn("/v1/hello", paths)
        self.assertIn("/v1/features/{latitude}/{longitude}", paths)
        gw.stop()

    def test_reflection_from_a_backend_without_it_fails_to_start(self):
        p = subprocess.run([BIN, "--reflection", "--backend", "127.0.0.1:%d" % BACKEND.port,
                            "--listen", "127.0.0.1:0"], capture_output=True, text=True,
                           timeout=20)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("reflection 127.0.0.1:%d: UNIMPLEMENTED" % BACKEND.port, p.stderr)


class StartUp(unittest.TestCase):
    def run_gw(self, *args):
        p = subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=20)
        return p.returncode, p.stderr.strip().splitlines()

    def test_missing_descriptor_set_is_one_line_and_status_1(self):
        rc, err = self.run_gw("--descriptor-set", "/nonexistent.pb", "--backend", "x:1")
        self.assertEqual(rc, 1)
        self.assertEqual(len(err), 1)
        self.assertIn("/nonexistent.pb", err[0])

    def test_corrupt_descriptor_set_is_refused(self):
        rc, err = self.run_gw("--descriptor-set", __file__, "--backend", "x:1")
        self.assertEqual(rc, 1)
        self.assertEqual(len(err), 1)

    def test_bad_template_is_refused(self):
        bad = os.path.join(os.environ.get("GW_BAD_SETS", ""), "bad_template.pb")
        if not os.path.exists(bad):
            self.skipTest("the descriptors tests' sets are not built")
        rc, err = self.run_gw("--descriptor-set", bad, "--backend", "x:1")
        self.assertEqual(rc, 1)
        self.assertEqual(len(err), 1)
        self.assertIn("google.api.http", err[0])

    def test_bad_config_key_is_refused(self):
        with open(os.path.join(harness.tempfile.gettempdir(), "gw-bad.json"), "w") as f:
            f.write('{"limits":{"max_bodyy":1}}')
        rc, err = self.run_gw("--config", f.name)
        self.assertEqual(rc, 1)
        self.assertIn("limits.max_bodyy", err[0])

    def test_port_in_use_is_refused(self):
        rc, err = self.run_gw("--descriptor-set", SETS[0], "--backend", "127.0.0.1:1",
                              "--listen", "127.0.0.1:%d" % GW)
        self.assertEqual(rc, 1)
        self.assertIn("Address already in use", err[-1])

    def test_help_documents_every_flag(self):
        p = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0)
        for flag in ("--descriptor-set", "--backend", "--listen", "--timeout", "--config",
                     "--emit-unpopulated", "--proto-names", "--enums-as-ints",
                     "--discard-unknown", "--no-swagger-ui", "--max-body"):
            self.assertIn(flag, p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""A real grpcio client for grpc-core's server tests.

    server_client.py CASE PORT [ARGS...]

Exits 0 when the server behaved; prints what differed otherwise. Stubs for the
example, health and reflection protos are generated at run time with grpc_tools
into a temporary folder (nothing generated is committed).
"""
import os
import sys
import tempfile
import threading

import grpc

SRC = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(SRC, "..", ".."))
GOOGLEAPIS = os.environ.get("GW_GOOGLEAPIS_INCLUDE", "/usr/share/gocode/src/github.com/gogo/googleapis")
GRPC_PROTO = os.environ.get("GW_GRPC_PROTO_INCLUDE", "/usr/share/grpc-proto")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def gen_stubs():
    from grpc_tools import protoc
    import pkg_resources  # noqa: F401  (grpc_tools needs it for its bundled protos)
    out = tempfile.mkdtemp(prefix="gcore-stubs-")
    wkt = "/usr/include"
    protos = [
        (os.path.join(ROOT, "examples"), "route_guide.proto"),
        (os.path.join(ROOT, "examples"), "helloworld.proto"),
        (os.path.join(ROOT, "examples"), "reco.proto"),
        (GOOGLEAPIS, "google/api/annotations.proto"),
        (GOOGLEAPIS, "google/api/http.proto"),
    ]
    # grpc/... would shadow the grpc package: compile copies under flat names.
    flat = os.path.join(out, "protos")
    os.mkdir(flat)
    for src, name in (("grpc/health/v1/health.proto", "health_v1.proto"),
                      ("grpc/reflection/v1/reflection.proto", "reflection_v1.proto"),
                      ("grpc/reflection/v1alpha/reflection.proto", "reflection_v1alpha.proto")):
        with open(os.path.join(GRPC_PROTO, src)) as f, open(os.path.join(flat, name), "w") as g:
            g.write(f.read())
        protos.append((flat, name))
    for root, proto in protos:
        args = ["protoc", "-I" + root, "-I" + GOOGLEAPIS, "-I" + wkt, "--python_out=" + out,
                "--grpc_python_out=" + out, os.path.join(root, proto)]
        if protoc.main(args) != 0:
            fail("grpc_tools.protoc failed on " + proto)
    sys.path.insert(0, out)


def channel(port, creds=None, opts=None):
    target = "127.0.0.1:%s" % port
    if creds is not None:
        return grpc.secure_channel(target, creds, options=(opts or []) +
                                   [("grpc.ssl_target_name_override", "localhost")])
    return grpc.insecure_channel(target, options=opts or [])


def rpc_code(fn):
    try:
        fn()
    except grpc.RpcError as e:
        return e.code(), e.details(), e
    return grpc.StatusCode.OK, None, None


# ---- against route_guide_server ----

def case_route(port, creds=None):
    gen_stubs()
    import route_guide_pb2 as rg
    import route_guide_pb2_grpc as rgg
    stub = rgg.RouteGuideStub(channel(port, creds))
    f = stub.GetFeature(rg.Point(latitude=409146138, longitude=-746188906), timeout=10)
    check(f.name == "", "unknown point has a name: %r" % f.name)
    f = stub.GetFeature(rg.Point(latitude=407838351, longitude=-746143763), timeout=10)
    check(f.name == "Patriots Path, Mendham, NJ 07945, USA", "GetFeature: %r" % f.name)
    rect = rg.Rectangle(lo=rg.Point(latitude=400000000, longitude=-750000000),
                        hi=rg.Point(latitude=420000000, longitude=-730000000))
    feats = list(stub.ListFeatures(rect, timeout=10))
    check(len(feats) == 26, "ListFeatures returned %d features" % len(feats))
    pts = [rg.Point(latitude=407838351, longitude=-746143763),
           rg.Point(latitude=408122808, longitude=-743999179), rg.Point(latitude=1, longitude=2)]
    s = stub.RecordRoute(iter(pts), timeout=10)
    check(s.point_count == 3 and s.feature_count == 2 and s.distance > 100000,
          "RecordRoute summary %r" % s)
    notes = [rg.RouteNote(location=rg.Point(latitude=0, longitude=1), message="first"),
             rg.RouteNote(location=rg.Point(latitude=0, longitude=2), message="second"),
             rg.RouteNote(location=rg.Point(latitude=0, longitude=1), message="third"),
             rg.RouteNote(location=rg.Point(latitude=0, longitude=1), message="fourth")]
    got = [n.message for n in stub.RouteChat(iter(notes), timeout=10)]
    check(got == ["first", "first", "third"], "RouteChat returned %r" % got)


def case_tls(port, ca):
    case_route(port, grpc.ssl_channel_credentials(open(ca, "rb").read()))


def case_mtls(port, ca, cert, key):
    creds = grpc.ssl_channel_credentials(open(ca, "rb").read(), open(key, "rb").read(),
                                         open(cert, "rb").read())
    case_route(port, creds)
    import route_guide_pb2 as rg
    import route_guide_pb2_grpc as rgg
    anon = rgg.RouteGuideStub(channel(port, grpc.ssl_channel_credentials(open(ca, "rb").read())))
    code, _, _ = rpc_code(lambda: anon.GetFeature(rg.Point(), timeout=5))
    check(code == grpc.StatusCode.UNAVAILABLE, "a client without a certificate got %s" % code)


def case_health(port):
    gen_stubs()
    import health_v1_pb2 as hp
    import health_v1_pb2_grpc as hg
    stub = hg.HealthStub(channel(port))
    r = stub.Check(hp.HealthCheckRequest(service=""), timeout=5)
    check(r.status == hp.HealthCheckResponse.SERVING, "server status %s" % r.status)
    r = stub.Check(hp.HealthCheckRequest(service="routeguide.RouteGuide"), timeout=5)
    check(r.status == hp.HealthCheckResponse.SERVING, "RouteGuide status %s" % r.status)
    code, _, _ = rpc_code(lambda: stub.Check(hp.HealthCheckRequest(service="no.Such"), timeout=5))
    check(code == grpc.StatusCode.NOT_FOUND, "unknown service Check gave %s" % code)
    w = stub.Watch(hp.HealthCheckRequest(service="no.Such"), timeout=5)
    first = next(w)
    check(first.status == hp.HealthCheckResponse.SERVICE_UNKNOWN, "Watch unknown: %s" % first)
    w.cancel()
    w = stub.Watch(hp.HealthCheckRequest(service="routeguide.RouteGuide"), timeout=5)
    check(next(w).status == hp.HealthCheckResponse.SERVING, "Watch RouteGuide")
    w.cancel()


def case_watch(port):
    gen_stubs()
    import health_v1_pb2 as hp
    import health_v1_pb2_grpc as hg
    w = hg.HealthStub(channel(port)).Watch(hp.HealthCheckRequest(service="test.Svc"), timeout=30)
    check(next(w).status == hp.HealthCheckResponse.SERVICE_UNKNOWN, "first status")
    # The Watch holds the server's only worker: other calls must still be served.
    check(unary(channel(port), "/test.Test/Echo")(b"e", timeout=20) == b"e", "Echo beside Watch")
    print("watching", flush=True)
    check(next(w).status == hp.HealthCheckResponse.SERVING, "second status")
    print("serving", flush=True)
    check(next(w).status == hp.HealthCheckResponse.NOT_SERVING, "third status")
    w.cancel()


def reflect(stub, pb, **req):
    return list(stub.ServerReflectionInfo(iter([pb.ServerReflectionRequest(**req)]), timeout=5))[0]


def file_names(resp):
    from google.protobuf import descriptor_pb2
    names = []
    for raw in resp.file_descriptor_response.file_descriptor_proto:
        fd = descriptor_pb2.FileDescriptorProto()
        fd.ParseFromString(raw)
        names.append(fd.name)
    return names


def case_reflection(port):
    gen_stubs()
    import importlib
    for version in ("v1", "v1alpha"):
        pb = importlib.import_module("reflection_%s_pb2" % version)
        pbg = importlib.import_module("reflection_%s_pb2_grpc" % version)
        stub = pbg.ServerReflectionStub(channel(port))
        r = reflect(stub, pb, list_services="")
        names = sorted(s.name for s in r.list_services_response.service)
        for want in ("routeguide.RouteGuide", "helloworld.Greeter", "grpc.health.v1.Health",
                     "grpc.reflection.v1.ServerReflection",
                     "grpc.reflection.v1alpha.ServerReflection"):
            check(want in names, "%s: list_services lacks %s: %r" % (version, want, names))
        for sym in ("routeguide.RouteGuide", "routeguide.RouteGuide.GetFeature", "routeguide.Point",
                    "helloworld.HelloReply", "google.api.HttpRule", "google.api.http"):
            r = reflect(stub, pb, file_containing_symbol=sym)
            files = file_names(r)
            check(files, "%s: no file for %s: %r" % (version, sym, r))
        files = file_names(reflect(stub, pb, file_containing_symbol="routeguide.RouteGuide"))
        check(files[0] == "route_guide.proto" and "google/api/annotations.proto" in files and
              "google/api/http.proto" in files and "google/protobuf/descriptor.proto" in files,
              "%s: route_guide.proto closure %r" % (version, files))
        files = file_names(reflect(stub, pb, file_by_filename="google/api/http.proto"))
        check(files == ["google/api/http.proto"], "file_by_filename %r" % files)
        r = reflect(stub, pb, file_containing_symbol="no.such.Symbol")
        check(r.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0],
              "%s: unknown symbol answered %r" % (version, r))
        r = reflect(stub, pb, file_by_filename="nope.proto")
        check(r.error_response.error_code == 5, "unknown file answered %r" % r)
        ext = pb.ExtensionRequest(containing_type="google.protobuf.MethodOptions",
                                  extension_number=72295728)
        files = file_names(reflect(stub, pb, file_containing_extension=ext))
        check(files and files[0] == "google/api/annotations.proto", "extension file %r" % files)
        ext.extension_number = 1
        r = reflect(stub, pb, file_containing_extension=ext)
        check(r.error_response.error_code == 5, "unknown extension answered %r" % r)
        r = reflect(stub, pb, all_extension_numbers_of_type="google.protobuf.MethodOptions")
        check(72295728 in r.all_extension_numbers_response.extension_number and
              r.all_extension_numbers_response.base_type_name == "google.protobuf.MethodOptions",
              "extension numbers %r" % r)
        r = reflect(stub, pb, all_extension_numbers_of_type="no.Such")
        check(r.error_response.error_code == 5, "unknown type answered %r" % r)


# ---- against the other example servers, run with their defaults ----

def serves_health_and_reflection(port, service, proto):
    import health_v1_pb2 as hp
    import health_v1_pb2_grpc as hg
    import reflection_v1_pb2 as rp
    import reflection_v1_pb2_grpc as rpg
    r = hg.HealthStub(channel(port)).Check(hp.HealthCheckRequest(service=service), timeout=5)
    check(r.status == hp.HealthCheckResponse.SERVING, "%s health %s" % (service, r.status))
    stub = rpg.ServerReflectionStub(channel(port))
    names = [s.name for s in reflect(stub, rp, list_services="").list_services_response.service]
    check(service in names, "list_services lacks %s: %r" % (service, names))
    files = file_names(reflect(stub, rp, file_containing_symbol=service))
    check(files and files[0] == proto, "%s is in %r" % (service, files))


def case_greeter_example(port):
    gen_stubs()
    import helloworld_pb2 as hw
    import helloworld_pb2_grpc as hwg
    stub = hwg.GreeterStub(channel(port))
    r = stub.SayHello(hw.HelloRequest(name="world"), timeout=5)
    check(r.message == "Hello, world!", "SayHello replied %r" % r.message)
    got = [m.message for m in stub.SayHelloStreamReply(hw.HelloRequest(name="you"), timeout=5)]
    check(got == ["Hello, you!", "Bonjour, you!", "Hola, you!"], "stream replied %r" % got)
    serves_health_and_reflection(port, "helloworld.Greeter", "helloworld.proto")
    say = channel(port).stream_unary("/helloworld.Greeter/SayHello")
    code, details, _ = rpc_code(lambda: say(iter([b"\x0a\x01a", b"\x0a\x01b"]), timeout=5))
    check(code == grpc.StatusCode.INTERNAL, "two requests to SayHello gave %s %s" % (code, details))
    code, details, _ = rpc_code(lambda: say(iter([]), timeout=5))
    check(code == grpc.StatusCode.UNIMPLEMENTED, "no request gave %s %s" % (code, details))


def case_reco(port):
    gen_stubs()
    import reco_pb2 as rp
    import reco_pb2_grpc as rpg
    stub = rpg.UserRecommendStub(channel(port))
    r = stub.Recommend(rp.RecommendationRequest(user_id=1, category=rp.MYSTERY, max_results=2),
                       timeout=5)
    titles = [b.title for b in r.recommendations]
    check(len(titles) == 2 and "The Maltese Falcon" in titles, "2 mysteries: %r" % titles)
    r = stub.Recommend(rp.RecommendationRequest(category=rp.SCIENCE_FICTION, max_results=10),
                       timeout=5)
    check(len(r.recommendations) == 3 and all(b.id > 0 for b in r.recommendations),
          "all science fiction: %r" % r)
    code, details, _ = rpc_code(lambda: stub.Recommend(
        rp.RecommendationRequest(category=7, max_results=1), timeout=5))
    check(code == grpc.StatusCode.NOT_FOUND, "unknown category gave %s %s" % (code, details))
    serves_health_and_reflection(port, "reco.UserRecommend", "reco.proto")


def case_route_tutorial(port):
    gen_stubs()
    import route_guide_pb2 as rg
    import route_guide_pb2_grpc as rgg
    stub = rgg.RouteGuideStub(channel(port))
    f = stub.GetFeature(rg.Point(latitude=409146138, longitude=-746188906), timeout=10)
    check(f.name == "Berkshire Valley Management Area Trail, Jefferson, NJ, USA",
          "the tutorial's first point: %r" % f.name)
    rect = rg.Rectangle(lo=rg.Point(latitude=400000000, longitude=-750000000),
                        hi=rg.Point(latitude=420000000, longitude=-730000000))
    feats = list(stub.ListFeatures(rect, timeout=10))
    check(len(feats) == 100, "ListFeatures returned %d of the tutorial's 100" % len(feats))
    serves_health_and_reflection(port, "routeguide.RouteGuide", "route_guide.proto")


# ---- against the in-process test server (tests/grpc-core/test_server_python.c) ----

def unary(ch, method):
    return ch.unary_unary(method)


def case_greeter(port):
    ch = channel(port)
    reply = unary(ch, "/helloworld.Greeter/SayHello")(b"\x0a\x05world", timeout=5)
    check(reply == b"\x0a\x0dHello, world!", "SayHello replied %r" % reply)


def case_async(port):
    ch = channel(port)
    check(unary(ch, "/test.Async/Echo")(b"x", timeout=5) == b"x", "async unary echo")
    chat = ch.stream_stream("/test.Async/Chat")
    got = list(chat(iter([b"a", b"bb", b"ccc"]), timeout=5))
    check(got == [b"a", b"bb", b"ccc"], "async bidi echo %r" % got)


def case_unimplemented(port):
    code, details, _ = rpc_code(lambda: unary(channel(port), "/test.Test/Nope")(b"", timeout=5))
    check(code == grpc.StatusCode.UNIMPLEMENTED, "unknown method gave %s %s" % (code, details))


def case_deadline(port):
    code, _, _ = rpc_code(lambda: unary(channel(port), "/test.Test/Sleep")(b"", timeout=0.3))
    check(code == grpc.StatusCode.DEADLINE_EXCEEDED, "Sleep gave %s" % code)


def case_cancel(port):
    it = channel(port).unary_stream("/test.Test/Stream")(b"", timeout=10)
    for _ in range(3):
        next(it)
    it.cancel()
    print("cancelled", flush=True)


def case_metadata(port):
    call = unary(channel(port), "/test.Test/Echo")
    md = (("x-echo", "plain value"), ("x-echo-bin", b"\x00\x01\xfe\xff"))
    reply, c = call.with_call(b"ping", metadata=md, timeout=5)
    check(reply == b"ping", "Echo replied %r" % reply)
    initial = dict(c.initial_metadata())
    trailing = dict(c.trailing_metadata())
    check(initial.get("x-echo") == "plain value", "initial metadata %r" % initial)
    check(trailing.get("x-echo-bin") == b"\x00\x01\xfe\xff", "trailing metadata %r" % trailing)
    check(trailing.get("x-peer", "").startswith("ipv4:127.0.0.1:"), "peer %r" % trailing)


def case_details(port):
    code, details, e = rpc_code(lambda: unary(channel(port), "/test.Test/Details")(b"", timeout=5))
    check(code == grpc.StatusCode.INVALID_ARGUMENT, "Details gave %s" % code)
    check(details == "bad thing: 100% \u00fcber", "message %r" % details)
    trailing = dict(e.trailing_metadata())
    check(trailing.get("grpc-status-details-bin") == b"\x08\x03\x12\x03bad",
          "details %r" % trailing)


def case_auth(port):
    call = unary(channel(port), "/test.Auth/Secret")
    code, details, _ = rpc_code(lambda: call(b"", timeout=5))
    check(code == grpc.StatusCode.UNAUTHENTICATED, "no token gave %s" % code)
    reply = call(b"x", metadata=(("authorization", "Bearer let-me-in"),), timeout=5)
    check(reply == b"x", "with token %r" % reply)


def case_compressed(port):
    call = unary(channel(port), "/test.Test/Echo")
    code, _, _ = rpc_code(lambda: call(b"a" * 1000, compression=grpc.Compression.Gzip, timeout=5))
    check(code == grpc.StatusCode.UNIMPLEMENTED, "gzip message gave %s" % code)


def case_big(port):
    opts = [("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)]
    call = unary(channel(port, opts=opts), "/test.Test/Echo")
    big = bytes(range(256)) * (16 << 12)  # 16 MiB
    check(call(big, timeout=60) == big, "16 MiB echo differs")
    code, details, _ = rpc_code(lambda: call(big + b"x" * (1 << 20), timeout=60))
    check(code == grpc.StatusCode.RESOURCE_EXHAUSTED, "17 MiB gave %s %s" % (code, details))


def case_many(port):
    call = unary(channel(port), "/test.Test/Echo")
    futures = [call.future(b"%d" % i, timeout=60) for i in range(1000)]
    for i, f in enumerate(futures):
        check(f.result() == b"%d" % i, "call %d" % i)


def case_drain(port):
    call = unary(channel(port), "/test.Test/Slow")
    f = call.future(b"slow", timeout=30)
    print("started", flush=True)
    check(f.result() == b"slow", "Slow during shutdown")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in CASES:
        print("usage: server_client.py {%s} PORT [ARGS]" % ",".join(sorted(CASES)))
        sys.exit(2)
    CASES[sys.argv[1]](*sys.argv[2:])
    print("ok")

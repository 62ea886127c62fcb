"""The Python gRPC tutorial's Greeter server (helloworld.Greeter), for the demo and tests.

    python3 examples/python/greeter_server.py --port 50051
"""
import argparse
import logging
import os
import sys
from concurrent import futures

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protos  # noqa: E402

protos.load(protos.EXAMPLES, "helloworld.proto")
import helloworld_pb2  # noqa: E402
import helloworld_pb2_grpc  # noqa: E402


class Greeter(helloworld_pb2_grpc.GreeterServicer):
    def SayHello(self, request, context):
        return helloworld_pb2.HelloReply(message="Hello, %s!" % request.name)

    def SayHelloStreamReply(self, request, context):
        for greeting in ("Hello", "Hola", "Bonjour"):
            yield helloworld_pb2.HelloReply(message="%s, %s!" % (greeting, request.name))


def serve(port):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    helloworld_pb2_grpc.add_GreeterServicer_to_server(Greeter(), server)
    bound = server.add_insecure_port("127.0.0.1:%d" % port)
    server.start()
    print("Greeter listening on 127.0.0.1:%d" % bound, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    logging.basicConfig()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=50051)
    serve(parser.parse_args().port)

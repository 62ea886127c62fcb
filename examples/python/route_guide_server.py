"""The Python gRPC tutorial's RouteGuide server (routeguide.RouteGuide), for the demo and tests.

    python3 examples/python/route_guide_server.py --port 50052
"""
import argparse
import json
import logging
import math
import os
import sys
import time
from concurrent import futures

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protos  # noqa: E402

protos.load(protos.EXAMPLES, "route_guide.proto")
import route_guide_pb2  # noqa: E402
import route_guide_pb2_grpc  # noqa: E402


def read_route_guide_database():
    with open(os.path.join(protos.HERE, "route_guide_db.json")) as f:
        return [
            route_guide_pb2.Feature(
                name=item["name"],
                location=route_guide_pb2.Point(
                    latitude=item["location"]["latitude"],
                    longitude=item["location"]["longitude"]))
            for item in json.load(f)
        ]


def get_feature(feature_db, point):
    for feature in feature_db:
        if feature.location == point:
            return feature
    return None


def get_distance(start, end):
    """Distance between two points in metres (haversine)."""
    coord_factor = 10000000.0
    lat_1 = math.radians(start.latitude / coord_factor)
    lat_2 = math.radians(end.latitude / coord_factor)
    delta_lat = math.radians((end.latitude - start.latitude) / coord_factor)
    delta_lon = math.radians((end.longitude - start.longitude) / coord_factor)
    a = (math.sin(delta_lat / 2) ** 2 +
         math.cos(lat_1) * math.cos(lat_2) * math.sin(delta_lon / 2) ** 2)
    c = 2 * math.atan2(math.sqrt(a), math.sqrt(1 - a))
    return int(6371000 * c)


class RouteGuideServicer(route_guide_pb2_grpc.RouteGuideServicer):
    def __init__(self):
        self.db = read_route_guide_database()

    def GetFeature(self, request, context):
        feature = get_feature(self.db, request)
        if feature is None:
            return route_guide_pb2.Feature(name="", location=request)
        return feature

    def ListFeatures(self, request, context):
        left = min(request.lo.longitude, request.hi.longitude)
        right = max(request.lo.longitude, request.hi.longitude)
        top = max(request.lo.latitude, request.hi.latitude)
        bottom = min(request.lo.latitude, request.hi.latitude)
        for feature in self.db:
            if (left <= feature.location.longitude <= right and
                    bottom <= feature.location.latitude <= top):
                yield feature

    def RecordRoute(self, request_iterator, context):
        point_count = 0
        feature_count = 0
        distance = 0.0
        prev_point = None
        start_time = time.time()
        for point in request_iterator:
            point_count += 1
            if get_feature(self.db, point):
                feature_count += 1
            if prev_point:
                distance += get_distance(prev_point, point)
            prev_point = point
        elapsed_time = time.time() - start_time
        return route_guide_pb2.RouteSummary(point_count=point_count,
                                            feature_count=feature_count,
                                            distance=int(distance),
                                            elapsed_time=int(elapsed_time))

    def RouteChat(self, request_iterator, context):
        prev_notes = []
        for new_note in request_iterator:
            for prev_note in prev_notes:
                if prev_note.location == new_note.location:
                    yield prev_note
            prev_notes.append(new_note)


def serve(port):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    route_guide_pb2_grpc.add_RouteGuideServicer_to_server(RouteGuideServicer(), server)
    bound = server.add_insecure_port("127.0.0.1:%d" % port)
    server.start()
    print("RouteGuide listening on 127.0.0.1:%d" % bound, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    logging.basicConfig()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=50052)
    serve(parser.parse_args().port)

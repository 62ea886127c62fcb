#!/usr/bin/env python3
"""Writes descriptor sets protoc cannot produce, from the types3 set.

craft_sets.py IN.pb OUT_DIR writes:
  relative.pb    type names relative to their scope, field types and json_name left out
                 (as hand-written descriptors may be); must load like IN.pb.
  unresolved.pb  a field whose type names nothing.
  bad_number.pb  a field numbered 0.
  bad_name.pb    a message whose name is not an identifier.
"""
import os
import sys

from google.protobuf import descriptor_pb2


def load(path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    return fds


def save(fds, out_dir, name):
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(fds.SerializeToString())


def target(fds):
    return next(f for f in fds.file if f.name == "pbd/types3.proto")


def everything(fds):
    return next(m for m in target(fds).message_type if m.name == "Everything")


def relativize(fds):
    file = target(fds)
    prefix = "." + file.package + "."

    def walk(msg):
        for field in msg.field:
            field.ClearField("json_name")
            if field.type_name:
                if field.type_name.startswith(prefix):
                    field.type_name = field.type_name[len(prefix):]
                else:
                    field.type_name = field.type_name[1:]
                field.ClearField("type")
        for nested in msg.nested_type:
            walk(nested)

    for msg in file.message_type:
        walk(msg)


def main():
    src, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)

    fds = load(src)
    relativize(fds)
    save(fds, out_dir, "relative.pb")

    fds = load(src)
    next(f for f in everything(fds).field if f.name == "nested").type_name = ".pbd.t3.Missing"
    save(fds, out_dir, "unresolved.pb")

    fds = load(src)
    everything(fds).field[0].number = 0
    save(fds, out_dir, "bad_number.pb")

    fds = load(src)
    next(m for m in target(fds).message_type if m.name == "Deprecated").name = "Not/Valid"
    save(fds, out_dir, "bad_name.pb")


if __name__ == "__main__":
    main()

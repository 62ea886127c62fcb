#!/usr/bin/python3
"""Expected results of the JSON <-> wire codec, from python's protobuf json_format.

usage: json_oracle.py DESCRIPTOR_SET OUT_DIR (CASE.json | DIR)...

Each case file is named <full.message.Name>__<case>.json and holds the JSON input. For
each, OUT_DIR/<case file name> gets:
  .pb                 json_format.Parse(...).SerializeToString()
  .default.json       MessageToJson of that message
  .emit.json          ... with including_default_value_fields
  .names.json         ... with preserving_proto_field_name
  .ints.json          ... with use_integers_for_enums
or .error holding python's message when Parse refuses the input. No generated code:
the message classes come from the descriptor set. A DIR stands for the *.json files in it
(json_gen.py's generated cases).
"""
import os
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory


def load_pool(path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    return pool


def message_class(pool, factory, name):
    return factory.GetPrototype(pool.FindMessageTypeByName(name))


def write(path, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)


def run_case(pool, factory, case, out_dir):
    base = os.path.basename(case)
    type_name = base.split("__", 1)[0]
    out = os.path.join(out_dir, base)
    for suffix in (".pb", ".error", ".default.json", ".emit.json", ".names.json", ".ints.json"):
        if os.path.exists(out + suffix):
            os.remove(out + suffix)
    cls = message_class(pool, factory, type_name)
    with open(case, "rb") as f:
        text = f.read()
    msg = cls()
    try:
        json_format.Parse(text, msg, descriptor_pool=pool)
        wire = msg.SerializeToString()
    except Exception as e:  # python's refusal is the expected outcome
        write(out + ".error", "%s: %s\n" % (type(e).__name__, e))
        return
    variants = {
        "default": {},
        "emit": {"including_default_value_fields": True},
        "names": {"preserving_proto_field_name": True},
        "ints": {"use_integers_for_enums": True},
    }
    try:
        texts = {name: json_format.MessageToJson(msg, descriptor_pool=pool, **kw) + "\n"
                 for name, kw in variants.items()}
    except Exception as e:
        # Python's Parse takes a Timestamp whose offset moves it out of 0001..9999 UTC
        # ("0001-01-01T00:00:00+00:01"), then cannot print it. ProtoJSON's range applies
        # to the UTC instant, so refusing it is right: expect an error.
        write(out + ".error", "%s (python accepted, then could not print): %s\n"
              % (type(e).__name__, e))
        return
    write(out + ".pb", wire)
    for name, text in texts.items():
        write(out + "." + name + ".json", text)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    pool = load_pool(sys.argv[1])
    factory = message_factory.MessageFactory(pool)
    os.makedirs(sys.argv[2], exist_ok=True)
    for arg in sys.argv[3:]:
        if os.path.isdir(arg):
            cases = sorted(os.path.join(arg, n) for n in os.listdir(arg) if n.endswith(".json"))
        else:
            cases = [arg]
        for case in cases:
            run_case(pool, factory, case, sys.argv[2])


if __name__ == "__main__":
    main()

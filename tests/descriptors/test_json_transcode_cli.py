#!/usr/bin/python3
"""`protogate transcode` against python's json_format on the tutorial address book.

usage: test_json_transcode_cli.py PROTOGATE DESCRIPTOR_SET ADDRESSBOOK_JSON

JSON -> wire must give python's json_format.Parse(...).SerializeToString() bytes;
wire -> JSON must give MessageToJson's JSON (compared as values); bad input must exit 1
with the error on stderr.
"""
import json
import subprocess
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory


def transcode(protogate, pb, direction, data, *extra):
    cmd = [protogate, "transcode", "--descriptor-set", pb, "--type", "tutorial.AddressBook",
           direction, *extra]
    return subprocess.run(cmd, input=data, capture_output=True, check=False)


def main():
    protogate, pb, case = sys.argv[1:4]
    fds = descriptor_pb2.FileDescriptorSet()
    with open(pb, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    cls = message_factory.MessageFactory(pool).GetPrototype(
        pool.FindMessageTypeByName("tutorial.AddressBook"))
    with open(case, "rb") as f:
        text = f.read()
    want = json_format.Parse(text, cls()).SerializeToString()

    got = transcode(protogate, pb, "--to-binary", text)
    assert got.returncode == 0, got.stderr.decode()
    assert got.stdout == want, "bytes differ:\n ours   %s\n python %s" % (got.stdout.hex(), want.hex())
    print("to-binary: %d bytes, identical to python's" % len(want))

    back = transcode(protogate, pb, "--to-json", want)
    assert back.returncode == 0, back.stderr.decode()
    msg = cls()
    msg.ParseFromString(want)
    expected = json.loads(json_format.MessageToJson(msg))
    assert json.loads(back.stdout) == expected, back.stdout.decode()
    names = transcode(protogate, pb, "--to-json", want, "--proto-names", "--indent")
    assert json.loads(names.stdout) == json.loads(
        json_format.MessageToJson(msg, preserving_proto_field_name=True)), names.stdout.decode()
    print("to-json: same JSON as python's MessageToJson")

    bad = transcode(protogate, pb, "--to-binary", b'{"people":[{"id":"x"}]}')
    assert bad.returncode == 1 and bad.stdout == b"", bad
    assert b"people[0].id: expected int32, got string" in bad.stderr, bad.stderr
    truncated = transcode(protogate, pb, "--to-json", want[:-3])
    assert truncated.returncode == 1 and b"past the end" in truncated.stderr, truncated.stderr
    print("bad input: exit 1 with the error on stderr")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Generated cases for the JSON <-> wire differential test (json_oracle.py's input).

usage: json_gen.py DESCRIPTOR_SET OUT_DIR COUNT SEED

Writes COUNT files OUT_DIR/<full.Type>__gen_<n>.json (deterministic for a SEED): messages
of codec_test.proto built from the descriptors, every field kind and well-known type, with
edge values (integer limits, -0.0, subnormals, float limits, NaN and infinities, empty and
unicode strings written with escapes and surrogate pairs, empty repeated fields and maps,
maps of every key type, recursion, Any holding WKTs and Anys, Timestamp and Duration
limits), each value in one of the forms ProtoJSON accepts (numbers or strings, json or
proto names, standard or URL-safe base64...). A share of the cases hold a value python and
we must both refuse (out-of-range numbers and times, lone surrogates); json_oracle.py then
records what python makes of every case, and test_json_oracle.c compares.
Case names say which: __gen_<n> is expected valid, __gen_err_<n> expected refused (python
is the judge of both); __strict_gen_<n> holds a value python takes against ProtoJSON, and
test_json_oracle.c expects us to refuse it (see Gen.float_value).
"""
import math
import os
import random
import struct
import sys

from google.protobuf import descriptor
from google.protobuf import descriptor_pb2, descriptor_pool

FD = descriptor.FieldDescriptor
TYPES = ["codec.test.All", "codec.test.Scalars", "codec.test.Repeated", "codec.test.Maps",
         "codec.test.Oneofs", "codec.test.Optionals", "codec.test.Wkt", "codec.test.Nested",
         "codec.test.Names", "codec.test2.P2"]

INT_RANGES = {
    FD.TYPE_INT32: (-2**31, 2**31 - 1), FD.TYPE_SINT32: (-2**31, 2**31 - 1),
    FD.TYPE_SFIXED32: (-2**31, 2**31 - 1), FD.TYPE_UINT32: (0, 2**32 - 1),
    FD.TYPE_FIXED32: (0, 2**32 - 1), FD.TYPE_INT64: (-2**63, 2**63 - 1),
    FD.TYPE_SINT64: (-2**63, 2**63 - 1), FD.TYPE_SFIXED64: (-2**63, 2**63 - 1),
    FD.TYPE_UINT64: (0, 2**64 - 1), FD.TYPE_FIXED64: (0, 2**64 - 1),
}
FLT_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]
FLT_MIN = struct.unpack("<f", b"\x00\x00\x80\x00")[0]
FLT_TRUE_MIN = struct.unpack("<f", b"\x01\x00\x00\x00")[0]
FLOATS = [0.0, -0.0, 1.0, -1.5, 0.1, FLT_MAX, -FLT_MAX, FLT_MIN, FLT_TRUE_MIN, 3.4e38, 1e-40,
          16777216.0, 16777217.0, 123456.789]
DOUBLES = [0.0, -0.0, 0.1, -2.5, 1e300, 1.7976931348623157e308, -1.7976931348623157e308,
           2.2250738585072014e-308, 5e-324, 4.9e-322, 9007199254740993.0, 1e21, 1e-7, 123.456]
SPECIAL = ["NaN", "Infinity", "-Infinity"]
STRINGS = ["", "a", "hello world", "h\u00e9llo", "\u4e2d\u6587", "\U0001F600 smile",
           "quote\" back\\ slash/", "\n\t\r\b\f", "\x00\x01\x1f\x7f", "\u2028\u2029",
           "\U0010FFFF", "\uFFFD\uFEFF", "mixed \U0001D11E and \u00e9", "x" * 200]
TIMESTAMPS = ["1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
              "2024-02-29T12:34:56.789Z", "1969-12-31T23:59:59.000001Z",
              "2000-01-01T00:00:00+01:00", "2000-01-01T00:00:00.5-08:30",
              "1972-06-30T23:59:59.100000000Z", "2038-01-19T03:14:08Z"]
BAD_TIMESTAMPS = ["0000-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "2000-13-01T00:00:00Z",
                  "2000-01-01 00:00:00Z", "0001-01-01T00:00:00+00:01"]
DURATIONS = ["0s", "1s", "-1s", "0.5s", "-0.000000001s", "1.000000001s", "3600s",
             "315576000000.999999999s", "-315576000000.999999999s", "1.100s", "-0.250s"]
BAD_DURATIONS = ["315576000001s", "-315576000001s", "1", "1.0000000001s", "s"]
MASKS = ["", "fieldOne", "a.bC", "fooBar,bazQux.quux", "x,y,z"]
LONE_SURROGATES = ["\\ud800", "\\udfff", "a\\ud83d", "\\ude00b", "\\ud83d\\u0041"]


class Raw:
    """JSON text written as is (numbers in a chosen form, pre-escaped strings); |value|:
    the string it stands for, to keep object keys distinct."""

    def __init__(self, text, value=None):
        self.text = text
        self.value = value


class Gen:
    def __init__(self, pool, rnd):
        self.pool = pool
        self.r = rnd
        self.bad = False  # the case holds a value python must refuse
        self.strict = False  # ... that python takes, and ProtoJSON (so we) refuse
        self.in_map = 0

    def chance(self, p):
        return self.r.random() < p

    # ---- text forms ----

    def jstring(self, s):
        """A JSON string for |s|: raw UTF-8, \\u escapes (surrogate pairs), or a mix."""
        mode = self.r.randrange(3)
        out = ['"']
        for ch in s:
            c = ord(ch)
            short = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r",
                     "\b": "\\b", "\f": "\\f"}
            if ch in short:
                out.append(short[ch])
            elif c < 0x20 or (mode == 1 and c > 0x7e) or (mode == 2 and c > 0x7e and
                                                           self.chance(0.5)):
                if c > 0xFFFF:
                    c -= 0x10000
                    out.append("\\u%04x\\u%04X" % (0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF)))
                else:
                    out.append("\\u%04x" % c)
            elif ch == "/" and self.chance(0.5):
                out.append("\\/")
            else:
                out.append(ch)
        out.append('"')
        return Raw("".join(out), s)

    def num_text(self, v):
        """An integer |v| as a JSON number, sometimes with a fraction or an exponent."""
        if abs(v) < 10**15 and self.chance(0.15):
            return Raw("%d.0" % v if self.chance(0.5) else "%de0" % v)
        return Raw(str(v))

    # ---- scalars ----

    def int_value(self, t):
        lo, hi = INT_RANGES[t]
        pick = self.r.randrange(8)
        if pick == 0:
            v = lo
        elif pick == 1:
            v = hi
        elif pick == 2:
            v = 0
        elif pick == 3 and lo < 0:
            v = -1
        elif pick == 4:
            v = self.r.randint(lo, hi)
        else:
            v = self.r.randint(max(lo, -1000), 1000)
        if self.chance(0.03):  # one past the range: refused by both
            self.bad = True
            v = hi + 1 if self.chance(0.5) or lo == 0 else lo - 1
        if hi >= 2**32 and abs(v) >= 2**53:
            # Beyond 2^53 a JSON number cannot hold every value: written as a string,
            # as ProtoJSON writes 64-bit integers.
            return self.jstring(str(v))
        if self.chance(0.3):
            return self.jstring(str(v))
        return self.num_text(v)

    def float_value(self, is_float):
        if self.chance(0.12):
            return self.jstring(self.r.choice(SPECIAL))
        if is_float:
            v = self.r.choice(FLOATS) if self.chance(0.6) else \
                struct.unpack("<f", struct.pack("<f", self.r.uniform(-1e6, 1e6)))[0]
            if self.chance(0.02):
                self.bad = True
                v = 3.5e38
                # Python refuses a float beyond FLT_MAX in a field but stores one as a
                # map value (as infinity); ProtoJSON says out of range is an error for
                # every float, so we refuse both: the case is named __strict_.
                self.strict = self.strict or self.in_map > 0
        else:
            v = self.r.choice(DOUBLES) if self.chance(0.6) else self.r.uniform(-1e9, 1e9)
        text = repr(v)
        if self.chance(0.2):
            return self.jstring(text)
        if v == 0.0 and math.copysign(1, v) < 0:
            return Raw("-0.0")
        return Raw(text)

    def enum_value(self, enum):
        values = list(enum.values)
        v = self.r.choice(values)
        if self.chance(0.3):
            return self.num_text(v.number)
        if enum.file.syntax == "proto3" and self.chance(0.05):
            return Raw("7")  # open enum: unknown numbers stay
        return self.jstring(v.name)

    def bytes_value(self):
        import base64
        data = bytes(self.r.randrange(256) for _ in range(self.r.choice([0, 1, 2, 3, 5, 40])))
        if self.chance(0.5):
            text = base64.b64encode(data).decode()
        else:
            text = base64.urlsafe_b64encode(data).decode()
        if self.chance(0.4):
            text = text.rstrip("=")
        return self.jstring(text)

    def string_value(self):
        if self.chance(0.03):
            self.bad = True
            text = '"' + self.r.choice(LONE_SURROGATES) + '"'
            return Raw(text, text)
        s = self.r.choice(STRINGS)
        if self.chance(0.3):
            s = "".join(chr(self.r.choice([self.r.randrange(0x20, 0x7f),
                                           self.r.randrange(0xa0, 0xd7ff),
                                           self.r.randrange(0xe000, 0x10ffff)]))
                        for _ in range(self.r.randrange(1, 12)))
        return self.jstring(s)

    def key_string(self):
        """A string for an object key: no U+0000, which the C test's cJSON cannot hold in
        a key (it would compare "a\u0000b" as "a"); values keep it."""
        k = self.string_value()
        while k.value is not None and "\x00" in k.value:
            k = self.string_value()
        return k

    def scalar(self, f):
        t = f.type
        if t in INT_RANGES:
            return self.int_value(t)
        if t in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE):
            return self.float_value(t == FD.TYPE_FLOAT)
        if t == FD.TYPE_BOOL:
            return Raw(self.r.choice(["true", "false"]))
        if t == FD.TYPE_STRING:
            return self.string_value()
        if t == FD.TYPE_BYTES:
            return self.bytes_value()
        if t == FD.TYPE_ENUM:
            if f.enum_type.full_name == "google.protobuf.NullValue":
                return Raw("null")
            return self.enum_value(f.enum_type)
        raise ValueError(t)

    # ---- map keys ----

    def map_key(self, f):
        t = f.type
        if t == FD.TYPE_BOOL:
            return self.jstring(self.r.choice(["true", "false"]))
        if t == FD.TYPE_STRING:
            return self.key_string()
        lo, hi = INT_RANGES[t]
        v = self.r.choice([lo, hi, 0, self.r.randint(lo, hi), self.r.randint(max(lo, -99), 99)])
        return self.jstring(str(v))

    # ---- well-known types ----

    def json_value(self, depth):
        """A google.protobuf.Value in JSON (no NaN: a Value cannot hold one)."""
        pick = self.r.randrange(7 if depth < 3 else 5)
        if pick == 0:
            return Raw("null")
        if pick == 1:
            v = self.r.choice(DOUBLES + [0, 1, -7, 2**53])
            return Raw("-0.0" if v == 0 and math.copysign(1, v) < 0 else repr(v))
        if pick == 2:
            return self.string_value()
        if pick == 3:
            return Raw(self.r.choice(["true", "false"]))
        if pick == 4:
            return self.string_value()
        if pick == 5:
            return [self.json_value(depth + 1) for _ in range(self.r.randrange(4))]
        return self.json_struct(depth + 1)

    def json_struct(self, depth):
        return self.members(self.r.randrange(4), self.key_string,
                            lambda: self.json_value(depth))

    def members(self, n, key, value):
        """An object of |n| members at most, keys distinct (a key written twice is an
        error for python and the last value for us)."""
        out, seen = {}, set()
        for _ in range(n):
            k = key()
            if k.value not in seen:
                seen.add(k.value)
                out[k] = value()
        return out

    def any_value(self, depth):
        names = ["codec.test.Nested", "codec.test.Scalars", "google.protobuf.Duration",
                 "google.protobuf.Timestamp", "google.protobuf.Struct", "google.protobuf.Any",
                 "google.protobuf.Int64Value", "google.protobuf.FieldMask",
                 "google.protobuf.Empty", "google.protobuf.Value", "codec.test.Maps"]
        if depth > 3:
            names = names[:2]
        name = self.r.choice(names)
        m = self.pool.FindMessageTypeByName(name)
        url = self.jstring(("type.googleapis.com/" if self.chance(0.8) else "x.y/z/") + name)
        body = self.message(m, depth + 1)
        if name.startswith("google.protobuf.") and name != "google.protobuf.Empty":
            return {Raw('"@type"'): url, Raw('"value"'): body}
        out = {Raw('"@type"'): url}
        out.update(body)
        return out

    def wkt(self, m, depth):
        """The JSON of well-known type |m|, or None when |m| is a regular message."""
        name = m.full_name
        if name == "google.protobuf.Timestamp":
            if self.chance(0.05):
                self.bad = True
                return self.jstring(self.r.choice(BAD_TIMESTAMPS))
            return self.jstring(self.r.choice(TIMESTAMPS))
        if name == "google.protobuf.Duration":
            if self.chance(0.05):
                self.bad = True
                return self.jstring(self.r.choice(BAD_DURATIONS))
            return self.jstring(self.r.choice(DURATIONS))
        if name == "google.protobuf.FieldMask":
            return self.jstring(self.r.choice(MASKS))
        if name == "google.protobuf.Struct":
            return self.json_struct(depth)
        if name == "google.protobuf.Value":
            return self.json_value(depth)
        if name == "google.protobuf.ListValue":
            return [self.json_value(depth + 1) for _ in range(self.r.randrange(4))]
        if name == "google.protobuf.Empty":
            return {}
        if name == "google.protobuf.Any":
            return self.any_value(depth)
        if name.startswith("google.protobuf.") and name.endswith("Value"):
            return self.scalar(m.fields_by_name["value"])
        return None

    # ---- messages ----

    def value(self, f, depth):
        if f.message_type is not None:
            return self.message(f.message_type, depth + 1)
        return self.scalar(f)

    def field_json(self, f, depth):
        if f.message_type is not None and f.message_type.GetOptions().map_entry:
            key_f = f.message_type.fields_by_name["key"]
            val_f = f.message_type.fields_by_name["value"]
            n = self.r.choice([0, 1, 2, 3]) if depth < 4 else 0
            self.in_map += 1
            out = self.members(n, lambda: self.map_key(key_f), lambda: self.value(val_f, depth))
            self.in_map -= 1
            return out
        if f.label == FD.LABEL_REPEATED:
            n = self.r.choice([0, 1, 2, 4]) if depth < 4 else self.r.choice([0, 1])
            return [self.value(f, depth) for _ in range(n)]
        return self.value(f, depth)

    def message(self, m, depth=0):
        special = self.wkt(m, depth)
        if special is not None:
            return special
        out = {}
        oneofs_done = set()
        for f in m.fields:
            if f.containing_oneof is not None:
                if f.containing_oneof.name in oneofs_done or not self.chance(0.4):
                    continue
                oneofs_done.add(f.containing_oneof.name)
            elif not self.chance(0.6 if depth < 3 else 0.25):
                continue
            if depth > 6 and f.message_type is not None:
                continue
            name = f.name if self.chance(0.3) else f.json_name
            if self.chance(0.04) and f.message_type is None and f.containing_oneof is None:
                val = Raw("null")  # null: the field's default
            else:
                val = self.field_json(f, depth)
            out[self.jstring(name)] = val
        return out


def dump(v, indent, level=0):
    if isinstance(v, Raw):
        return v.text
    nl = ("\n" + " " * (indent * (level + 1))) if indent else ""
    end = ("\n" + " " * (indent * level)) if indent else ""
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[" + ",".join(nl + dump(x, indent, level + 1) for x in v) + end + "]"
    if not v:
        return "{}"
    sep = ": " if indent else ":"
    return "{" + ",".join(nl + k.text + sep + dump(x, indent, level + 1)
                          for k, x in v.items()) + end + "}"


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    fds = descriptor_pb2.FileDescriptorSet()
    with open(sys.argv[1], "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    out_dir, count, seed = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        if old.endswith(".json"):
            os.remove(os.path.join(out_dir, old))
    rnd = random.Random(seed)
    for i in range(count):
        gen = Gen(pool, rnd)
        type_name = TYPES[i % len(TYPES)]
        doc = gen.message(pool.FindMessageTypeByName(type_name))
        text = dump(doc, rnd.choice([0, 0, 2]))
        kind = "strict_gen" if gen.strict else "gen_err" if gen.bad else "gen"
        with open(os.path.join(out_dir, "%s__%s_%04d.json" % (type_name, kind, i)), "w",
                  encoding="utf-8", newline="") as f:
            f.write(text)


if __name__ == "__main__":
    main()

"""Real processes for the gateway's integration tests: Python gRPC backends and
protogate itself, each on a port the OS picks (port 0), killed at the end."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"


class Proc:
    """A child process whose output is read line by line in the background."""

    def __init__(self, args, ready, stream="stdout"):
        self.args = args
        self.lines = []
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, start_new_session=True)
        self.cond = threading.Condition()
        self.readers = [threading.Thread(target=self._read, args=(s,), daemon=True)
                        for s in (self.p.stdout, self.p.stderr)]
        for t in self.readers:
            t.start()
        self.port = None
        m = self.wait_for(ready, 30)
        if m is None:
            self.stop()
            raise RuntimeError("%s did not start:\n%s" % (args[0], "\n".join(self.lines)))
        self.port = int(m.group(1))

    def _read(self, stream):
        for line in stream:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_for(self, pattern, timeout=10):
        rx = re.compile(pattern)
        end = time.time() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    m = rx.search(line)
                    if m:
                        return m
                left = end - time.time()
                if left <= 0 or self.p.poll() is not None:
                    return None
                self.cond.wait(min(left, 0.2))

    def stop(self):
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGTERM)
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()
        for t in self.readers:
            t.join(5)
        self.p.stdout.close()
        self.p.stderr.close()


def backend(script="tests/gateway/backend.py", *extra):
    return Proc([PYTHON, os.path.join(ROOT, script), "--port", "0"] + list(extra),
                r"listening on 127\.0\.0\.1:(\d+)")


def gateway(binary, sets, backend_port, *flags, config=None, listen="127.0.0.1:0"):
    args = [binary]
    for s in sets:
        args += ["--descriptor-set", s]
    # Two workers whatever the machine, so that requests spread over both.
    args += ["--backend", "127.0.0.1:%d" % backend_port, "--listen", listen, "--threads", "2"]
    if config is not None:
        f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(config, f)
        f.close()
        args += ["--config", f.name]
    return Proc(args + list(flags), r"listening on .*\(port (\d+)\)")


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body)


def request(port, method, path, body=None, headers=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    out = Reply(r.status, r.getheaders(), r.read())
    c.close()
    return out

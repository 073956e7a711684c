#!/usr/bin/env python3
"""cutproxy: a loopback TCP proxy in front of hotlined that loses answers.

It forwards every request to the server, and for every Nth request whose request line
matches --match (a regular expression) it lets the server answer, then cuts the connection: alternately before the first
byte of the answer reaches the client ("before") and after half of its first chunk ("mid").
The server has therefore done the work while the client sees a dropped connection: exactly
the case idempotency keys are for.

    cutproxy.py --target 127.0.0.1:PORT [--every N] [--match '^(POST|PATCH) ']
                [--port-file F] [--stats F]

It prints "listening on 127.0.0.1:<port>" (and writes the port to --port-file), then runs
until SIGTERM; at every change it rewrites --stats with "requests N cuts N connections N".
HTTP parsing is the least needed: request lines and Content-Length (libcurl and curl send
bodies with Content-Length and never pipeline).
"""
import argparse
import os
import re
import selectors
import signal
import socket
import sys


class Conn:
    """One client connection and its upstream."""

    def __init__(self, client, upstream):
        self.client = client
        self.upstream = upstream
        self.inbuf = b""        # client bytes not yet parsed
        self.body_left = 0      # body bytes of the current request still to skip
        self.cut_next = None    # "before" / "mid" when the answer to come must be cut


class Proxy:
    def __init__(self, args):
        self.args = args
        self.match = re.compile(args.match)
        self.sel = selectors.DefaultSelector()
        self.requests = 0       # requests seen
        self.matching = 0       # requests of the methods watched
        self.cuts = 0
        self.connections = 0
        host, port = args.target.rsplit(":", 1)
        self.target = (host, int(port))
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", args.port))
        self.listener.listen(64)
        self.listener.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, None)

    def stats(self):
        # Written aside and renamed over: a reader never sees the file empty or half written.
        if self.args.stats:
            tmp = self.args.stats + ".tmp"
            with open(tmp, "w") as f:
                f.write("requests %d matching %d cuts %d connections %d\n"
                        % (self.requests, self.matching, self.cuts, self.connections))
            os.replace(tmp, self.args.stats)

    def close(self, c):
        for s in (c.client, c.upstream):
            try:
                self.sel.unregister(s)
            except (KeyError, ValueError):
                pass
            try:
                s.close()
            except OSError:
                pass

    def accept(self):
        try:
            client, _ = self.listener.accept()
        except BlockingIOError:
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        client.setblocking(False)
        upstream.setblocking(False)
        c = Conn(client, upstream)
        self.connections += 1
        self.sel.register(client, selectors.EVENT_READ, (c, "client"))
        self.sel.register(upstream, selectors.EVENT_READ, (c, "upstream"))
        self.stats()

    def parse(self, c, data):
        """Find the request lines in the client's bytes; mark the answers to cut."""
        c.inbuf += data
        while c.inbuf:
            if c.body_left > 0:
                n = min(c.body_left, len(c.inbuf))
                c.body_left -= n
                c.inbuf = c.inbuf[n:]
                continue
            end = c.inbuf.find(b"\r\n\r\n")
            if end < 0:
                if len(c.inbuf) > 65536:
                    c.inbuf = b""
                return
            head = c.inbuf[:end].decode("latin-1").split("\r\n")
            c.inbuf = c.inbuf[end + 4:]
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    try:
                        c.body_left = int(value.strip())
                    except ValueError:
                        c.body_left = 0
            self.requests += 1
            if self.match.search(head[0]):
                self.matching += 1
                if self.args.every > 0 and self.matching % self.args.every == 0:
                    c.cut_next = "before" if self.cuts % 2 == 0 else "mid"
                    self.cuts += 1
            self.stats()

    def relay(self, c, side):
        src = c.client if side == "client" else c.upstream
        dst = c.upstream if side == "client" else c.client
        try:
            data = src.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close(c)
            return
        if side == "client":
            self.parse(c, data)
        elif c.cut_next is not None:
            # The server answered: the work is done. Lose the answer (or its second half).
            if c.cut_next == "mid" and len(data) > 1:
                try:
                    dst.setblocking(True)
                    dst.sendall(data[: len(data) // 2])
                except OSError:
                    pass
            try:
                dst.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            self.close(c)
            return
        try:
            dst.setblocking(True)
            dst.sendall(data)
            dst.setblocking(False)
        except OSError:
            self.close(c)

    def run(self):
        while True:
            for key, _ in self.sel.select(timeout=1.0):
                if key.data is None:
                    self.accept()
                else:
                    c, side = key.data
                    self.relay(c, side)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", required=True, help="host:port of hotlined")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (0: any)")
    ap.add_argument("--every", type=int, default=2, help="cut every Nth matching request")
    ap.add_argument("--match", default="^(POST|PATCH) ",
                    help="regular expression on the request line of the requests counted")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--stats", help="keep the counters in this file")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    p = Proxy(args)
    port = p.listener.getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    print("listening on 127.0.0.1:%d" % port, flush=True)
    p.stats()
    try:
        p.run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

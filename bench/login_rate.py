#!/usr/bin/python3
"""Logins per second against a Kafka listener: each of --clients processes opens a TCP
connection, logs in, and closes it, over and over, for --duration seconds. Prints one JSON
object: {"mode", "clients", "logins", "failures", "duration_s", "per_s"}.

Modes: apiversions (no login: connect, ApiVersions, close; the same-run baseline of
connection set-up), scram (SaslHandshake + SCRAM-SHA-256's two SaslAuthenticate steps; the
client caches its SaltedPassword per salt, as real clients may, so the figure is the
server's work and the round trips, not the client's PBKDF2), oauthbearer (SaslHandshake +
one SaslAuthenticate with a pre-made token: the server checks its signature against the
cached JWK Set).

  bench/login_rate.py --port P --mode scram --user admin --password-env PW [--duration 10]
  bench/login_rate.py --port P --mode oauthbearer --token-file token.txt"""

import argparse
import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import socket
import struct
import time


def frame(api, version, body, correlation=1):
    header = struct.pack(">hhih", api, version, correlation, 5) + b"bench"
    return struct.pack(">i", len(header) + len(body)) + header + body


def exchange(sock, api, version, body):
    sock.sendall(frame(api, version, body))
    size = struct.unpack(">i", read(sock, 4))[0]
    return read(sock, size)[4:]  # without the correlation id


def read(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError("closed")
        out += chunk
    return out


def sasl_authenticate(sock, token):
    r = exchange(sock, 36, 1, struct.pack(">i", len(token)) + token)
    error = struct.unpack(">h", r[:2])[0]
    n = struct.unpack(">h", r[2:4])[0]
    pos = 4 + max(n, 0)
    size = struct.unpack(">i", r[pos:pos + 4])[0]
    return error, r[pos + 4:pos + 4 + size]


def handshake(sock, mechanism):
    m = mechanism.encode()
    r = exchange(sock, 17, 1, struct.pack(">h", len(m)) + m)
    return struct.unpack(">h", r[:2])[0]


class ScramClient:
    def __init__(self, user, password):
        self.user, self.password = user, password
        self.salted = {}

    def login(self, sock):
        if handshake(sock, "SCRAM-SHA-256") != 0:
            return False
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = f"n={self.user},r={nonce}"
        error, server_first = sasl_authenticate(sock, ("n,," + first_bare).encode())
        if error:
            return False
        attrs = dict(a.split("=", 1) for a in server_first.decode().split(","))
        key = (attrs["s"], attrs["i"])
        if key not in self.salted:
            self.salted[key] = hashlib.pbkdf2_hmac("sha256", self.password.encode(),
                                                   base64.b64decode(attrs["s"]), int(attrs["i"]))
        salted = self.salted[key]
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth = f"{first_bare},{server_first.decode()},{without_proof}".encode()
        signature = hmac.new(hashlib.sha256(client_key).digest(), auth, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        error, _ = sasl_authenticate(
            sock, (without_proof + ",p=" + base64.b64encode(proof).decode()).encode())
        return error == 0


class OauthClient:
    def __init__(self, token):
        self.message = f"n,,\x01auth=Bearer {token}\x01\x01".encode()

    def login(self, sock):
        if handshake(sock, "OAUTHBEARER") != 0:
            return False
        error, _ = sasl_authenticate(sock, self.message)
        return error == 0


class NoLogin:
    def login(self, sock):
        r = exchange(sock, 18, 0, b"")
        return struct.unpack(">h", r[:2])[0] == 0


def worker(args, counts):
    if args.mode == "scram":
        client = ScramClient(args.user, os.environ[args.password_env])
    elif args.mode == "oauthbearer":
        with open(args.token_file) as f:
            client = OauthClient(f.read().strip())
    else:
        client = NoLogin()
    ok = failed = 0
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        with socket.create_connection(("127.0.0.1", args.port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                if client.login(sock):
                    ok += 1
                else:
                    failed += 1
            except ConnectionError:
                failed += 1
    counts.put((ok, failed))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", choices=("apiversions", "scram", "oauthbearer"), required=True)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--user", default="admin")
    p.add_argument("--password-env", default="BROOK_BENCH_SASL_PASSWORD")
    p.add_argument("--token-file")
    args = p.parse_args()
    counts = multiprocessing.Queue()
    started = time.monotonic()
    procs = [multiprocessing.Process(target=worker, args=(args, counts))
             for _ in range(args.clients)]
    for proc in procs:
        proc.start()
    results = [counts.get() for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = time.monotonic() - started
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    print(json.dumps({"mode": args.mode, "clients": args.clients, "logins": ok,
                      "failures": failed, "duration_s": round(elapsed, 3),
                      "per_s": round(ok / elapsed, 1)}))


if __name__ == "__main__":
    main()

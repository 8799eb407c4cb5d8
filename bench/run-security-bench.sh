#!/usr/bin/env bash
# Measures what security costs, with real clients, each figure beside the loopback TCP
# baseline of the same run, and prints one Markdown table.
#   bench/run-security-bench.sh [--quick] [--no-build]
# --quick: 3 s runs instead of 10 s. --no-build: use build/release (or $BROOK_BENCH_BUILD).
#
# In a scratch directory under build/ (removed afterwards):
#   1. baselines: disk write+fdatasync (1 MiB blocks) and loopback TCP (1 MiB writes);
#   2. a CA and a server certificate (P-256) made with openssl;
#   3. one `brook serve` (durability interval: the network path is measured, not the disk)
#      with PLAINTEXT, SSL and SASL_SSL listeners, ACLs on (the admin is a super user;
#      everyone is allowed where no ACL applies, so every request still asks the
#      authorizer): `brook bench` (librdkafka) produces 1 KiB records to 6 partitions with
#      acks=1 for the run's duration, then consumes them all from the beginning, over each
#      listener (SASL_SSL logs in with SCRAM-SHA-256);
#      then logins per second on SASL_PLAINTEXT, a new connection each (bench/login_rate.py,
#      4 Python client processes): ApiVersions only (the baseline), SCRAM-SHA-256, and
#      OAUTHBEARER with an ES256 token whose key set (python3 -m http.server) Brook cached;
#      then PLAINTEXT produce just before and just after 5,000 ACL bindings on other topics
#      are created;
#   4. REST Proxy v2 produce, one 1 KiB record per request, HTTP Basic, 8 keep-alive
#      connections (wrk, bench/http/produce.lua): over HTTP, then on a second server over
#      HTTPS.
# Results: bench/results/security-<time>.md (the table) and .jsonl (every raw figure).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib.sh

quick=0
build=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: bench/run-security-bench.sh [--quick] [--no-build]" >&2; exit 2 ;;
  esac
done
duration=10
[[ $quick == 1 ]] && duration=3

release_binaries "$build"
command -v openssl >/dev/null || { echo "openssl is needed (Debian: openssl)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is needed (Debian: wrk)" >&2; exit 1; }

bench_setup security
record_run_facts
record duration_s "$duration"
measure_baselines $((256 << 20))

say "certificates"
pki=$work/pki
mkdir -p "$pki"
(
  cd "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout ca.key -out ca.pem -subj "/CN=Brook bench CA" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
    -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile server.ext -out server.pem 2>/dev/null
)
password=bench-$RANDOM$RANDOM
export BROOK_SECURITY_ADMIN_PASSWORD=$password

say "an OpenID Connect key set (served by python3 -m http.server) and a token"
oidc=$work/oidc
mkdir -p "$oidc"
"$python" - "$oidc" <<'PY'
import json, sys, time
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
d = sys.argv[1]
key = ec.generate_private_key(ec.SECP256R1())
jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
jwk.update(kid="bench", alg="ES256", use="sig")
json.dump({"keys": [jwk]}, open(f"{d}/jwks.json", "w"))
open(f"{d}/token.txt", "w").write(jwt.encode(
    {"iss": "https://issuer.bench", "aud": "brook", "sub": "admin",
     "exp": int(time.time()) + 3600}, key, algorithm="ES256", headers={"kid": "bench"}))
PY
jwks_port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$python" -m http.server "$jwks_port" --bind 127.0.0.1 --directory "$oidc" >"$work/jwks.log" 2>&1 &
background=$!

common=(--durability interval --allow-everyone-if-no-acl-found true
  --listeners PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0
  --sasl-mechanisms SCRAM-SHA-256,OAUTHBEARER --oidc-issuer https://issuer.bench
  --oidc-jwks-uri "http://127.0.0.1:$jwks_port/jwks.json" --oidc-audience brook
  --failed-login-limit-per-address 0 --failed-login-limit-per-user 0
  --tls-cert-file "$pki/server.pem" --tls-key-file "$pki/server.key")

# port_of NAME: the port of the listener NAME, from the server's log.
port_of() {
  grep -o "kafka listener on 127.0.0.1:[0-9]* (advertised [^)]*): $1," "$work/serve.log" |
    head -1 | sed 's/kafka listener on 127.0.0.1:\([0-9]*\) .*/\1/'
}

start_server "${common[@]}"
declare -A ports=([PLAINTEXT]=$(port_of PLAINTEXT) [SSL]=$(port_of SSL) [SASL_SSL]=$(port_of SASL_SSL))
tls=(-X security.protocol=SSL -X "ssl.ca.location=$pki/ca.pem")
sasl=(-X security.protocol=SASL_SSL -X "ssl.ca.location=$pki/ca.pem"
  -X sasl.mechanisms=SCRAM-SHA-256 -X sasl.username=admin)
export BROOK_BENCH_SASL_PASSWORD=$password
for listener in PLAINTEXT SSL SASL_SSL; do
  kafka_port=${ports[$listener]}
  extra=()
  [[ $listener == SSL ]] && extra=("${tls[@]}")
  [[ $listener == SASL_SSL ]] && extra=("${sasl[@]}")
  topic=bench-$listener
  bench "produce_$listener" produce --topic "$topic" --partitions 6 --record-size 1024 \
    --acks 1 --duration "$duration" "${extra[@]}"
  produced=$("$python" -c 'import json,sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    if f["name"] == sys.argv[2] and f["value"]:
        print(f["value"]["records"])' "$jsonl" "produce_$listener" | tail -1)
  bench "consume_$listener" consume --topic "$topic" --count "${produced:-100000}" "${extra[@]}"
done

# Logins per second on SASL_PLAINTEXT (the login's cost without TLS's), each a new
# connection, beside connections with ApiVersions alone (bench/login_rate.py).
sasl_port=$(port_of SASL_PLAINTEXT)
for mode in apiversions scram oauthbearer; do
  say "login rate: $mode"
  record "logins_$mode" "$("$python" "$root/bench/login_rate.py" --port "$sasl_port" \
    --mode "$mode" --clients 4 --duration "$duration" --token-file "$oidc/token.txt")"
done

# Produce over PLAINTEXT just before and just after 5,000 ACL bindings on other topics are
# created (kafka-python's CreateAcls, as the admin): each request's checks look only at the
# bindings that can apply. (Before, not the first PLAINTEXT run: the same state of the
# server, after the login runs.)
kafka_port=${ports[PLAINTEXT]}
bench "produce_PLAINTEXT_before_acls" produce --topic bench-before-acls --partitions 6 \
  --record-size 1024 --acks 1 --duration "$duration"
say "5000 ACL bindings"
"$python" - "$sasl_port" <<'PY'
import os, sys
from kafka.admin import (ACL, ACLOperation, ACLPermissionType, KafkaAdminClient,
                         ResourcePattern, ResourceType)
admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{sys.argv[1]}",
                         security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-256",
                         sasl_plain_username="admin",
                         sasl_plain_password=os.environ["BROOK_BENCH_SASL_PASSWORD"])
for start in range(0, 5000, 500):
    acls = [ACL(f"User:user-{i}", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                ResourcePattern(ResourceType.TOPIC, f"other-topic-{i}"))
            for i in range(start, start + 500)]
    result = admin.create_acls(acls)
    assert not result["failed"], result["failed"][:3]
admin.close()
PY
bench "produce_PLAINTEXT_acls" produce --topic bench-acls --partitions 6 --record-size 1024 \
  --acks 1 --duration "$duration"
unset BROOK_BENCH_SASL_PASSWORD

# wrk_rest NAME: 8 connections of single-record v2 produce against $url, with Basic.
wrk_rest() {
  local name=$1 out
  say "wrk $url ($name)"
  out=$(wrk -t2 -c8 -d"${duration}s" --timeout 10s -H "Authorization: Basic $(printf 'admin:%s' "$password" | base64 -w0)" \
    -s "$root/bench/http/produce.lua" "$url" -- "bench-$name" binary 1 1024 2>&1) ||
    { echo "wrk failed: $out" >&2; exit 1; }
  echo "$out" >>"$work/wrk.log"
  record "$name" "$(grep '^WRK_JSON ' <<<"$out" | head -1 | cut -d' ' -f2-)"
}
wrk_rest rest_http
stop_server

start_server "${common[@]}" --http-tls true
url=https://127.0.0.1:$http_port
wrk_rest rest_https
finish_run

render_table "$duration" "$(date -u '+%Y-%m-%d %H:%M UTC')" <<'EOF'
import sys
from table import Facts, Table
facts = Facts(sys.argv[1])
duration, when = sys.argv[2], sys.argv[3]
one = facts.one
loop = one("loopback_mb_s")
print(f"Run of {when}, commit {one('commit')}, {one('machine')}; load before {one('load_before')}, after {one('load_after')}")
print()
t = Table("measurement", "figure", "baseline (same run)", "ratio")
t.baselines(facts)
plain = {}
for listener in ("PLAINTEXT", "SSL", "SASL_SSL"):
    for kind in ("produce", "consume"):
        r = one(f"{kind}_{listener}")
        if r is None:
            t.row(f"{kind} 1 KiB records over {listener}", "**failed**")
            continue
        if listener == "PLAINTEXT":
            plain[kind] = r["mb_per_s"]
        what = (f"produce 1 KiB records, acks=1, 6 partitions, {duration} s"
                if kind == "produce" else f"consume them from the beginning")
        vs = "" if listener == "PLAINTEXT" else f"; {r['mb_per_s'] / plain[kind]:.2f} of PLAINTEXT"
        err = f", {r['errors']} errors" if r["errors"] else ""
        t.row(f"{what}, {listener}", f"{r['mb_per_s']:.1f} MB/s, {r['records_per_s']:.0f} records/s{err}",
              f"{loop:.1f} MB/s loopback", f"{r['mb_per_s'] / loop:.3f}{vs}")
before = one("produce_PLAINTEXT_before_acls")
r = one("produce_PLAINTEXT_acls")
if before is not None:
    t.row(f"produce 1 KiB records, acks=1, 6 partitions, {duration} s, PLAINTEXT, just before the bindings",
          f"{before['mb_per_s']:.1f} MB/s, {before['records_per_s']:.0f} records/s",
          f"{loop:.1f} MB/s loopback", f"{before['mb_per_s'] / loop:.3f}")
if r is not None and before is not None:
    t.row(f"the same with 5,000 ACL bindings on other topics",
          f"{r['mb_per_s']:.1f} MB/s, {r['records_per_s']:.0f} records/s",
          f"{loop:.1f} MB/s loopback", f"{r['mb_per_s'] / loop:.3f}; {r['mb_per_s'] / before['mb_per_s']:.2f} of just before")
base = one("logins_apiversions")
for mode, what in (("apiversions", "connections with ApiVersions only (no login)"),
                   ("scram", "SCRAM-SHA-256 logins (handshake + 2 steps), a connection each"),
                   ("oauthbearer", "OAUTHBEARER logins (ES256 token, cached JWK Set), a connection each")):
    r = one(f"logins_{mode}")
    if r is None:
        t.row(what, "**failed**")
        continue
    fails = f", {r['failures']} failed" if r["failures"] else ""
    t.row(f"{what}, 4 Python clients, SASL_PLAINTEXT", f"{r['per_s']:.0f} /s{fails}",
          "" if mode == "apiversions" or base is None else f"{base['per_s']:.0f} connections/s",
          "" if mode == "apiversions" or base is None else f"{r['per_s'] / base['per_s']:.2f}")
def per_second(w):
    return w["requests"] / (w["duration_us"] / 1e6)
http = one("rest_http")
for name in ("rest_http", "rest_https"):
    w = one(name)
    if w is None:
        t.row(name, "**failed**")
        continue
    errors = sum(w["errors"].values())
    vs = "" if name == "rest_http" or http is None else f"{per_second(w) / per_second(http):.2f} of HTTP"
    t.row(f"REST v2 produce, 1 record of 1 KiB per request, Basic, 8 connections, "
          f"{'HTTPS' if name == 'rest_https' else 'HTTP'}",
          f"{per_second(w):.0f} requests/s, p99 {w['latency_us']['p99'] / 1000:.2f} ms, {errors} errors",
          "", vs)
EOF
cat "$table"

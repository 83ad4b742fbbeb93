#!/usr/bin/env bash
# Resident memory of a release `umctl serve`: per active call and per idle TCP / TLS connection.
#
# Calls: SIPp places CALLS_A, then CALLS_B concurrent calls to Bob (tests/sipp/uac_voicemail.xml
# with its first pause set to HOLD_MS): each hears Bob's greeting, a GREETING-second tone
# longer than the call (decoded once and shared by the calls), so every call is up at once,
# playing, and none is recording (the goal excludes the recording buffer). Connections: a
# Python client opens CONNS idle TCP connections to the call router, then CONNS idle TLS ones
# (handshake done, nothing sent), 30 per source address over 127.1.x.y (serve runs with
# --max-connections CONNS + 100; 32 per address is its default).
# Each figure is serve's VmRSS (/proc/PID/status, sampled every 0.2 s; the largest sample
# while the load is up) minus VmRSS just before the load, divided by the load.
#
# Needs: sipp (sip-tester, /usr/share/sip-tester/g711a.pcap), python3, a built umctl
# (UMCTL=path, default target/release/umctl). Binds only 127.0.0.0/8; every process it starts
# is stopped by its PID.
# Usage: [CALLS_A=100] [CALLS_B=1000] [RATE=100] [HOLD_MS=10000] [GREETING=HOLD_MS/1000+10]
#        [CONNS=1000] [UMCTL=...]
#        benches/memory.sh
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
UMCTL=${UMCTL:-$here/target/release/umctl}
. "$here/benches/sipp_lab.sh"
CALLS_A=${CALLS_A:-100}
CALLS_B=${CALLS_B:-1000}
RATE=${RATE:-100}
HOLD_MS=${HOLD_MS:-10000}
CONNS=${CONNS:-1000}
GREETING=${GREETING:-$(( HOLD_MS / 1000 + 10 ))}
SRC=127.0.10.1          # pool01.contoso.com, a UM IP gateway after grant-permissions

for tool in sipp python3 "$UMCTL"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "memory.sh: $tool not found" >&2; exit 2; }
done
[ -r /usr/share/sip-tester/g711a.pcap ] || { echo "memory.sh: no g711a.pcap" >&2; exit 2; }
# Each connection is a descriptor in serve and in the client.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $(( CONNS + 1000 )) ] || {
  echo "memory.sh: ulimit -n $(ulimit -n) is too low for CONNS=$CONNS" >&2; exit 2; }

work=$(mktemp -d)
umctl_pid="" client_pid="" sampler_pid=""
cleanup() {
  for pid in $client_pid $sampler_pid $umctl_pid; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

lab=$work/lab
sipp_lab "$UMCTL" "$lab"
tone_wav "$work/greeting.wav" "$GREETING"
"$UMCTL" --lab "$lab" lab greeting set bob "$work/greeting.wav" >/dev/null

max_calls=$(( CALLS_A > CALLS_B ? CALLS_A : CALLS_B ))
"$UMCTL" --lab "$lab" serve --ephemeral-ports --max-calls "$max_calls" \
  --max-connections $(( CONNS + 100 )) \
  --log-format json > "$work/serve.json" 2> "$work/serve.err" &
umctl_pid=$!
read -r cas mbx < <(serve_addresses "$work/serve.json")
[ -n "$cas" ] || { echo "umctl serve did not start:"; cat "$work/serve.err"; exit 1; }
read -r tcp tls < <(python3 - "$work/serve.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
x = [x for s in r["servers"] if s["name"] == "EX-CAS01" for x in s["roles"] if x["role"] == "call_router"][0]
print(x.get("tcp") or "-", x.get("tls") or "-")
PY
)

rss() { awk '/^VmRSS/ {print $2}' "/proc/$umctl_pid/status"; }
# Samples serve's VmRSS (kB) every 0.2 s into FILE until stopped.
start_sampler() {
  ( while :; do rss; sleep 0.2; done ) > "$1" 2>/dev/null &
  sampler_pid=$!
}
stop_sampler() { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""; }
peak() { sort -n "$1" | tail -1; }

settle() { sleep 2; }

calls() {
  local n=$1 out=$2
  settle
  local before; before=$(rss)
  start_sampler "$work/rss-calls-$n"
  set +e
  sipp "$cas" -sf "$here/tests/sipp/uac_voicemail.xml" -s LOC801 -key divert bob \
    -key mbx_ip "$mbx" -key codecs "8 0 101" -t u1 -max_socket 4000 \
    -i $SRC -mi $SRC -m "$n" -l "$n" -r "$RATE" -d "$HOLD_MS" -timeout 300s \
    -nostdin -trace_stat -fd 1 -stf "$work/stat-$n.csv" > "$work/sipp-$n.out" 2>&1
  local rc=$?
  set -e
  stop_sampler
  local top; top=$(peak "$work/rss-calls-$n")
  python3 - "$work/stat-$n.csv" "$n" "$before" "$top" "$rc" >> "$out" <<'PY'
import csv, sys
stat, n, before, top, rc = sys.argv[1:]
rows = list(csv.reader(open(stat), delimiter=";"))
h, last = rows[0], rows[-1]
ok = int(last[h.index("SuccessfulCall(C)")])
up = max(int(r[h.index("CurrentCall")]) for r in rows[1:])
n, before, top = int(n), int(before), int(top)
print(f"{n} calls (sipp exit {rc}, {ok} succeeded, at most {up} up at once by SIPp's 1 s samples): "
      f"VmRSS {before} kB before, {top} kB at most; {(top - before) / n:.1f} kB per call")
PY
}

conns() {
  local kind=$1 addr=$2 out=$3
  [ "$addr" = "-" ] && { echo "$kind: serve has no $kind listener" >> "$out"; return; }
  settle
  local before; before=$(rss)
  python3 - "$kind" "$addr" "$CONNS" > "$work/client-$kind.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
kind, addr, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
host, port = addr.rsplit(":", 1)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
held, failed = [], 0
for i in range(n):
    k = i // 30
    src = f"127.1.{k // 250}.{1 + k % 250}"
    s = socket.socket()
    try:
        s.bind((src, 0))
        s.connect((host, int(port)))
        if kind == "tls":
            s = ctx.wrap_socket(s)
        held.append(s)
    except OSError as e:
        failed += 1
        last = e
print(f"open {len(held)} failed {failed}" + (f" ({last})" if failed else ""), flush=True)
time.sleep(3600)
PY
  client_pid=$!
  for _ in $(seq 600); do grep -q "^open" "$work/client-$kind.out" 2>/dev/null && break; sleep 0.2; done
  sleep 2   # serve's side of the last ones
  local samples=()
  for _ in 1 2 3 4 5; do samples+=("$(rss)"); sleep 0.2; done
  local top; top=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
  local opened; opened=$(awk '/^open/ {print $2}' "$work/client-$kind.out")
  kill "$client_pid" 2>/dev/null || true
  wait "$client_pid" 2>/dev/null || true
  client_pid=""
  python3 - "$kind" "${opened:-0}" "$before" "$top" "$(cat "$work/client-$kind.out")" >> "$out" <<'PY'
import sys
kind, n, before, top, client = sys.argv[1:]
n, before, top = int(n), int(before), int(top)
per = f"{(top - before) / n:.1f} kB per connection" if n else "no connection"
print(f"{n} idle {kind.upper()} connections (client: {client.strip()}): "
      f"VmRSS {before} kB before, {top} kB held; {per}")
PY
}

report=$work/report
: > "$report"
echo "serve idle: VmRSS $(rss) kB" >> "$report"
conns tcp "$tcp" "$report"
conns tls "$tls" "$report"
calls "$CALLS_A" "$report"
calls "$CALLS_B" "$report"
cat "$report"

#!/usr/bin/env bash
# Instructions per redirect: umctl serve's UM Call Router against Kamailio (the stateless 302
# server of sip_load.sh, peers.md B.4), both under `valgrind --tool=callgrind`, driven by the
# same bounded SIPp run (tests/sipp/uac_302.xml: INVITE with Diversion -> 302 -> ACK, UDP).
# Unlike a rate, an instruction count does not move with the load of a shared machine.
#
# Both servers start with instrumentation off; it is switched on (callgrind_control, by PID)
# after a warm-up of WARM calls, for exactly CALLS calls at RATE/s, then off. Every process of
# the server counts (Kamailio runs as one with -D; umctl's threads are all counted). Prints the instructions and
# the instructions per call of each, their ratio, and the calls to malloc per call (Kamailio
# allocates from its own pools, so its figure says little).
#
# Needs: valgrind, sipp, kamailio, a built umctl (UMCTL=path, default target/release/umctl).
# Binds only 127.0.0.0/8. Every process it starts is stopped by its PID.
# Usage: [CALLS=2000] [RATE=100] [WARM=200] [UMCTL=...] [KEEP=dir for the dumps] benches/sip_callgrind.sh
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
UMCTL=${UMCTL:-$here/target/release/umctl}
. "$here/benches/sipp_lab.sh"
CALLS=${CALLS:-2000}
RATE=${RATE:-100}
WARM=${WARM:-200}
SCENARIO=$here/tests/sipp/uac_302.xml
SRC=127.0.10.1          # pool01.contoso.com, a UM IP gateway after grant-permissions
KAM_IP=127.0.0.72
OFFSET=21000            # umctl's call router on 127.0.20.1:26060

for tool in valgrind callgrind_control sipp kamailio "$UMCTL"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "sip_callgrind.sh: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d)
umctl_pid=""
kam_pid=""
cleanup() {
  [ -n "$umctl_pid" ] && kill "$umctl_pid" 2>/dev/null || true
  [ -n "$kam_pid" ] && kill "$kam_pid" 2>/dev/null || true
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

CG=(valgrind --tool=callgrind --instr-atstart=no --vgdb=yes)

# umctl: a lab where pool01 is a gateway and LOC801 takes calls over UDP/TCP.
lab=$work/lab
sipp_lab "$UMCTL" "$lab"
"${CG[@]}" --callgrind-out-file="$work/umctl.cg.%p" \
  "$UMCTL" --lab "$lab" --quiet serve --server EX-CAS01 --startup-mode tcp --port-offset $OFFSET \
  > "$work/serve.json" 2> "$work/serve.err" &
umctl_pid=$!
for _ in $(seq 600); do [ -s "$work/serve.json" ] && break; sleep 0.1; done
UMCTL_TARGET=$(sed -n 's/.*"udp":"\([^"]*\)".*/\1/p' "$work/serve.json")
[ -n "$UMCTL_TARGET" ] || { echo "umctl serve did not start:"; cat "$work/serve.err"; exit 1; }

# Kamailio with -D ("do not fork (almost)"): one process reads UDP and answers, so all its
# work per call is in one count; its PID is valgrind's.
kamailio_redirect_cfg "$KAM_IP" > "$work/redirect.cfg"
"${CG[@]}" --callgrind-out-file="$work/kam.cg.%p" \
  kamailio -f "$work/redirect.cfg" -D -E > "$work/kam.log" 2>&1 &
kam_pid=$!
sleep 5
KAM_TARGET=$KAM_IP:5060

# The PIDs of a server: the process and its descendants.
tree() {
  local pid=$1
  echo "$pid"
  for child in $(pgrep -P "$pid" || true); do tree "$child"; done
}

# `load TARGET CALLS PORT`: one SIPp run; prints "ok failed retrans".
load() {
  local target=$1 calls=$2 port=$3 dir=$work/sipp-$3
  mkdir -p "$dir"
  (cd "$dir" && sipp "$target" -sf "$SCENARIO" -s LOC801 -key divert bob \
      -i $SRC -p "$port" -ci $SRC -cp $((port + 1)) \
      -r "$RATE" -m "$calls" -l 60000 -recv_timeout 10000 \
      -timeout $((calls / RATE * 4 + 60))s -nostdin -trace_stat -stf st.csv -fd 1 \
      >/dev/null 2>&1) || true
  python3 - "$dir/st.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
head, last = rows[0], rows[-1]
print(*(int(last[head.index(n)]) for n in ('SuccessfulCall(C)', 'FailedCall(C)', 'Retransmissions(C)')))
PY
}

# `measure NAME PID TARGET PORT`: warm-up, then CALLS calls counted; prints the result line.
measure() {
  local name=$1 pid=$2 target=$3 port=$4
  load "$target" "$WARM" "$port" >/dev/null
  sleep 2
  local pids
  pids=$(tree "$pid")
  for p in $pids; do callgrind_control -i on "$p" >/dev/null 2>&1 || true; done
  local result
  result=$(load "$target" "$CALLS" $((port + 2)))
  sleep 2
  for p in $pids; do callgrind_control -i off "$p" >/dev/null 2>&1 || true; done
  for p in $pids; do callgrind_control --dump="$name" "$p" >/dev/null 2>&1 || true; done
  sleep 2
  [ -z "${KEEP:-}" ] || cp "$work/$name".cg.* "$KEEP/"
  echo "$name $result $(counts "$work/$name".cg.*)"
}

# `counts FILE...`: the instructions and the calls to malloc/calloc/realloc (glibc's or
# jemalloc's) recorded in callgrind dumps (function names are compressed: "(id) name" once,
# "(id)" after).
counts() {
  python3 - "$@" <<'PY'
import re, sys
# glibc's entry points, and jemalloc's (umctl's allocator: tikv-jemallocator calls these).
ALLOCATORS = {"malloc", "calloc", "realloc", "_rjem_malloc", "_rjem_calloc", "_rjem_realloc",
              "_rjem_mallocx", "_rjem_rallocx"}
ir = allocs = 0
for path in sys.argv[1:]:
    names, callee, total = {}, None, {}
    for line in open(path, errors="replace"):
        if line.startswith(("summary:", "totals:")):
            total[line.split(":")[0]] = int(line.split()[1])
        elif line.startswith(("fn=", "cfn=")):
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line.strip())
            if m and m.group(2):
                names[m.group(1)] = m.group(2)
            if line.startswith("cfn="):
                callee = names.get(m.group(1)) if m else None
        elif line.startswith("calls=") and callee in ALLOCATORS:
            allocs += int(line.split("=")[1].split()[0])
    ir += total.get("totals") or total.get("summary", 0)
print(ir, allocs)
PY
}

printf "%-8s %6s %6s %7s %14s %12s %12s\n" server ok failed retrans instructions per-call mallocs/call
u=$(measure umctl "$umctl_pid" "$UMCTL_TARGET" 31000)
k=$(measure kam "$kam_pid" "$KAM_TARGET" 31100)
python3 - "$u" "$k" "$CALLS" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
(u, k, calls, load) = sys.argv[1:]
per = {}
for line in (u, k):
    name, ok, failed, retrans, ir, allocs = line.split()
    per[name] = int(ir) / int(calls)
    print(f"{name:8} {int(ok):6} {int(failed):6} {int(retrans):7} {int(ir):14,} {per[name]:12,.0f} {int(allocs) / int(calls):12.1f}")
print(f"instructions per call, umctl/kamailio: {per['umctl'] / per['kam']:.2f} (load average {load})")
PY

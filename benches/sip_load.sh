#!/usr/bin/env bash
# Call-router redirects per second: umctl serve's UM Call Router against Kamailio (a stateless
# 302 server, peers.md B.4), in the same run, with the same SIPp load
# (tests/sipp/uac_302_or_503.xml: INVITE with Diversion -> 302 -> ACK, over UDP; a 503 is
# ACKed too and counts as a failed call here). The rate steps up (RATES, each for DURATION
# seconds, umctl then Kamailio at each rate); a step is clean when no call failed, SIPp
# retransmitted under 1% of the calls' messages (issue 17's definition) and the server kept up
# (calls answered / wall time of the step >= 95% of the rate). Prints each step and the highest
# clean rate of each server, and their ratio. RUNS=N repeats the whole range N times
# (alternating umctl, Kamailio, umctl, ... at every step) and ends with each run's highest clean
# rates, the median of each server and the ratio of the medians.
#
# Not the same work: Kamailio answers every INVITE with a fixed Contact; umctl admits the
# caller as a UM IP gateway, finds the hunt group, the dial plan, the diverted user by EUM proxy
# and its mailbox server in the lab directory (for the first INVITE; the decision is then kept
# until the lab forest changes), keeps an RFC 3261 transaction, and builds Exchange's Contact.
# README's figures: RATES="3000 4000 5000 6000 7000 8000 10000" DURATION=10, three runs.
#
# Overload phase (after the steps): each server is offered OVERLOAD_FACTOR (2) times its own
# highest clean rate for OVERLOAD_SECS (10) seconds with tests/sipp/uac_302_or_503.xml, where
# a 503 (shed, with Retry-After) is an answer too. Goodput is the 302s per second of the
# phase, also as a share of the server's clean rate (issue 17's goal for umctl: 90% or more);
# 503s, failed calls and retransmissions are printed beside it.
#
# Needs: sipp (sip-tester), kamailio (apt-get install -y --no-install-recommends kamailio),
# a built umctl (UMCTL=path, default target/release/umctl). Binds only 127.0.0.0/8.
# OVERLOAD_SECS=0 skips the overload phase (after several RUNS it uses the medians).
# Before the first run each server gets WARMUP (6) seconds at the first of RATES, not counted:
# a freshly started serve answers its first seconds of load more slowly (its heap grows to hold
# some 5 s of transactions), which made the first step of a run fail where later, higher steps
# were clean (transactions live some 5 s after their ACK, hence 6 s). WARMUP=0 skips it.
# CLEAN_RATE=N skips the steps: the overload phase alone, both servers offered
# OVERLOAD_FACTOR * N (after the warm-up at the first of RATES). SERVE_ARGS adds options to
# umctl serve (e.g. "--max-pending-requests 1536").
# Usage: [RATES="1000 2000 4000 8000"] [DURATION=5] [RUNS=1] [WARMUP=6] [OVERLOAD_FACTOR=2]
#        [OVERLOAD_SECS=10] [CLEAN_RATE=N] [SERVE_ARGS=...] [SIPP_BUFFER_BYTES=4194304] [UMCTL=...]
#        benches/sip_load.sh
# Issue 17's figure: RUNS=5 RATES="26000 28000 30000 32000 34000 36000" DURATION=5 OVERLOAD_SECS=10
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
UMCTL=${UMCTL:-$here/target/release/umctl}
. "$here/benches/sipp_lab.sh"
RATES=${RATES:-"1000 2000 4000 8000"}
DURATION=${DURATION:-5}
RUNS=${RUNS:-1}
WARMUP=${WARMUP:-6}
OVERLOAD_FACTOR=${OVERLOAD_FACTOR:-2}
OVERLOAD_SECS=${OVERLOAD_SECS:-10}
# 302 or 503: a shed call is ACKed (left un-ACKed, its 503 would be retransmitted for 32 s).
SCENARIO=$here/tests/sipp/uac_302_or_503.xml
SRC=127.0.10.1          # pool01.contoso.com, a UM IP gateway after grant-permissions
# SIPp's socket buffers (both servers alike): with the default (rmem_default, ~200 KB) SIPp's own
# socket dropped responses it read too slowly (1,066 drops in a 24,000/s step, the server's
# socket none), and each drop was a retransmission charged to the server. 4 MB is what the
# servers ask for; the kernel caps it at net.core.rmem_max (4 MB on this machine).
SIPP_BUFFER="-buff_size ${SIPP_BUFFER_BYTES:-4194304}"
KAM_IP=127.0.0.70
OFFSET=20000            # umctl's call router on 127.0.20.1:25060

for tool in sipp kamailio "$UMCTL"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "sip_load.sh: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d)
umctl_pid=""
kam_pid_file=$work/kam.pid
cleanup() {
  [ -n "$umctl_pid" ] && kill "$umctl_pid" 2>/dev/null || true
  [ -s "$kam_pid_file" ] && kill "$(cat "$kam_pid_file")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

# umctl: a lab where pool01 is a gateway and LOC801 takes calls over UDP/TCP.
lab=$work/lab
sipp_lab "$UMCTL" "$lab"
"$UMCTL" --lab "$lab" --quiet serve --server EX-CAS01 --startup-mode tcp --port-offset $OFFSET ${SERVE_ARGS:-} \
  > "$work/serve.json" 2> "$work/serve.err" &
umctl_pid=$!
for _ in $(seq 100); do [ -s "$work/serve.json" ] && break; sleep 0.1; done
UMCTL_TARGET=$(sed -n 's/.*"udp":"\([^"]*\)".*/\1/p' "$work/serve.json")
[ -n "$UMCTL_TARGET" ] || { echo "umctl serve did not start:"; cat "$work/serve.err"; exit 1; }

# Kamailio: the minimal stateless redirect server of peers.md B.4.
kamailio_redirect_cfg "$KAM_IP" > "$work/redirect.cfg"
kamailio -f "$work/redirect.cfg" -P "$kam_pid_file" -E > "$work/kam.log" 2>&1
sleep 1
KAM_TARGET=$KAM_IP:5060

# One step: prints "target rate calls ok failed shed503 retrans seconds achieved clean" (failed
# includes the calls shed with 503).
step() {
  local name=$1 target=$2 rate=$3 port=$4
  local calls=$((rate * DURATION))
  local dir=$work/$name-$rate-$port   # one per step (ports are never reused in a run)
  mkdir -p "$dir"
  local start end
  start=$(date +%s.%N)
  (cd "$dir" && sipp "$target" -sf "$SCENARIO" -s LOC801 -key divert bob \
      -i $SRC -p "$port" -ci $SRC -cp $((port + 1)) \
      -r "$rate" -m "$calls" -l 60000 -recv_timeout 4000 -max_recv_loops 10000 $SIPP_BUFFER \
      -timeout $((DURATION * 4 + 20))s -nostdin -trace_stat -stf st.csv -trace_counts -fd 1 \
      >/dev/null 2>&1) || true
  end=$(date +%s.%N)
  python3 - "$dir" "$name" "$rate" "$calls" "$start" "$end" "$DURATION" <<'PY'
import csv, glob, sys
d, name, rate, calls, start, end, duration = sys.argv[1:]
rows = list(csv.reader(open(f"{d}/st.csv"), delimiter=';'))
head, last = rows[0], rows[-1]
col = lambda n: int(last[head.index(n)])
counts = list(csv.reader(open(glob.glob(f"{d}/*_counts.csv")[0]), delimiter=';'))
shed = sum(int(counts[-1][i]) for i, h in enumerate(counts[0]) if h.endswith("_503_Recv"))
# A shed call (503) is a failed one here.
ok, failed, retrans = col('SuccessfulCall(C)') - shed, col('FailedCall(C)') + shed, col('Retransmissions(C)')
secs = float(end) - float(start)
total = ok + failed
achieved = ok / secs if secs else 0
# Each call sends INVITE and ACK: retransmissions under 1% of those messages.
clean = total >= int(calls) and failed == 0 and retrans < 0.01 * 2 * total and achieved >= 0.95 * int(rate)
print(f"{name:8} {int(rate):6} {int(calls):7} {ok:7} {failed:6} {shed:7} {retrans:7} {secs:6.1f} {achieved:9.0f} {'clean' if clean else 'over'}")
PY
}

port=30000
if [ "$WARMUP" -gt 0 ]; then
  first_rate=${RATES%% *}
  echo "warm-up, not counted: $WARMUP s at $first_rate/s each"
  for who in umctl kamailio; do
    if [ $who = umctl ]; then target=$UMCTL_TARGET; else target=$KAM_TARGET; fi
    DURATION=$WARMUP step "$who" "$target" "$first_rate" $port
    port=$((port + 2))
    sleep 2
  done
  echo
fi
runs_umctl=(); runs_kam=()
# CLEAN_RATE=N: no steps; the overload phase alone, offered OVERLOAD_FACTOR * N to both servers.
[ -n "${CLEAN_RATE:-}" ] && RUNS=0
for run in $(seq "$RUNS"); do
  echo "run $run of $RUNS (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  printf "%-8s %6s %7s %7s %6s %7s %7s %6s %9s %s\n" server rate calls ok failed shed503 retrans secs achieved verdict
  best_umctl=0; best_kam=0
  for rate in $RATES; do
    for who in umctl kamailio; do
      if [ $who = umctl ]; then target=$UMCTL_TARGET; else target=$KAM_TARGET; fi
      line=$(step $who "$target" "$rate" $port)
      port=$(( port >= 59000 ? 30000 : port + 2 ))
      echo "$line"
      if [[ $line == *" clean" ]] && [ "$rate" -gt "$( [ $who = umctl ] && echo $best_umctl || echo $best_kam)" ]; then
        if [ $who = umctl ]; then best_umctl=$rate; else best_kam=$rate; fi
      fi
      sleep 2   # let UDP transactions of the step drain
    done
  done
  echo "run $run highest clean rate: umctl $best_umctl/s, kamailio $best_kam/s"
  echo
  runs_umctl+=("$best_umctl"); runs_kam+=("$best_kam")
done
# The median of each server over the runs (the middle run; the mean of the two middle ones for
# an even count), and the ratio of the medians.
if [ -n "${CLEAN_RATE:-}" ]; then
  best_umctl=$CLEAN_RATE; best_kam=$CLEAN_RATE
else
summary=$(python3 - "${runs_umctl[*]}" "${runs_kam[*]}" <<'PY'
import statistics, sys
u, k = ([int(x) for x in a.split()] for a in sys.argv[1:3])
for n, (a, b) in enumerate(zip(u, k), 1):
    print(f"run {n}: umctl {a}/s, kamailio {b}/s")
mu, mk = statistics.median(u), statistics.median(k)
print(f"median highest clean rate over {len(u)} run(s): umctl {mu:.0f}/s, kamailio {mk:.0f}/s")
print(f"ratio umctl/kamailio (medians): {mu / mk:.2f}" if mk else "ratio: kamailio had no clean rate")
print(int(mu), int(mk))
PY
)
echo "$summary" | sed '$d'
read -r best_umctl best_kam <<< "$(echo "$summary" | tail -n 1)"
fi

# The kernel's count of datagrams dropped at the UDP socket bound to IP:PORT (a full receive
# buffer), from /proc/net/udp (which writes the address as little-endian hex); 0 when there is
# no such socket.
udp_drops() {
  local ip=${1%:*} port=${1##*:} a b c d
  IFS=. read -r a b c d <<< "$ip"
  local hex
  hex=$(printf '%02X%02X%02X%02X:%04X' "$d" "$c" "$b" "$a" "$port")
  awk -v local="$hex" 'NR > 1 && $2 == local { n += $NF } END { print n + 0 }' /proc/net/udp
}

# Overload: prints "target rate calls ok302 shed503 failed retrans seconds placed goodput share
# drops-at-server drops-at-SIPp". Placed is the calls SIPp started per second of the phase
# (what it really offered); the drops are datagrams the kernel dropped at each side's full
# socket during the phase (SIPp's sampled every 0.5 s while it runs).
overload() {
  local name=$1 target=$2 clean=$3 port=$4
  local rate=$((clean * OVERLOAD_FACTOR)) calls=$((clean * OVERLOAD_FACTOR * OVERLOAD_SECS))
  local dir=$work/overload-$name
  mkdir -p "$dir"
  local start end server_drops sipp_drops=0 now
  server_drops=$(udp_drops "$target")
  start=$(date +%s.%N)
  (cd "$dir" && sipp "$target" -sf "$here/tests/sipp/uac_302_or_503.xml" -s LOC801 \
      -key divert bob -i $SRC -p "$port" -ci $SRC -cp $((port + 1)) \
      -r "$rate" -m "$calls" -l 60000 -recv_timeout 4000 -max_recv_loops 10000 $SIPP_BUFFER \
      -timeout $((OVERLOAD_SECS * 4 + 20))s -nostdin -trace_stat -stf st.csv -trace_counts \
      -fd 1 >/dev/null 2>&1) &
  local sipp_pid=$!
  while kill -0 "$sipp_pid" 2>/dev/null; do
    now=$(udp_drops "$SRC:$port")
    [ "$now" -gt "$sipp_drops" ] && sipp_drops=$now
    sleep 0.5
  done
  wait "$sipp_pid" || true
  end=$(date +%s.%N)
  server_drops=$(( $(udp_drops "$target") - server_drops ))
  python3 - "$dir" "$name" "$rate" "$calls" "$clean" "$start" "$end" "$server_drops" "$sipp_drops" <<'PY'
import csv, glob, sys
d, name, rate, calls, clean, start, end, server_drops, sipp_drops = sys.argv[1:]
rows = list(csv.reader(open(f"{d}/st.csv"), delimiter=';'))
head, last = rows[0], rows[-1]
col = lambda n: int(last[head.index(n)])
failed, retrans = col('FailedCall(C)'), col('Retransmissions(C)')
counts = list(csv.reader(open(glob.glob(f"{d}/*_counts.csv")[0]), delimiter=';'))
ch, cl = counts[0], counts[-1]
recv = lambda code: sum(int(cl[i]) for i, h in enumerate(ch) if h.endswith(f"_{code}_Recv"))
ok, shed = recv(302), recv(503)
secs = float(end) - float(start)
goodput = ok / secs if secs else 0
placed = col('TotalCallCreated') / secs if secs else 0
print(f"{name:8} {int(rate):6} {int(calls):7} {ok:7} {shed:7} {failed:6} {retrans:7} {secs:6.1f} "
      f"{placed:7.0f} {goodput:8.0f} {goodput / int(clean):6.0%} {int(server_drops):8} {int(sipp_drops):8}")
PY
}

[ "$OVERLOAD_SECS" -gt 0 ] || exit 0
echo
echo "overload: ${OVERLOAD_FACTOR}x each server's highest clean rate for ${OVERLOAD_SECS} s"
printf "%-8s %6s %7s %7s %7s %6s %7s %6s %7s %8s %6s %8s %8s\n" server rate calls ok302 shed503 failed \
  retrans secs placed goodput share drops@sv drops@sp
for who in umctl kamailio; do
  if [ $who = umctl ]; then target=$UMCTL_TARGET; clean=$best_umctl; else target=$KAM_TARGET; clean=$best_kam; fi
  if [ "$clean" -gt 0 ]; then
    overload $who "$target" "$clean" $port
  else
    echo "$who: no clean rate, no overload phase"
  fi
  port=$((port + 2))
  sleep 2
done

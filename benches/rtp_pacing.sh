#!/usr/bin/env bash
# The worker's RTP pacing on the wire under load: tshark captures on loopback what EX-MBX02's
# UM worker sends while SIPp places CALLS concurrent calls to Bob (tests/sipp/uac_voicemail.xml:
# both 302s, the worker's 200, then g711a.pcap as the message). Bob's greeting is a GREETING-
# second 440 Hz tone, so each call's worker stream is mostly greeting. For every RTP stream
# (by SSRC), the intervals between packets that follow each other (sequence +1, timestamp
# +160) are compared with 20 ms; reports their p50/p99/max deviation and mean, over all calls,
# and the deviation of each packet from its stream's own 20 ms schedule (absolute deadlines:
# capture time minus first packet minus RTP timestamp / 8000, less the stream's smallest).
#
# Also: voice mails delivered into Bob's Maildir (every call leaves one), serve's CPU (utime +
# stime from /proc/<pid>/stat from the first call to the last delivery, as average cores), the
# load average before and after (the machine may be shared), and a verdict against issue 17's
# goal: all delivered, on the wire p99 < 2 ms and max < 10 ms (schedule deviation), < 1.5 cores.
# (CALLS=1000 RATE=100 GREETING=8: all 1,000 calls are up at once for about 0.5 s.)
#
# Needs: sipp (sip-tester, /usr/share/sip-tester/g711a.pcap), tshark (as root, peers.md B.3),
# python3, a built umctl (UMCTL=path, default target/release/umctl). Binds only 127.0.0.0/8.
# Usage: [CALLS=50] [RATE=50] [GREETING=8] [UMCTL=...] benches/rtp_pacing.sh
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
UMCTL=${UMCTL:-$here/target/release/umctl}
. "$here/benches/sipp_lab.sh"
CALLS=${CALLS:-50}
RATE=${RATE:-50}
GREETING=${GREETING:-8}
SRC=127.0.10.1          # pool01.contoso.com, a UM IP gateway after grant-permissions

for tool in sipp tshark python3 "$UMCTL"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "rtp_pacing.sh: $tool not found" >&2; exit 2; }
done
[ -r /usr/share/sip-tester/g711a.pcap ] || { echo "rtp_pacing.sh: no g711a.pcap" >&2; exit 2; }

work=$(mktemp -d)
umctl_pid="" tshark_pid=""
cleanup() {
  [ -n "$tshark_pid" ] && kill -INT "$tshark_pid" 2>/dev/null || true
  [ -n "$umctl_pid" ] && kill "$umctl_pid" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

lab=$work/lab
sipp_lab "$UMCTL" "$lab"
tone_wav "$work/greeting.wav" "$GREETING"
"$UMCTL" --lab "$lab" lab greeting set bob "$work/greeting.wav" >/dev/null

"$UMCTL" --lab "$lab" serve --ephemeral-ports --startup-mode tcp --max-calls "$CALLS" \
  --log-format json > "$work/serve.json" 2> "$work/serve.err" &
umctl_pid=$!
read -r cas mbx < <(serve_addresses "$work/serve.json")
[ -n "$cas" ] || { echo "umctl serve did not start:"; cat "$work/serve.err"; exit 1; }

# peers.md B.3: wait for "Capturing on" before sending; stop it by its PID (SIGINT).
tshark -i lo -B 64 -f "udp and src host $mbx and dst host $SRC" -w "$work/worker.pcapng" \
  2> "$work/tshark.err" &
tshark_pid=$!
for _ in $(seq 200); do grep -q "Capturing on" "$work/tshark.err" && break; sleep 0.1; done
grep -q "Capturing on" "$work/tshark.err" || { echo "tshark did not start:"; cat "$work/tshark.err"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$umctl_pid/stat"; }
hz=$(getconf CLK_TCK)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N); c0=$(cpu_ticks)
set +e
sipp "$cas" -sf "$here/tests/sipp/uac_voicemail.xml" -s LOC801 -key divert bob \
  -key mbx_ip "$mbx" -key codecs "8 0 101" -t u1 -max_socket 4000 \
  -i $SRC -mi $SRC -m "$CALLS" -l "$CALLS" -r "$RATE" -d $(( GREETING * 1000 + 500 )) -timeout 180s \
  -nostdin -trace_stat -fd 1 -stf "$work/stat.csv" > "$work/sipp.out" 2>&1
sipp_rc=$?
set -e
# Wait for the deliveries (at most 30 s after the last BYE).
new=$lab/mailboxes/bob/Maildir/new
for _ in $(seq 300); do
  [ "$(find "$new" -type f 2>/dev/null | wc -l)" -ge "$CALLS" ] && break
  sleep 0.1
done
t1=$(date +%s.%N); c1=$(cpu_ticks)
# The pacing thread's own CPU (serve/pacer.rs names it umctl-rtp-pacer).
pacer_ticks=0
for task in /proc/$umctl_pid/task/*; do
  [ "$(cat "$task/comm" 2>/dev/null)" = umctl-rtp-pacer ] && pacer_ticks=$(awk '{print $14 + $15}' "$task/stat")
done
delivered=$(find "$new" -type f 2>/dev/null | wc -l)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
kill -INT "$tshark_pid"; wait "$tshark_pid" 2>/dev/null || true; tshark_pid=""

tshark -r "$work/worker.pcapng" --enable-heuristic rtp_udp -Y rtp -T fields -E separator=, \
  -e frame.time_epoch -e rtp.ssrc -e rtp.seq -e rtp.timestamp > "$work/rtp.csv" 2> "$work/tshark-read.err"
python3 - "$work/rtp.csv" "$work/stat.csv" "$CALLS" "$sipp_rc" "$GREETING" "$work/serve.err" \
  "$delivered" "$t0" "$t1" "$c0" "$c1" "$hz" "$load0" "$load1" "$pacer_ticks" <<'PY'
import csv, json, sys
from collections import defaultdict
rtp, stat, calls, rc, greeting, err, delivered, w0, w1, c0, c1, hz, load0, load1, pacer = sys.argv[1:]
streams = defaultdict(list)
for row in csv.reader(open(rtp)):
    if len(row) == 4 and row[0]:
        streams[row[1]].append((float(row[0]), int(row[2]), int(row[3])))
# The RTP heuristic can take a stray UDP datagram for a one-packet "stream": ignore those.
streams = {k: v for k, v in streams.items() if len(v) >= 10}
intervals, schedule = [], []
for pkts in streams.values():
    pkts.sort()
    for (t0, s0, ts0), (t1, s1, ts1) in zip(pkts, pkts[1:]):
        if s1 == (s0 + 1) % 65536 and ts1 == (ts0 + 160) % 2**32:
            intervals.append((t1 - t0) * 1000)
    t0, _, ts0 = pkts[0]
    offs = [((t - t0) - ((ts - ts0) % 2**32) / 8000) * 1000 for t, _, ts in pkts]
    base = min(offs)
    schedule += [o - base for o in offs]
ok = failed = peak = 0
elapsed = "?"
rows = list(csv.reader(open(stat), delimiter=";"))
if len(rows) >= 2:
    h, last = rows[0], rows[-1]
    ok = int(last[h.index("SuccessfulCall(C)")])
    failed = int(last[h.index("FailedCall(C)")])
    elapsed = last[h.index("ElapsedTime(C)")]
    # SIPp's calls in progress at each statistics line (-fd 1: every second).
    peak = max(int(r[h.index("CurrentCall")]) for r in rows[1:])
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, round((len(v) - 1) * p / 100))] if v else float("nan")
dev = [abs(i - 20) for i in intervals]
print(f"calls: {calls} placed, {ok} succeeded, {failed} failed (sipp exit {rc}); greeting {greeting} s; "
      f"most calls up at once (SIPp, each second): {peak}; SIPp ran {elapsed}")
print(f"voice mails delivered: {delivered}")
wall = float(w1) - float(w0)
cores = (int(c1) - int(c0)) / int(hz) / wall
print(f"serve CPU: {(int(c1) - int(c0)) / int(hz):.1f} s over {wall:.1f} s wall = {cores:.2f} cores on average "
      f"(the pacing thread: {int(pacer) / int(hz):.1f} s)")
print(f"load average (1, 5, 15 min): {load0} before, {load1} after")
sizes = sorted(map(len, streams.values()))
print(f"tshark: {len(streams)} worker RTP streams (SSRCs; packets each: min {sizes[0] if sizes else 0}, "
      f"median {pct(sizes, 50) if sizes else 0}, max {sizes[-1] if sizes else 0}), "
      f"{sum(sizes)} packets, {len(intervals)} intervals")
if intervals:
    print(f"interval mean {sum(intervals) / len(intervals):.3f} ms; deviation from 20 ms: "
          f"p50 {pct(dev, 50):.3f} ms, p99 {pct(dev, 99):.3f} ms, max {max(dev):.3f} ms")
    print(f"deviation from each stream's 20 ms schedule: p50 {pct(schedule, 50):.3f} ms, "
          f"p99 {pct(schedule, 99):.3f} ms, max {max(schedule):.3f} ms")
# serve's own measurement: each call's media log line (p99 of its packets' send deviation).
p99s, maxes = [], []
for line in open(err):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    if "media" in j:
        p99s.append(j["media"]["send_deviation_p99_ms"])
        maxes.append(j["media"]["send_deviation_max_ms"])
if p99s:
    print(f"serve's media log: {len(p99s)} calls; per-call send deviation p99: median {pct(p99s, 50):.1f} ms, "
          f"95th percentile of calls {pct(p99s, 95):.1f} ms, worst {max(p99s):.1f} ms; "
          f"largest single deviation {max(maxes):.1f} ms")
if schedule:
    p99, top = pct(schedule, 99), max(schedule)
    met = int(delivered) == int(calls) and p99 < 2 and top < 10 and cores < 1.5
    print(f"issue 17 goal (all {calls} delivered, wire p99 < 2 ms, max < 10 ms, < 1.5 cores): "
          f"{'met' if met else 'NOT met'} (delivered {delivered}, p99 {p99:.3f} ms, max {top:.3f} ms, "
          f"{cores:.2f} cores)")
PY

#!/usr/bin/env bash
# Concurrent answered calls: SIPp places CALLS calls to Bob (both 302s, then the worker), each
# hears Bob's greeting (beep.wav, 0.4 s, set with `umctl lab greeting set`) and the beep, and
# speaks g711a.pcap (7.08 s) as the message (tests/sipp/uac_voicemail.xml), so all calls are
# up at once for several seconds while umctl plays and records. Reports: calls that
# succeeded, voice mails delivered into bob's lab Maildir, serve's CPU (utime+stime from
# /proc/<pid>/stat over the run, in % of one core) and peak RSS, and the RTP send deviation
# from the 20 ms deadlines (each call's p99 and max, from serve's media log lines).
#
# The issue's goal is 500 concurrent calls on one mailbox server (EX-MBX02, where the lab's
# LOC801 call-answering users live; its two workers share them): serve runs with
# --max-calls CALLS (Exchange's MaxCallsAllowed stops at 200; serve accepts up to 1000 for
# this), all calls go to Bob, so CALLS voice mails land in his Maildir.
#
# Needs: sipp (sip-tester, with /usr/share/sip-tester/g711a.pcap), python3, a built umctl
# (UMCTL=path, default target/release/umctl). Binds only 127.0.0.0/8.
# Usage: [CALLS=200] [RATE=50] [UMCTL=...] benches/voicemail_load.sh
# (CALLS=500 RATE=100: all 500 calls are placed in 5 s and each lasts ~9.5 s, so all are up
# at once.)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
UMCTL=${UMCTL:-$here/target/release/umctl}
. "$here/benches/sipp_lab.sh"
CALLS=${CALLS:-200}
RATE=${RATE:-50}
SRC=127.0.10.1          # pool01.contoso.com, a UM IP gateway after grant-permissions

for tool in sipp python3 "$UMCTL"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "voicemail_load.sh: $tool not found" >&2; exit 2; }
done
[ -r /usr/share/sip-tester/g711a.pcap ] || { echo "voicemail_load.sh: no g711a.pcap" >&2; exit 2; }

work=$(mktemp -d)
umctl_pid=""
cleanup() {
  [ -n "$umctl_pid" ] && kill "$umctl_pid" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

lab=$work/lab
sipp_lab "$UMCTL" "$lab"
"$UMCTL" --lab "$lab" lab greeting set bob "$here/fixtures/prompts/beep.wav" >/dev/null

"$UMCTL" --lab "$lab" serve --ephemeral-ports --startup-mode tcp --max-calls "$CALLS" \
  --log-format json > "$work/serve.json" 2> "$work/serve.err" &
umctl_pid=$!
read -r cas mbx < <(serve_addresses "$work/serve.json")
[ -n "$cas" ] || { echo "umctl serve did not start:"; cat "$work/serve.err"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$umctl_pid/stat"; }
hz=$(getconf CLK_TCK)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N); c0=$(cpu_ticks)

set +e
sipp "$cas" -sf "$here/tests/sipp/uac_voicemail.xml" -s LOC801 -key divert bob \
  -key mbx_ip "$mbx" -key codecs "8 0 101" -t u1 -max_socket 2000 \
  -i $SRC -mi $SRC -m "$CALLS" -l "$CALLS" -r "$RATE" -d 2000 -timeout 120s \
  -nostdin -trace_stat -fd 1 -stf "$work/stat.csv" -trace_err -error_file "$work/errors.log" \
  > "$work/sipp.out" 2>&1
sipp_rc=$?
set -e

# Wait for the deliveries (at most 30 s after the last BYE).
new=$lab/mailboxes/bob/Maildir/new
for _ in $(seq 300); do
  n=$(find "$new" -type f 2>/dev/null | wc -l)
  [ "$n" -ge "$CALLS" ] && break
  sleep 0.1
done
t1=$(date +%s.%N); c1=$(cpu_ticks)
delivered=$(find "$new" -type f 2>/dev/null | wc -l)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
rss=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$umctl_pid/status")

python3 - "$work/serve.err" "$work/stat.csv" "$CALLS" "$delivered" "$sipp_rc" \
  "$t0" "$t1" "$c0" "$c1" "$hz" "$rss" "$load0" "$load1" <<'PY'
import csv, json, sys
err, stat, calls, delivered, rc, t0, t1, c0, c1, hz, rss, load0, load1 = sys.argv[1:]
media = []
for line in open(err):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    if "media" in j:
        media.append(j["media"])
ok = failed = peak = 0
rows = list(csv.reader(open(stat), delimiter=";"))
if len(rows) >= 2:
    h, last = rows[0], rows[-1]
    ok = int(last[h.index("SuccessfulCall(C)")])
    failed = int(last[h.index("FailedCall(C)")])
    # SIPp's calls in progress at each statistics line (-fd, default every 60 s: see below).
    peak = max(int(r[h.index("CurrentCall")]) for r in rows[1:])
wall = float(t1) - float(t0)
cpu = (int(c1) - int(c0)) / int(hz)
p99s = sorted(m["send_deviation_p99_ms"] for m in media)
maxes = [m["send_deviation_max_ms"] for m in media]
def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else float("nan")
print(f"calls: {calls} placed, {ok} succeeded, {failed} failed (sipp exit {rc}); "
      f"most calls up at once (SIPp, sampled each second): {peak}")
print(f"voice mails delivered: {delivered}")
print(f"load average (1, 5, 15 min): {load0} before, {load1} after")
print(f"serve CPU: {cpu:.1f} s over {wall:.1f} s wall = {100 * cpu / wall:.0f}% of one core; peak RSS {rss}")
print(f"calls with media figures: {len(media)}; recorded {sum(m['recorded_seconds'] for m in media):.0f} s in all")
print(f"RTP send deviation from the 20 ms deadlines, per-call p99: median {pct(p99s, 50):.1f} ms, "
      f"95th percentile of calls {pct(p99s, 95):.1f} ms, worst call {pct(p99s, 100):.1f} ms; largest single deviation {max(maxes or [float('nan')]):.1f} ms; "
      f"packets dropped after stalls: {sum(m['send_dropped'] for m in media)}")
PY

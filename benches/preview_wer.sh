#!/usr/bin/env bash
# Voice Mail Preview accuracy through serve: every utterance is a real voice message. SIPp
# calls Bob (both 302s, the worker), hears his 0.2 s greeting and the beep, and speaks the
# utterance (A-law RTP from benches/preview_pcap.py); serve --preview transcribes the
# delivered message. Utterances: SENTENCES voice-mail sentences in flite's `rms` and `slt`
# voices, and the five real human recordings of pocketsphinx-testdata (librivox). serve runs
# with --preview-threshold 0 so every transcript is in its message with its confidence; the
# threshold is then applied here (THRESHOLD, default 0.6, serve's default).
#
# Reports, per set and in all: messages, word error rate (WER) of all transcripts, the share
# shown (confidence >= THRESHOLD), the WER of those shown, and decoder CPU per second of
# audio (serve's log line per preview: the decoder thread's CPU time).
#
# Needs: sipp, flite, python3, pocketsphinx-en-us, pocketsphinx-testdata, and umctl built
# with the preview feature (UMCTL=path, default target/debug/umctl after
# `cargo build --features preview`). Binds only 127.0.0.0/8. Sequential calls, ~8 s each.
# Usage: [VOICES="rms slt"] [SENTENCES=20] [THRESHOLD=0.6] [UMCTL=...] benches/preview_wer.sh
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
UMCTL=${UMCTL:-$here/target/debug/umctl}
. "$here/benches/sipp_lab.sh"
VOICES=${VOICES:-rms slt}
SENTENCES=${SENTENCES:-20}
THRESHOLD=${THRESHOLD:-0.6}
SRC=127.0.10.1          # pool01.contoso.com, a UM IP gateway after grant-permissions
TESTDATA=/usr/share/pocketsphinx/test/data/librivox

for tool in sipp flite python3 "$UMCTL"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "preview_wer.sh: $tool not found" >&2; exit 2; }
done
[ -r "$TESTDATA/transcription" ] || { echo "preview_wer.sh: no pocketsphinx-testdata" >&2; exit 2; }

work=$(mktemp -d)
umctl_pid=""
cleanup() {
  [ -n "$umctl_pid" ] && kill "$umctl_pid" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT

# Voice-mail sentences (no digits: the reference is the text as written).
cat > "$work/sentences" <<'TXT'
Hi Bob, this is Alice. Please call me back about the budget meeting tomorrow morning.
I am running late for our appointment, I should be there in about twenty minutes.
This is the pharmacy calling to let you know your prescription is ready for pickup.
Can you send me the latest version of the report before the end of the day?
Hello, it is your mother, give me a call when you get a chance.
The delivery truck will arrive between noon and three this afternoon.
Please remember to bring your identification card to the front desk.
We need to reschedule the team lunch because the restaurant is closed on Friday.
Your car is ready, you can pick it up any time before six tonight.
I wanted to thank you for your help with the project last week.
The conference call has been moved to next Tuesday at ten in the morning.
Could you please check whether the printer on the second floor is working again?
This message is for the sales department, we would like to order more paper.
I will be out of the office until Monday, please contact my assistant.
The doctor asked me to confirm your appointment for Thursday afternoon.
Hey, it is John, are we still going to the game on Saturday?
Please call the help desk if your password does not work after the update.
The school called, the children will be dismissed early today because of the snow.
I have some questions about the contract, call me when you are free.
Good morning, this is a reminder that your rent is due at the end of the month.
TXT

lab=$work/lab
sipp_lab "$UMCTL" "$lab"
python3 - "$work/short.wav" <<'PY'
import sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"\0\0" * 1600); w.close()
PY
"$UMCTL" --lab "$lab" lab greeting set bob "$work/short.wav" >/dev/null

"$UMCTL" --lab "$lab" serve --ephemeral-ports --startup-mode tcp --preview \
  --preview-threshold 0 > "$work/serve.json" 2> "$work/serve.err" &
umctl_pid=$!
read -r cas mbx < <(serve_addresses "$work/serve.json")
[ -n "$cas" ] || { echo "umctl serve did not start:"; cat "$work/serve.err"; exit 1; }
new=$lab/mailboxes/bob/Maildir/new

# `speak SET NAME WAV REFERENCE`: one call speaking WAV; appends the message's preview to
# results (set, name, reference, confidence, transcript).
speak() {
  local set=$1 name=$2 wav=$3 ref=$4 pcap=$work/$2.pcap xml=$work/$2.xml
  python3 "$here/benches/preview_pcap.py" "$wav" "$pcap"
  local ms
  ms=$(python3 -c "import os,sys; print(int((os.path.getsize(sys.argv[1]) - 24) / 230 * 20) + 600)" "$pcap")
  sed -e "s#/usr/share/sip-tester/g711a.pcap#$pcap#" \
      -e "s#<pause milliseconds=\"7600\"/>#<pause milliseconds=\"$ms\"/>#" \
      "$here/tests/sipp/uac_voicemail.xml" > "$xml"
  sipp "$cas" -sf "$xml" -s LOC801 -key divert bob -key mbx_ip "$mbx" -key codecs "8 0 101" \
    -t u1 -i $SRC -mi $SRC -m 1 -d 1500 -timeout 60s -timeout_error -nostdin \
    -cid_str "preview-$name-%u@%s" \
    >"$work/sipp.out" 2>&1 || { echo "sipp failed for $name:" >&2; tail -5 "$work/sipp.out" >&2; return; }
  for _ in $(seq 600); do
    local f
    f=$(grep -l "^X-Umctl-Call-Id: preview-$name-" "$new"/* 2>/dev/null | head -1 || true)
    if [ -n "$f" ] && grep -q '^X-Umctl-Preview:' "$f"; then
      python3 - "$f" "$set" "$name" "$ref" >> "$work/results" <<'PY'
import sys
msg = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
head = msg.split("\r\n\r\n")[0].replace("\r\n ", " ")
h = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in head.split("\r\n") if ":" in l}
conf = h["x-umctl-preview"].split("confidence=")[1]
text = h.get("x-umctl-preview-text", "").replace("[", "").replace("?]", "")
print("\t".join([sys.argv[2], sys.argv[3], sys.argv[4], conf, text]))
PY
      return
    fi
    sleep 0.1
  done
  echo "no preview for $name" >&2
}

: > "$work/results"
for voice in $VOICES; do
  n=0
  while IFS= read -r line && [ "$n" -lt "$SENTENCES" ]; do
    n=$((n + 1))
    flite -voice "$voice" -t "$line" -o "$work/$voice-$n.wav"
    speak "flite-$voice" "$voice-$n" "$work/$voice-$n.wav" "$line"
  done < "$work/sentences"
done
while read -r line; do
  id=$(sed -e 's/.*(\(.*\))$/\1/' <<<"$line")
  ref=$(sed -e 's/<s> //; s/ <\/s>.*//' <<<"$line")
  speak testdata "$id" "$TESTDATA/$id.wav" "$ref"
done < "$TESTDATA/transcription"

python3 - "$work/results" "$work/serve.err" "$THRESHOLD" <<'PY'
import re, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
threshold = float(sys.argv[3])
audio = cpu = 0.0
for l in open(sys.argv[2]):
    m = re.search(r"preview of .*, ([0-9.]+) s of audio, ([0-9.]+) s CPU", l)
    if m:
        audio += float(m.group(1)); cpu += float(m.group(2))

def words(s):
    return re.sub(r"[^a-z' ]", " ", s.lower()).split()

def errors(ref, hyp):
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)]

def report(name, rs):
    if not rs:
        return
    e = sum(errors(words(r[2]), words(r[4])) for r in rs); n = sum(len(words(r[2])) for r in rs)
    shown = [r for r in rs if float(r[3]) >= threshold]
    es = sum(errors(words(r[2]), words(r[4])) for r in shown); ns = sum(len(words(r[2])) for r in shown)
    wer_shown = f"{100 * es / ns:5.1f}%" if ns else "    -"
    print(f"{name:14} {len(rs):4} messages  WER {100 * e / n:5.1f}%  shown {len(shown):3} "
          f"({100 * len(shown) / len(rs):3.0f}%)  WER of shown {wer_shown}")

def sweep():
    print("threshold  shown  WER of shown (all sets)")
    for t in [0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]:
        shown = [r for r in rows if float(r[3]) >= t]
        ns = sum(len(words(r[2])) for r in shown)
        es = sum(errors(words(r[2]), words(r[4])) for r in shown)
        wer = f"{100 * es / ns:5.1f}%" if ns else "    -"
        print(f"{t:9.2f}  {len(shown):2}/{len(rows)}  {wer}")

print(f"threshold: mean word confidence >= {threshold}")
for s in sorted({r[0] for r in rows}):
    report(s, [r for r in rows if r[0] == s])
report("all", rows)
sweep()
if audio:
    print(f"decoder CPU: {cpu:.2f} s for {audio:.1f} s of audio = {cpu / audio:.3f} s per second")
PY

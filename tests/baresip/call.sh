#!/usr/bin/env bash
# One real softphone call into the lab, for tests/it/baresip.rs. Runs INSIDE `unshare -nm`
# (a private network namespace with only loopback, and a private mount namespace): baresip
# binds every interface and cannot be told otherwise (peers.md B.2), so it never sees a real
# network; the lab's hosts file is bind-mounted over /etc/hosts so Kamailio resolves the lab
# FQDNs the 302s name, as DNS would in a real deployment.
#
#   call.sh LAB UMCTL OUT TONE_WAV SECONDS DIVERTED [SECURITY]
#
# SECURITY: `tcp` (default; the pool speaks TCP to Exchange, plain RTP), `tls` (TLS to
# Exchange with OUT/pool.crt, OUT/pool.key and OUT/lab-ca.pem, plain RTP) or `tls-srtp` (the
# same, and baresip's srtp module with `mediaenc=srtp-mand`: RTP/SAVP with SDES keys).
# The media on loopback is captured to OUT/media.pcap (tshark, UDP only).
# Starts `umctl serve` on the lab, Kamailio as the Skype pool (kamailio.cfg), and baresip on
# pool01's address calling the LOC801 pilot; baresip sends TONE_WAV and hangs up
# when it ends (its aufile source stops the call at end of file) or after SECONDS;
# then waits (up to 15 s) for serve to deliver a message to DIVERTED's lab Maildir.
# Every process it starts is stopped by its own PID on the way out, also on failure. Logs go
# to OUT (serve.out, serve.log, kamailio.log, baresip.log).
set -euo pipefail
lab=$1 umctl=$2 out=$3 tone=$4 seconds=$5 diverted=$6 security=${7:-tcp}
here=$(cd "$(dirname "$0")" && pwd)
pool=127.0.10.1 phone=127.0.10.21 cas=ex-cas01.contoso.com

serve_pid= kam_pid_file="$out/kamailio.pid" tshark_pid=
stop() {
  if [ -s "$kam_pid_file" ]; then kill "$(cat "$kam_pid_file")" 2>/dev/null || true; fi
  if [ -n "$tshark_pid" ]; then
    kill -INT "$tshark_pid" 2>/dev/null || true
    wait "$tshark_pid" 2>/dev/null || true
  fi
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
}
trap stop EXIT

ip link set lo up
mount --bind "$lab/hosts" /etc/hosts

UMCTL_LAB="$lab" "$umctl" serve --log-format json >"$out/serve.out" 2>"$out/serve.log" &
serve_pid=$!
kam_args=() cas_port=5060 cas_transport=tcp
if [ "$security" != tcp ]; then
  kam_args=(-A WITH_TLS) cas_port=5061 cas_transport=tls
  cat >"$out/tls.cfg" <<TLS
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = $out/pool.crt
private_key = $out/pool.key

[client:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
certificate = $out/pool.crt
private_key = $out/pool.key
ca_list = $out/lab-ca.pem
TLS
fi
sed -e "s/POOL_ADDR/$pool/g" -e "s/CAS_FQDN/$cas/g" -e "s/PILOT/LOC801/g" \
  -e "s/CAS_PORT/$cas_port/g" -e "s/CAS_TRANSPORT/$cas_transport/g" -e "s|TLS_CFG|$out/tls.cfg|g" \
  -e "s/DIVERTED/$diverted/g" "$here/kamailio.cfg" >"$out/kamailio.cfg"
kamailio "${kam_args[@]}" -f "$out/kamailio.cfg" -P "$kam_pid_file" -E >"$out/kamailio.log" 2>&1
tshark -i lo -f udp -w "$out/media.pcap" >"$out/tshark.log" 2>&1 &
tshark_pid=$!
# serve prints its bound ports as one JSON line once every listener is up.
for _ in $(seq 100); do [ -s "$out/serve.out" ] && break; sleep 0.1; done
[ -s "$out/serve.out" ] || { echo "umctl serve did not start" >&2; exit 1; }

mkdir -p "$out/baresip"
# The srtp module registers the media encryptions; it is loaded before the accounts use them.
srtp_module= mediaenc=
if [ "$security" = tls-srtp ]; then
  srtp_module="module srtp.so" mediaenc=";mediaenc=srtp-mand"
fi
cat >"$out/baresip/config" <<CFG
poll_method epoll
sip_listen $phone:5090
sip_trans_def udp
net_interface $phone
audio_source aufile,$tone
audio_level no
rtp_ports 16200-16299
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module menu.so
module cons.so
$srtp_module
module account.so
CFG
echo "<sip:alice@$phone>;regint=0;answermode=auto$mediaenc" >"$out/baresip/accounts"
: >"$out/baresip/contacts"
timeout $((seconds + 15)) baresip -4 -f "$out/baresip" -t "$seconds" \
  -e "/dial sip:LOC801@$pool:5060" </dev/null >"$out/baresip.log" 2>&1
# The worker delivers after the BYE: give it the time before serve is stopped.
for _ in $(seq 150); do
  compgen -G "$lab/mailboxes/$diverted/Maildir/new/*" >/dev/null && break
  grep -q ' 488 ' "$out/baresip.log" && break
  sleep 0.1
done

# Sourced by the SIPp benches (sip_load.sh, voicemail_load.sh, rtp_pacing.sh, memory.sh): the
# lab they call into, where serve bound, and a greeting tone.
#
# `sipp_lab UMCTL LAB` creates the lab at LAB, makes the pools UM IP gateways
# (grant-permissions) and LOC801 Unsecured, so SIPp (Debian's has no TLS) is admitted over
# UDP and TCP.
sipp_lab() {
  local umctl=$1 lab=$2
  "$umctl" --lab "$lab" lab init >/dev/null
  "$umctl" --lab "$lab" grant-permissions --yes >/dev/null
  "$umctl" --lab "$lab" lab apply - >/dev/null <<'LDIF'
dn: CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com
changetype: modify
replace: msExchUMDialPlanVoipSecurity
msExchUMDialPlanVoipSecurity: 0
-
LDIF
}

# `serve_addresses JSON`: waits (10 s at most) for the bound-ports line `umctl serve` writes to
# the file JSON, then prints EX-CAS01's call router address (IP:port) and EX-MBX02's IP.
serve_addresses() {
  local json=$1
  for _ in $(seq 100); do [ -s "$json" ] && break; sleep 0.1; done
  python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
addr = {(s["name"], x["role"]): x["udp"] for s in r["servers"] for x in s["roles"]}
print(addr[("EX-CAS01", "call_router")], addr[("EX-MBX02", "worker")].split(":")[0])
PY
}

# `tone_wav FILE SECONDS`: writes a SECONDS-long 440 Hz tone (8 kHz, 16-bit mono WAV), a
# greeting for `umctl lab greeting set`.
tone_wav() {
  python3 - "$1" "$2" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
n = int(8000 * float(sys.argv[2]))
w.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / 8000))) for i in range(n)))
w.close()
PY
}

# `kamailio_redirect_cfg IP`: prints the minimal stateless 302 server of peers.md B.4 listening
# on IP:5060 (UDP and TCP), the peer of the call-router benches (sip_load.sh, sip_callgrind.sh).
kamailio_redirect_cfg() {
  local KAM_IP=$1
  cat <<KAM
#!KAMAILIO
debug=0
log_stderror=yes
fork=yes
children=2
tcp_children=2
listen=udp:$KAM_IP:5060
listen=tcp:$KAM_IP:5060
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
request_route {
    if (is_method("ACK")) { exit; }
    if (is_method("INVITE")) {
        append_to_reply("Contact: <sip:\$rU@ex-mbx02.contoso.com:5062;transport=TCP>\r\n");
        sl_send_reply("302", "Moved Temporarily");
        exit;
    }
    sl_send_reply("200", "OK");
}
KAM
}

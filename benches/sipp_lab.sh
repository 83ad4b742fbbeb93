# Sourced by the SIPp benches (sip_load.sh, voicemail_load.sh, rtp_pacing.sh): the lab they
# call into, and where serve bound.
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

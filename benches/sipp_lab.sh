# Sourced by the SIPp benches (sip_load.sh, voicemail_load.sh, rtp_pacing.sh): makes the lab
# they call into. `sipp_lab UMCTL LAB` creates the lab at LAB, makes the pools UM IP gateways
# (grant-permissions) and LOC801 Unsecured, so SIPp (Debian's has no TLS) is admitted over
# UDP and TCP.
sipp_lab() {
  local umctl=$1 lab=$2
  "$umctl" --lab "$lab" grant-permissions --yes >/dev/null
  "$umctl" --lab "$lab" lab apply - >/dev/null <<'LDIF'
dn: CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com
changetype: modify
replace: msExchUMDialPlanVoipSecurity
msExchUMDialPlanVoipSecurity: 0
-
LDIF
}

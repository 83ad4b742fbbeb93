#!/usr/bin/env bash
# umctl's LDAP backend against OpenLDAP's command-line tools, same work, same Samba AD DC,
# same run: N contact adds (ldapadd -f vs LdapDirectory::add) and N EUM-address lookups
# (ldapsearch -f with one filter per line vs LdapDirectory::search), both over LDAPS on one
# connection. Prints both times and the ratios (umctl / OpenLDAP; below 1.0 is faster).
# Needs samba-ad-dc, ldap-utils (see tests/samba/README.md). Run as root from the repo:
#   benches/ldap_vs_openldap.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
TEMPLATE=target/tmp/samba-template
DC=/tmp/umctl-bench-dc-$$
ADDR=127.0.77.7
[ -f "$TEMPLATE/template.json" ] || tests/samba/dc-template.sh "$TEMPLATE" >/dev/null
cleanup() { tests/samba/dc-stop.sh "$DC" >/dev/null 2>&1 || true; rm -rf "$DC" "$WORK"; }
WORK=$(mktemp -d)
trap cleanup EXIT
INFO=$(SAMBA_SERVICES=ldap tests/samba/dc-clone-start.sh "$TEMPLATE" "$DC" "$ADDR")
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$INFO" "$1"; }
URL=$(field ldaps); CA=$(field ca_file); BIND=$(field admin_upn); PW=$(field password_file)
export LDAPTLS_CACERT=$CA
L=(-x -H "$URL" -D "$BIND" -y "$PW")
BASE=DC=contoso,DC=com

# Set-up (not timed): two OUs for the contacts and N users with EUM proxy addresses.
python3 - "$N" "$WORK" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/setup.ldif", "w") as f:
    for ou in ("BenchOpenLDAP", "BenchUmctl", "BenchUsers"):
        f.write(f"dn: OU={ou},DC=contoso,DC=com\nobjectClass: organizationalUnit\n\n")
    for i in range(n):
        f.write(f"dn: CN=bench user {i:05},OU=BenchUsers,DC=contoso,DC=com\nobjectClass: user\n"
                f"sAMAccountName: bench{i:05}\nproxyAddresses: eum:{700000+i};phone-context=LOC801.contoso.com\n\n")
with open(f"{work}/contacts.ldif", "w") as f:
    for i in range(n):
        f.write(f"dn: CN=openldap contact {i:05},OU=BenchOpenLDAP,DC=contoso,DC=com\n"
                "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: contact\n"
                f"displayName: openldap contact {i:05}\ntelephoneNumber: +9626551{i:05}\n"
                f"otherIPPhone: SA:sip:o{i:05}@contoso.com;phone-context=LOC801.contoso.com\n\n")
with open(f"{work}/exts.txt", "w") as f:
    for i in range(n):
        f.write(f"{700000+i}\n")
PY
ldapadd "${L[@]}" -f "$WORK/setup.ldif" >/dev/null

cargo build --release --bench ldap_ops >/dev/null 2>&1
BIN=$(ls -t target/release/deps/ldap_ops-* | grep -v '\.d$' | head -1)

t0=$(date +%s.%N); ldapadd "${L[@]}" -f "$WORK/contacts.ldif" >/dev/null; t1=$(date +%s.%N)
ldapsearch "${L[@]}" -b OU=BenchUsers,$BASE -f "$WORK/exts.txt" \
  '(proxyAddresses=eum:%s;phone-context=LOC801.contoso.com)' sAMAccountName >/dev/null; t2=$(date +%s.%N)
OUT=$(UMCTL_BENCH_URL=$URL UMCTL_BENCH_BIND=$BIND UMCTL_BENCH_PASSWORD_FILE=$PW UMCTL_BENCH_CA=$CA \
  UMCTL_BENCH_OU=OU=BenchUmctl,$BASE UMCTL_BENCH_USERS_OU=OU=BenchUsers,$BASE UMCTL_BENCH_N=$N "$BIN")
UA=$(echo "$OUT" | sed -n 's/umctl_adds_seconds=//p'); UL=$(echo "$OUT" | sed -n 's/umctl_lookups_seconds=//p')
python3 - "$N" "$t0" "$t1" "$t2" "$UA" "$UL" <<'PY'
import sys
n, t0, t1, t2, ua, ul = int(sys.argv[1]), *map(float, sys.argv[2:])
oa, ol = t1 - t0, t2 - t1
print(f"{n} contact adds:   ldapadd {oa:.2f} s ({n/oa:.0f}/s)   umctl {ua:.2f} s ({n/ua:.0f}/s)   ratio umctl/ldapadd {ua/oa:.2f}")
print(f"{n} EUM lookups:    ldapsearch {ol:.2f} s ({n/ol:.0f}/s)   umctl {ul:.2f} s ({n/ul:.0f}/s)   ratio umctl/ldapsearch {ul/ol:.2f}")
PY

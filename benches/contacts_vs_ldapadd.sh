#!/usr/bin/env bash
# new-contact --from-csv against ldapadd, on Samba AD DCs, in one run.
#
# Builds (or reuses) a stopped Samba DC template, starts two clones of it, then:
#   1. writes a CSV of N subscriber access contacts (default 1000),
#   2. asks umctl for the equivalent LDIF (new-contact --from-csv --dry-run --ldif: per contact
#      one add record and one modify record for otherIPPhone, exactly the writes umctl makes),
#   3. times `umctl new-contact --from-csv` over LDAPS on clone A,
#   4. times `ldapadd -f` of that LDIF over LDAPS on clone B,
#   5. prints both rates and the ratio, and checks both DCs hold N new contacts.
# Both tools do the same validation-free part (the writes); umctl also validates every row
# against the directory first, and that time is included.
#
# Usage: benches/contacts_vs_ldapadd.sh [N]
# Environment: TEMPLATE (default /tmp/umctl-bench-tpl; built with tests/samba/dc-template.sh when
# missing), ADDR_A / ADDR_B (default 127.0.61.2 / 127.0.61.3), UMCTL (default: cargo build
# --release and target/release/umctl), WORK (default: a temp folder). Needs root, samba,
# ldap-utils (see tests/samba/README.md).
set -euo pipefail

N=${1:-1000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
TEMPLATE=${TEMPLATE:-/tmp/umctl-bench-tpl}
ADDR_A=${ADDR_A:-127.0.61.2}
ADDR_B=${ADDR_B:-127.0.61.3}
WORK=${WORK:-$(mktemp -d /tmp/umctl-bench.XXXXXX)}
OU="OU=ExUmContacts,DC=contoso,DC=com"

if [ -z "${UMCTL:-}" ]; then
    (cd "$HERE" && cargo build --release -j 2 --bin umctl >&2)
    UMCTL="$HERE/target/release/umctl"
fi

if [ ! -f "$TEMPLATE/template.json" ]; then
    echo "building the Samba DC template in $TEMPLATE ..." >&2
    "$HERE/tests/samba/dc-template.sh" "$TEMPLATE" >&2
fi

cleanup() {
    local ok=1
    for dc in dcA dcB; do
        if [ -d "$WORK/$dc" ]; then
            "$HERE/tests/samba/dc-stop.sh" "$WORK/$dc" || ok=0
        fi
    done
    if [ $ok = 1 ]; then
        rm -rf "$WORK"
    else
        echo "a DC did not stop; its files are kept in $WORK" >&2
    fi
}
trap cleanup EXIT

"$HERE/tests/samba/dc-clone-start.sh" "$TEMPLATE" "$WORK/dcA" "$ADDR_A" >"$WORK/a.json"
"$HERE/tests/samba/dc-clone-start.sh" "$TEMPLATE" "$WORK/dcB" "$ADDR_B" >"$WORK/b.json"
CA_A="$WORK/dcA/private/tls/ca.pem"
CA_B="$WORK/dcB/private/tls/ca.pem"
PASS_A="$WORK/dcA/admin.pass"
PASS_B="$WORK/dcB/admin.pass"
ADMIN="Administrator@contoso.com"

# 1. The CSV.
{
    echo "sip_address,registrar_pool,display_number,ou,dial_plan,description"
    for ((i = 0; i < N; i++)); do
        printf 'sip:bench%05d@contoso.com,pool01.contoso.com,+9626552%04d,"%s",LOC801,bench contact %d\n' \
            "$i" "$i" "$OU" "$i"
    done
} >"$WORK/contacts.csv"

umctl_on() { # ADDR CA PASS ARGS...
    local addr=$1 ca=$2 pass=$3
    shift 3
    "$UMCTL" --ldap "ldaps://$addr" --ca-file "$ca" --bind-dn "$ADMIN" --password-file "$pass" "$@"
}

# 2. The equivalent LDIF (a dry run writes nothing).
umctl_on "$ADDR_B" "$CA_B" "$PASS_B" new-contact --from-csv "$WORK/contacts.csv" --force \
    --dry-run --ldif >"$WORK/contacts.ldif" 2>"$WORK/dryrun.err"
RECORDS=$(grep -c '^dn: ' "$WORK/contacts.ldif")

now() { date +%s.%N; }

# 3. umctl.
t0=$(now)
umctl_on "$ADDR_A" "$CA_A" "$PASS_A" new-contact --from-csv "$WORK/contacts.csv" --force -q \
    >"$WORK/umctl.out" 2>"$WORK/umctl.err"
t1=$(now)

# 4. ldapadd of the same records.
t2=$(now)
LDAPTLS_CACERT="$CA_B" ldapadd -x -H "ldaps://$ADDR_B" -D "$ADMIN" -y "$PASS_B" \
    -f "$WORK/contacts.ldif" >"$WORK/ldapadd.out" 2>"$WORK/ldapadd.err"
t3=$(now)

count() { # ADDR CA PASS
    LDAPTLS_CACERT="$2" ldapsearch -x -LLL -H "ldaps://$1" -D "$ADMIN" -y "$3" -b "$OU" \
        -s one '(otherIPPhone=SA:*)' dn | grep -c '^dn: ' || true
}
CA=$(count "$ADDR_A" "$CA_A" "$PASS_A")
CB=$(count "$ADDR_B" "$CA_B" "$PASS_B")

python3 - "$N" "$RECORDS" "$t0" "$t1" "$t2" "$t3" "$CA" "$CB" <<'PY'
import sys
n, records = int(sys.argv[1]), int(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:7])
ca, cb = int(sys.argv[7]), int(sys.argv[8])
u, l = t1 - t0, t3 - t2
print(f"contacts: {n} (LDIF records: {records}, two per contact)")
print(f"umctl new-contact --from-csv (LDAPS): {u:.2f} s = {n / u:.0f} contacts/s  [contacts on DC A: {ca}]")
print(f"ldapadd -f equivalent LDIF (LDAPS):   {l:.2f} s = {n / l:.0f} contacts/s  [contacts on DC B: {cb}]")
print(f"ratio umctl/ldapadd (time): {u / l:.2f}  (umctl rate is {l / u * 100:.0f}% of ldapadd's)")
if ca != n or cb != n:
    sys.exit("the DCs do not hold the expected number of contacts")
PY

#!/bin/bash
# dc-clone-start.sh TEMPLATE DEST ADDRESS
#
# Clones a template made by dc-template.sh into DEST (cp -a + rewrite of the absolute paths in
# etc/smb.conf), binds it to ADDRESS only (interfaces = ADDRESS/8, a 127.x.y.z loopback
# address, so several DCs run at once), issues a server certificate for ADDRESS from the
# template's private CA, starts
#   samba -M single -F --debug-stdout --maximum-runtime=${SAMBA_MAX_RUNTIME:-1800}
# with stdin from /dev/null and output in DEST/log/samba.out, waits until LDAP answers a
# rootDSE search on ADDRESS:389 (timeout ${SAMBA_START_TIMEOUT:-30} s; on failure: log tail on
# stderr, samba killed, exit 1), writes DEST/samba.pid and prints ONE line of JSON on stdout:
#   {"pid":N,"ldap":"ldap://ADDRESS","ldaps":"ldaps://ADDRESS","ca_file":"DEST/private/tls/ca.pem",
#    "admin_dn":"CN=Administrator,CN=Users,DC=contoso,DC=com","admin_upn":"Administrator@contoso.com",
#    "password_file":"DEST/admin.pass","base":"DC=contoso,DC=com",
#    "domain_sid":"S-1-5-21-...","tls_name":"dc1.contoso.com","log":"DEST/log/samba.out"}
# The password is only in DEST/admin.pass (mode 600, no trailing newline).
# DEST must not exist (or be empty). Keep it short (<= 70 chars): unix sockets live below it.
# Stop with dc-stop.sh DEST.
#
# SAMBA_SERVICES="ldap" (env) starts only the LDAP server: one process, faster start, no
# Kerberos/SMB/RPC (samba-tool over LDAP still works with -U 'CONTOSO\Administrator').
# SAMBA_OPTIONS (env): more smb.conf settings for this clone, one "name = value" a line (e.g.
# "ldap server require strong auth = yes"), passed to samba as --option.
#
# Internal: dc-clone-start.sh --issue-cert DIR ADDRESS only (re)issues DIR/private/tls/cert.pem.
set -euo pipefail

die() { echo "dc-clone-start: $*" >&2; exit 1; }

issue_cert() { # DIR ADDRESS
    local tls=$1/private/tls addr=$2
    [ -f "$tls/ca-key.pem" ] && [ -f "$tls/key.pem" ] || die "no CA/server key in $tls"
    openssl req -new -key "$tls/key.pem" -subj "/O=umctl test/CN=dc1.contoso.com" -out "$tls/cert.csr" 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=DNS:dc1.contoso.com,DNS:contoso.com,DNS:localhost,IP:$addr" > "$tls/cert.ext"
    openssl x509 -req -in "$tls/cert.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" -set_serial "0x$(openssl rand -hex 8)" \
        -days 825 -sha256 -extfile "$tls/cert.ext" -out "$tls/cert.pem" 2>/dev/null || die "openssl could not issue the certificate"
    rm -f "$tls/cert.csr" "$tls/cert.ext"
}

check_addr() {
    [[ $1 =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] &&
        [ "${BASH_REMATCH[1]}" -le 255 ] && [ "${BASH_REMATCH[2]}" -le 255 ] && [ "${BASH_REMATCH[3]}" -le 254 ] ||
        die "ADDRESS must be a 127.x.y.z loopback address, got '$1'"
}

if [ "${1:-}" = "--issue-cert" ]; then
    [ $# -eq 3 ] || die "usage: dc-clone-start.sh --issue-cert DIR ADDRESS"
    check_addr "$3"; issue_cert "$2" "$3"; exit 0
fi
[ $# -eq 3 ] || die "usage: dc-clone-start.sh TEMPLATE DEST ADDRESS"
SRC=$(cd "$1" 2>/dev/null && pwd) || die "no template directory $1"
[ -f "$SRC/etc/smb.conf" ] && [ -f "$SRC/template.json" ] || die "$SRC is not a dc-template.sh template"
ADDR=$3; check_addr "$ADDR"
if [ -e "$2" ]; then
    [ -d "$2" ] && [ -z "$(ls -A "$2")" ] || die "DEST $2 exists and is not empty"
    rmdir "$2"
fi
mkdir -p "$(dirname "$2")"
DST=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ ${#DST} -le 70 ] || die "DEST path '$DST' is too long (${#DST} > 70 chars; unix socket paths below it)"
for c in samba ldapsearch openssl; do command -v "$c" >/dev/null || die "missing command $c"; done
# An address that already answers on 389 means another DC (or something else) is there.
if ldapsearch -x -H "ldap://$ADDR" -s base -b '' -o nettimeout=1 dn >/dev/null 2>&1; then
    die "something already answers LDAP on $ADDR:389"
fi

# clone (the template must be stopped: tdb files)
OLD=$(sed -n 's#^\s*private dir = \(.*\)/private$#\1#p' "$SRC/etc/smb.conf")
[ -n "$OLD" ] || die "cannot find 'private dir' in $SRC/etc/smb.conf"
cp -a "$SRC" "$DST"
sed -i "s#$OLD/#$DST/#g; s#= $OLD\$#= $DST#; s#^\(\s*interfaces = \).*#\1$ADDR/8#" "$DST/etc/smb.conf"
rm -f "$DST/samba.pid" "$DST/log/samba.out"
mkdir -p "$DST/log"
issue_cert "$DST" "$ADDR"

OPTS=()
[ -z "${SAMBA_SERVICES:-}" ] || OPTS+=(--option="server services = $SAMBA_SERVICES")
while IFS= read -r o; do [ -z "$o" ] || OPTS+=(--option="$o"); done <<< "${SAMBA_OPTIONS:-}"
samba -M single -F --debug-stdout --maximum-runtime="${SAMBA_MAX_RUNTIME:-1800}" \
    -s "$DST/etc/smb.conf" "${OPTS[@]}" </dev/null >"$DST/log/samba.out" 2>&1 &
PID=$!
echo "$PID" > "$DST/samba.pid"

deadline=$(( $(date +%s%N) + ${SAMBA_START_TIMEOUT:-30} * 1000000000 ))
until ldapsearch -x -H "ldap://$ADDR" -s base -b '' -o nettimeout=1 dn >/dev/null 2>&1; do
    if ! kill -0 "$PID" 2>/dev/null || [ "$(date +%s%N)" -gt "$deadline" ]; then
        echo "dc-clone-start: samba on $ADDR did not answer LDAP; last lines of $DST/log/samba.out:" >&2
        tail -25 "$DST/log/samba.out" >&2 || true
        "$(dirname "$0")/dc-stop.sh" "$DST" >&2 || true
        exit 1
    fi
    sleep 0.05
done

SID=$(sed -n 's/.*"domain_sid":"\([^"]*\)".*/\1/p' "$SRC/template.json")
printf '{"pid":%d,"ldap":"ldap://%s","ldaps":"ldaps://%s","ca_file":"%s","admin_dn":"%s","admin_upn":"%s","password_file":"%s","base":"%s","domain_sid":"%s","tls_name":"dc1.contoso.com","log":"%s"}\n' \
    "$PID" "$ADDR" "$ADDR" "$DST/private/tls/ca.pem" "CN=Administrator,CN=Users,DC=contoso,DC=com" \
    "Administrator@contoso.com" "$DST/admin.pass" "DC=contoso,DC=com" "$SID" "$DST/log/samba.out"

#!/bin/bash
# dc-template.sh DIR
#
# Builds a stopped Samba AD DC "template" for umctl's LDAP tests in DIR (keep the path short:
# samba creates unix sockets below it and sun_path is limited to 108 bytes):
#   * provisions contoso.com (realm CONTOSO.COM, NetBIOS CONTOSO, DC DC1) with the lab forest's
#     domain SID S-1-5-21-2718281828-3141592653-1414213562, so every SID and SDDL of
#     fixtures/lab/forest.ldif is valid as is;
#   * applies fixtures/samba/schema-{attributes,classes}.ldif offline (ldbmodify, one run per pass);
#   * loads fixtures/lab/forest.ldif offline, converted by tests/samba/lab_to_samba.py;
#   * creates a private CA + server key (openssl) for LDAPS/StartTLS (the server certificate is
#     issued per clone by dc-clone-start.sh for the clone's address);
#   * writes the Administrator password to DIR/admin.pass (mode 600, no newline).
# samba is never started here. Tests clone DIR with dc-clone-start.sh.
#
# Needs: samba-ad-dc samba-ad-provision ldb-tools ldap-utils openssl python3.
set -euo pipefail

die() { echo "dc-template: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: dc-template.sh DIR"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB_LDIF=${LAB_LDIF:-$ROOT/fixtures/lab/forest.ldif}
SCHEMA_DIR=$ROOT/fixtures/samba
for f in "$LAB_LDIF" "$SCHEMA_DIR/schema-attributes.ldif" "$SCHEMA_DIR/schema-classes.ldif" "$HERE/lab_to_samba.py"; do
    [ -f "$f" ] || die "missing $f"
done
for c in samba-tool ldbmodify ldbsearch ldbdel openssl python3; do
    command -v "$c" >/dev/null || die "missing command $c (apt-get install samba-ad-dc samba-ad-provision ldb-tools ldap-utils openssl)"
done
[ -f /usr/share/samba/setup/ad-schema/AD_DS_Attributes__Windows_Server_2012_R2.ldf ] ||
    die "samba-ad-provision is not installed (it is only a Recommends of samba-ad-dc)"

mkdir -p "$1"
D=$(cd "$1" && pwd)
[ ${#D} -le 70 ] || die "DIR path '$D' is too long (${#D} > 70 chars; unix socket paths below it)"
if [ -n "$(ls -A "$D")" ]; then
    [ -f "$D/etc/smb.conf" ] || die "$D is not empty and not a previous template"
    [ ! -f "$D/samba.pid" ] || ! kill -0 "$(cat "$D/samba.pid")" 2>/dev/null || die "a samba from $D is running"
    rm -rf "${D:?}"/* "$D"/.[!.]* 2>/dev/null || true
fi

REALM=CONTOSO.COM; DOMAIN=CONTOSO; BASE='DC=contoso,DC=com'
DOMAIN_SID=S-1-5-21-2718281828-3141592653-1414213562
T0=$(date +%s%N)
t() { local ms=$(( ($(date +%s%N) - T0) / 1000000 )); printf 'dc-template: %-18s done at %d.%03d s\n' "$1" $((ms / 1000)) $((ms % 1000)) >&2; }
mkdir -p "$D/log" "$D/work"
: > "$D/work/empty.conf"   # never merge Debian's /etc/samba/smb.conf into the new config

# 1. provision. No --adminpass: the password must not appear on a command line. The random
# one samba-tool makes up is replaced in step 4 (and scrubbed from the log).
samba-tool domain provision -s "$D/work/empty.conf" --targetdir="$D" \
    --realm=$REALM --domain=$DOMAIN --domain-sid=$DOMAIN_SID --server-role=dc --dns-backend=NONE \
    --host-name=DC1 --host-ip=127.0.0.1 \
    --option="interfaces = 127.0.0.1/8" --option="bind interfaces only = yes" \
    --option="disable netbios = yes" --option="dsdb:schema update allowed = true" \
    --option="pid directory = $D/run" --option="ncalrpc dir = $D/run/ncalrpc" \
    --option="winbindd socket directory = $D/run/winbindd" \
    --option="ntp signd socket directory = $D/run/ntp_signd" --option="log file = $D/log/%m.log" \
    > "$D/log/provision.log" 2>&1 || { tail -20 "$D/log/provision.log" >&2; die "provision failed"; }
sed -i 's/\(password:\s*\).*/\1(scrubbed)/I' "$D/log/provision.log"
t "provision"

# 2. smb.conf: simple binds over plain ldap://, only the services the tests need (no nbt/wrepl,
# and no dnsupdate, which would run nsupdate against the host's resolvers), our TLS files.
TLS=$D/private/tls
awk -v tls="$TLS" '{print} $0 == "\tworkgroup = CONTOSO" {
    print "\tldap server require strong auth = no"
    print "\ttls enabled = yes"
    print "\ttls keyfile = " tls "/key.pem"
    print "\ttls certfile = " tls "/cert.pem"
    print "\ttls cafile = " tls "/ca.pem" }' "$D/etc/smb.conf" > "$D/work/smb.conf"
cat "$D/work/smb.conf" > "$D/etc/smb.conf"; rm "$D/work/smb.conf"
sed -i 's/^\tserver services = .*/\tserver services = s3fs, rpc, ldap, cldap, kdc, drepl, winbindd, ntp_signd, kcc/' "$D/etc/smb.conf"
grep -q '^	ldap server require strong auth = no$' "$D/etc/smb.conf" || die "could not edit smb.conf"

L=(-H "$D/private/sam.ldb" --configfile="$D/etc/smb.conf")

# 3. schema extension, offline. ldbmodify runs a file in one transaction, and classes added in
# it stay unknown to later records until commit, so run each pass (ended by a schemaUpdateNow
# record) on its own.
mkdir -p "$D/work/schema"
awk -v out="$D/work/schema" 'BEGIN{n=1} {f=sprintf("%s/pass%02d.ldif",out,n); print > f}
    /^schemaUpdateNow: 1$/ {flag=1; next} flag && /^-$/ {close(f); n++; flag=0}' \
    "$SCHEMA_DIR/schema-attributes.ldif" "$SCHEMA_DIR/schema-classes.ldif"
for f in "$D/work/schema"/pass*.ldif; do
    grep -q '^dn: ..*' "$f" || continue
    ldbmodify "${L[@]}" "$f" > "$D/log/schema.log" 2>&1 || { cat "$D/log/schema.log" >&2; die "schema pass $f failed"; }
done
t "schema extension"

# 4. Administrator password: random, in DIR/admin.pass (600, no trailing newline, so that
# `ldapsearch -y` and friends read it as is), set offline through ldbmodify's stdin.
umask 077
python3 -c 'import secrets,string; a=string.ascii_letters+string.digits; print("Lab-"+"".join(secrets.choice(a) for _ in range(20))+"-9x", end="")' > "$D/admin.pass"
umask 022
chmod 600 "$D/admin.pass"
python3 - "$D/admin.pass" "$BASE" <<'EOF' | ldbmodify "${L[@]}" > /dev/null
import base64, sys
pw = open(sys.argv[1]).read()
print(f"dn: CN=Administrator,CN=Users,{sys.argv[2]}\nchangetype: modify\nreplace: unicodePwd")
print("unicodePwd:: " + base64.b64encode(('"' + pw + '"').encode("utf-16-le")).decode())
print("-")
EOF

# 5. SID room for the lab. Provision gives the (unused, no DNS backend) dns-DC1 account RID 1101,
# which the lab needs for RTCUniversalServerAdmins: delete it and its tombstone. Then move the
# DC's RID allocator past the lab's RIDs (1101-1214) so objects created later never collide.
G=$(ldbsearch "${L[@]}" -b "CN=dns-DC1,CN=Users,$BASE" -s base objectGUID 2>/dev/null | sed -n 's/^objectGUID: //p')
if [ -n "$G" ]; then
    ldbdel "${L[@]}" "CN=dns-DC1,CN=Users,$BASE" > /dev/null
    ldbdel "${L[@]}" --show-deleted --relax "<GUID=$G>" > /dev/null
fi
ldbmodify "${L[@]}" > /dev/null <<EOF
dn: CN=RID Set,CN=DC1,OU=Domain Controllers,$BASE
changetype: modify
replace: rIDNextRID
rIDNextRID: 1499
-
EOF
t "password, RIDs"

# 6. the lab forest: skip/merge what Samba already has, add the rest (parents first).
ldbsearch "${L[@]}" -b "$BASE" dn > "$D/work/existing-domain.ldif"
ldbsearch "${L[@]}" -b "CN=Configuration,$BASE" dn > "$D/work/existing-config.ldif"
python3 "$HERE/lab_to_samba.py" --existing "$D/work/existing-domain.ldif" \
    --existing "$D/work/existing-config.ldif" "$LAB_LDIF" "$D/work/lab" 2> "$D/log/lab_to_samba.log"
ldbmodify "${L[@]}" "$D/work/lab/add.ldif" > "$D/log/lab-add.log" 2>&1 || { tail -5 "$D/log/lab-add.log" >&2; die "loading the lab forest failed"; }
ldbmodify "${L[@]}" "$D/work/lab/merge.ldif" >> "$D/log/lab-add.log" 2>&1 || { tail -5 "$D/log/lab-add.log" >&2; die "merging the lab forest failed"; }
t "lab forest"

# 7. TLS: a private CA and the server key. dc-clone-start.sh issues cert.pem for the clone's
# address (SAN IP:<address>, DNS:dc1.contoso.com, DNS:contoso.com, DNS:localhost). Here a first
# cert for 127.0.0.1 so the template itself is complete.
mkdir -p "$TLS"; rm -f "$TLS"/*.pem
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/O=umctl test/CN=umctl test CA contoso.com" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$TLS/ca-key.pem" -out "$TLS/ca.pem" 2> "$D/log/openssl.log"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TLS/key.pem" 2>> "$D/log/openssl.log"
chmod 600 "$TLS/key.pem" "$TLS/ca-key.pem"
"$HERE/dc-clone-start.sh" --issue-cert "$D" 127.0.0.1
t "TLS"

cat > "$D/template.json" <<EOF
{"realm":"$REALM","domain":"$DOMAIN","base":"$BASE","domain_sid":"$DOMAIN_SID","admin_dn":"CN=Administrator,CN=Users,$BASE","admin_upn":"Administrator@contoso.com","tls_name":"dc1.contoso.com"}
EOF
rm -rf "$D/work/schema" "$D/work/empty.conf"
echo "dc-template: template ready in $D ($(du -sh "$D" | cut -f1))" >&2

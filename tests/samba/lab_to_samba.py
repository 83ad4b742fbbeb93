#!/usr/bin/env python3
"""Convert umctl's lab forest (fixtures/lab/forest.ldif) into LDIF that Samba AD accepts.

python3 standard library only. Used offline by tests/samba/dc-template.sh, which provisions the
Samba domain as contoso.com WITH THE LAB'S DOMAIN SID, so DNs, SIDs and SDDL stay as they are.

    lab_to_samba.py [--existing FILE]... [--domain-sid SID] LAB_LDIF OUT_DIR

Writes into OUT_DIR:
  add.ldif     changetype:add records for every lab entry Samba does not have yet, in file
               order (parents first). nTSecurityDescriptor stays SDDL text; Samba's ldb accepts
               it on add and merges in what the parent lets inherit.
  merge.ldif   changetype:modify (replace) records for entries Samba already has (the domain
               object, CN=Users, CN=System, ...): only the attributes in MERGEABLE semantics,
               i.e. everything that is not naming, identity or class (see SKIP_ON_EXISTING).
  report.txt   what was dropped, skipped, merged and rewritten (one line each).

--existing FILE   LDIF (or ldbsearch output) whose dn: lines name entries that already exist in
                  the target directory. Repeatable. Compared case-insensitively.
--domain-sid SID  rewrite the lab's domain SID prefix (objectSid values and SIDs inside SDDL)
                  to SID. Default: keep the lab's SID (the template provisions with it).
"""

import argparse
import base64
import os
import re
import sys

LAB_DOMAIN_SID = "S-1-5-21-2718281828-3141592653-1414213562"

# Attributes never written to Samba.
DROP_ALWAYS = {
    # Samba derives objectCategory from the structural class (defaultObjectCategory). The lab's
    # values name CN=Person / CN=Group / CN=ms-Exch-... which Samba computes identically for the
    # classes in fixtures/samba/schema-classes.ldif.
    "objectcategory",
}
# On entries that already exist in Samba, these are left to Samba (naming, identity, class).
SKIP_ON_EXISTING = {
    "objectclass", "objectcategory", "objectsid", "cn", "ou", "dc", "name",
    "samaccountname", "grouptype", "distinguishedname",
}


def norm_dn(dn):
    """Case- and blank-insensitive key for a DN (good enough for the lab's plain DNs)."""
    return re.sub(r"\s*([,=])\s*", r"\1", dn.strip()).lower()


def parse_ldif(text):
    """Minimal RFC 2849 reader: returns [(dn, [(attr, bytes)])], skipping version/comments."""
    records, cur = [], []
    lines = text.splitlines()
    logical = []
    for line in lines:
        if line.startswith(" ") and logical:
            logical[-1] += line[1:]
        else:
            logical.append(line)
    for line in logical + [""]:
        if line.startswith("#"):
            continue
        if line.strip() == "":
            if cur:
                records.append(cur)
                cur = []
            continue
        if line.startswith("-") and line.strip() == "-":
            continue
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9;.-]*)(::?|:<)\s?(.*)$", line)
        if not m:
            # ldbsearch output has "ref: ..." and "# ..." lines; anything else is an error
            raise ValueError(f"unparseable LDIF line: {line!r}")
        attr, sep, val = m.groups()
        if sep == "::":
            value = base64.b64decode(val)
        elif sep == ":<":
            raise ValueError(f"URL values are not supported: {line!r}")
        else:
            value = val.encode("utf-8")
        cur.append((attr, value))
    out = []
    for rec in records:
        if rec[0][0].lower() == "version" and len(rec) == 1:
            continue
        if rec[0][0].lower() == "version":
            rec = rec[1:]
        if rec[0][0].lower() != "dn":
            continue  # e.g. "ref:" records of ldbsearch
        out.append((rec[0][1].decode("utf-8"), rec[1:]))
    return out


def safe(value):
    """Whether RFC 2849 lets the value be written as a plain SAFE-STRING."""
    try:
        s = value.decode("ascii")
    except UnicodeDecodeError:
        return False
    if s == "":
        return True
    if s[0] in " :<" or s[-1] == " ":
        return False
    return all(0x20 <= ord(c) < 0x7F for c in s)


def emit(attr, value):
    if safe(value):
        return f"{attr}: {value.decode('ascii')}"
    return f"{attr}:: {base64.b64encode(value).decode('ascii')}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--existing", action="append", default=[])
    ap.add_argument("--domain-sid", default=LAB_DOMAIN_SID)
    ap.add_argument("lab_ldif")
    ap.add_argument("out_dir")
    a = ap.parse_args()

    existing = set()
    for f in a.existing:
        with open(f, encoding="utf-8") as fh:
            for dn, _ in parse_ldif(fh.read()):
                existing.add(norm_dn(dn))

    with open(a.lab_ldif, encoding="utf-8") as fh:
        entries = parse_ldif(fh.read())

    def rewrite_sid(text):
        if a.domain_sid == LAB_DOMAIN_SID:
            return text
        return text.replace(LAB_DOMAIN_SID, a.domain_sid)

    adds, merges, report = [], [], []
    counts = {"added": 0, "merged": 0, "skipped": 0}
    for dn, attrs in entries:
        is_existing = norm_dn(dn) in existing
        kept = []
        for k, v in attrs:
            kl = k.lower()
            if kl in DROP_ALWAYS:
                report.append(f"drop    {k} on {dn}")
                continue
            if is_existing and kl in SKIP_ON_EXISTING:
                continue
            if kl in ("objectsid", "ntsecuritydescriptor"):
                nv = rewrite_sid(v.decode("utf-8")).encode("utf-8")
                if nv != v:
                    report.append(f"rewrite {k} on {dn}: domain SID -> {a.domain_sid}")
                v = nv
            kept.append((k, v))
        if is_existing:
            if kept:
                lines = [f"dn: {dn}", "changetype: modify"]
                names = []
                for k, _ in kept:
                    if k.lower() not in [n.lower() for n in names]:
                        names.append(k)
                for n in names:
                    lines.append(f"replace: {n}")
                    lines += [emit(n, v) for k, v in kept if k.lower() == n.lower()]
                    lines.append("-")
                merges.append("\n".join(lines))
                counts["merged"] += 1
                report.append(f"merge   {dn}: {', '.join(names)}")
            else:
                counts["skipped"] += 1
                report.append(f"skip    {dn}: exists in Samba, nothing to merge")
            continue
        lines = [f"dn: {dn}", "changetype: add"] + [emit(k, v) for k, v in kept]
        adds.append("\n".join(lines))
        counts["added"] += 1

    os.makedirs(a.out_dir, exist_ok=True)
    head = "# generated by tests/samba/lab_to_samba.py from " + os.path.basename(a.lab_ldif) + "\n\n"
    with open(os.path.join(a.out_dir, "add.ldif"), "w", encoding="utf-8") as fh:
        fh.write(head + "\n\n".join(adds) + "\n")
    with open(os.path.join(a.out_dir, "merge.ldif"), "w", encoding="utf-8") as fh:
        fh.write(head + "\n\n".join(merges) + ("\n" if merges else ""))
    with open(os.path.join(a.out_dir, "report.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(report) + "\n")
    print(f"lab_to_samba: {len(entries)} entries: {counts['added']} to add, "
          f"{counts['merged']} to merge, {counts['skipped']} skipped (already in Samba)",
          file=sys.stderr)


if __name__ == "__main__":
    main()

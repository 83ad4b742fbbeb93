#!/bin/bash
# dc-stop.sh DEST
#
# Stops the samba started by dc-clone-start.sh in DEST, by the PID in DEST/samba.pid (never by
# name): SIGTERM, wait up to 10 s, then SIGKILL. Children of that samba that are still alive
# afterwards (with -M single: smbd, winbindd and their helpers) get the same treatment. The PID
# is only signalled if it still belongs to DEST (guards against PID
# reuse; samba retitles its processes, so the check is "has a file under DEST open"). Exit 0 when nothing of it is left running (also when it was not running).
set -uo pipefail

die() { echo "dc-stop: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: dc-stop.sh DEST"
D=$(cd "$1" 2>/dev/null && pwd) || die "no directory $1"
PIDFILE=$D/samba.pid
[ -f "$PIDFILE" ] || { echo "dc-stop: no $PIDFILE, nothing to stop" >&2; exit 0; }
PID=$(cat "$PIDFILE")
[[ $PID =~ ^[0-9]+$ ]] || die "bad PID '$PID' in $PIDFILE"

alive() { # PID: exists and is not a zombie (an orphaned zombie may wait long for its reaper)
    local st
    st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
ours() { # PID: alive and belongs to DEST's samba: a file under DEST open (the master has
    # DEST/log/samba.out as stdout; smbd/winbindd hold DEST's tdb files), DEST's smb.conf on
    # its command line, or a samba "tfork waiter" helper (samba retitles its processes).
    alive "$1" || return 1
    # grep reads all its input (no -q): with pipefail, `ls | grep -q` fails when grep exits
    # early and ls dies of SIGPIPE, which happens once samba has many files open.
    ls -l "/proc/$1/fd" 2>/dev/null | grep -F -- " $D/" >/dev/null && return 0
    tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -E -- "$D/etc/smb\.conf|^samba: tfork waiter" >/dev/null
}
descendants() { # PID: all live descendants, children first
    local c
    for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        descendants "$c"; echo "$c"
    done
}
stop_pids() { # PIDS...: TERM, wait up to 10 s, KILL
    local p left i
    [ $# -gt 0 ] || return 0
    kill -TERM "$@" 2>/dev/null
    for i in $(seq 1 100); do
        left=()
        for p in "$@"; do alive "$p" && left+=("$p"); done
        [ ${#left[@]} -eq 0 ] && return 0
        sleep 0.1
    done
    echo "dc-stop: still running after 10 s, sending SIGKILL to ${left[*]}" >&2
    kill -KILL "${left[@]}" 2>/dev/null
    sleep 0.2
}

if ours "$PID"; then
    KIDS=$(descendants "$PID")
    stop_pids "$PID"
    # children that outlived the master (checked one by one: still ours?)
    LEFT=()
    for k in $KIDS; do ours "$k" && LEFT+=("$k"); done
    stop_pids "${LEFT[@]}"
elif alive "$PID"; then
    echo "dc-stop: PID $PID is alive but is not the samba of $D; not signalling it" >&2
fi
for k in $PID ${KIDS:-}; do
    ours "$k" && die "samba process $k of $D is still running"
done
rm -f "$PIDFILE"
exit 0

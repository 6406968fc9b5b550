#!/bin/sh
# Bad setup files: "file:line:col: error: ..." and exit 1, never a crash.
. tests/hv/lib.sh
check() { # check NAME TEXT: the setup in $T/NAME.yaml fails with TEXT
    "$SLEMU" --setup "$T/$1.yaml" -i 0="$T/merged.pcap" >"$T/out" 2>"$T/err"
    rc=$?
    [ $rc -eq 1 ] || { cat "$T/err" >&2; fail "$1: exit $rc, expected 1"; }
    grep -q -- "$2" "$T/err" || { cat "$T/err" >&2; fail "$1: stderr lacks '$2'"; }
}
printf 'physical_ports: 2\nvms:\n  - name: a\n    image: x.sla\n    wieght: 3\n' >"$T/unknown.yaml"
check unknown "unknown.yaml:5:5: error: unknown key 'wieght' in a VM"
printf 'physical_ports: 2\nvms: [\n' >"$T/syntax.yaml"
check syntax "syntax.yaml:3:1: error: "
printf 'physical_ports: 2\nvms:\n  - name: a\n    image: nothere.sla\n' >"$T/missing.yaml"
check missing "missing.yaml:4:12: error: .*nothere.sla: No such file or directory"
printf 'physical_ports: 2\nvms:\n  - name: a\n    image: %s/tests/hv/heavy.sla\n    in: [{port: 5, vport: out}]\n' "$(pwd)" >"$T/port.yaml"
check port "port.yaml:5:17: error: physical port 5: the setup has ports 0..1"
printf 'physical_ports: 2\nvms:\n  - name: a\n    image: %s/tests/hv/heavy.sla\n    in: [{port: 0, vport: nope}]\n' "$(pwd)" >"$T/vport.yaml"
check vport "vport.yaml:5:10: error: VM 'a': .*has no port 'nope'"
printf 'physical_ports: 2\nvms:\n  - name: a\n    image: %s/tests/hv/heavy.sla\n    quotas: {queue_depth: 70000}\n' "$(pwd)" >"$T/quota.yaml"
check quota "quota.yaml:5:27: error: queue_depth: '70000' is not a number in 0..65535"
printf 'physical_ports: 2\nvms:\n  - name: a\n    name: b\n' >"$T/dup.yaml"
check dup "dup.yaml:4:5: error: duplicate key 'name' in a VM"
printf 'physical_ports: 2\nvms:\n  - name: a\n    image: %s/tests/hv/heavy.sla\n    in: [{port: 0, tunnel: 0x1000000, vport: 0}]\n' "$(pwd)" >"$T/tunnel.yaml"
check tunnel "tunnel.yaml:5:28: error: tunnel"
: >"$T/empty.yaml"
check empty "empty.yaml: error: the file is empty"
printf 'physical_ports: 2\nvms:\n  - name: a\n    image: %s/tests/hv/bad.sla\n' "$(pwd)" >"$T/badimg.yaml"

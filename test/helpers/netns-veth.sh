#!/usr/bin/env bash
# Gives the current network namespace what Firefox (and Janus) need to gather ICE candidates:
# a veth pair, 192.0.2.10/24 on one end (192.0.2.0/24 is a documentation range, RFC 5737) and a
# default route to 192.0.2.1, an address nobody has. Packets to it go out of v0 into v1 and end
# there: nothing leaves the namespace. Refuses to run outside a namespace made for the tests
# (one with interfaces other than lo and its own veth), so it never touches the host's network.
set -euo pipefail
for i in $(sed -n '3,$s/:.*//p' /proc/self/net/dev); do
  case "$i" in lo|v0|v1|mesh-v0|mesh-v1) ;; *) echo "netns-veth: interface $i exists: not a test namespace, refusing" >&2; exit 1 ;; esac
done
ip link set lo up
if ! ip link show v0 >/dev/null 2>&1; then
  ip link add v0 type veth peer name v1
  ip addr add 192.0.2.10/24 dev v0
  ip link set v0 up
  ip link set v1 up
  ip route add default via 192.0.2.1 dev v0 onlink
fi

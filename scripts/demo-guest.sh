#!/bin/bash
# The guest side of `make demo`.
set -eu
ko=${ZCPAIR_KO:-$ZCPAIR_ROOT/zcpair.ko}
echo "== kernel: $(uname -r)"
echo "== modinfo $ko"
modinfo "$ko"
echo "== insmod"
insmod "$ko"
dmesg | grep 'zcpair:' | tail -n 5
echo "== /sys/module/zcpair"
echo "initstate=$(cat /sys/module/zcpair/initstate) version=$(cat /sys/module/zcpair/version)"
echo "== rmmod"
rmmod zcpair
dmesg | grep 'zcpair:' | tail -n 1

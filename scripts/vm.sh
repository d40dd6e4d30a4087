#!/usr/bin/env bash
# Boot a cached zcpair kernel under virtme-ng and run a command as root.
#   scripts/vm.sh FLAVOR 'CMD'   run CMD in the checkout, exit with its status
#   scripts/vm.sh FLAVOR         interactive shell
#
# With no tty on stdin (CI, scripts) `vng --exec` cannot reach its script
# I/O ports and returns 255 whatever the command returned, so the command's
# output and status travel through a read-write directory shared with the
# guest instead; the output is streamed while the guest runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=$1; shift
cmd=${1:-}
check_flavor "$flavor"
kdir=$(kernel_builddir "$flavor")
[ -f "$kdir/.zcpair-built" ] || die "no $flavor kernel in the cache: run 'make kernel FLAVOR=$flavor'"

# Under TCG a KASAN kernel wants room; two vCPUs match the machine.
vng_opts=(${ZCPAIR_VM_CONSOLE:+--verbose} --run "$kdir" --cpus "${ZCPAIR_VM_CPUS:-2}" --memory "${ZCPAIR_VM_MEM:-2G}" --user root)
# /dev/kvm may exist where KVM does not work (seen here: QEMU aborts on an
# MSR write), so TCG is the default; ZCPAIR_VM_KVM=1 opts in to KVM.
[ "${ZCPAIR_VM_KVM:-0}" = 1 ] || vng_opts+=(--disable-kvm)
# The guest hides /var/cache; the cache (kernel source for YNL's cli.py,
# built selftests) is shared read-only at the same path.
vng_opts+=(--rodir "$ZCPAIR_CACHE")

if [ -z "$cmd" ]; then
	exec vng "${vng_opts[@]}"
fi

io=$(mktemp -d /tmp/zcpair-vm.XXXXXX)
trap 'rm -rf "$io"' EXIT
cat >"$io/guest.sh" <<GUEST
#!/bin/bash
cd '$ZCPAIR_ROOT'
# The guest's kernel log, kept for whoever has to debug a failure.
dmesg -w >'$io/kmsg' 2>&1 &
# zcpairctl (make tool) is on PATH in the guest.
export ZCPAIR_CACHE='$ZCPAIR_CACHE' ZCPAIR_KSRC='$(kernel_srcdir)'
export ZCPAIR_ROOT='$ZCPAIR_ROOT' ZCPAIR_FLAVOR='$flavor' PATH='$ZCPAIR_ROOT/userspace-tools/target/release:$PATH'
${ZCPAIR_SELFTESTS:+export ZCPAIR_SELFTESTS='$ZCPAIR_SELFTESTS'}
( $cmd ) >'$io/output' 2>&1 </dev/null
echo \$? >'$io/status'
sync
GUEST
: >"$io/output"

# The whole boot is cut off after 80 minutes, a guard against a hung guest
# (make check's tests take about 26 minutes under TCG on the machine the
# README measured, over an hour on one seen 3.5x slower; CI allows 90 for
# everything).
timeout "${ZCPAIR_VM_TIMEOUT:-4800}" vng "${vng_opts[@]}" --rwdir "$io" \
	--exec "bash $io/guest.sh" </dev/null >"$io/vng.log" 2>&1 &
vng_pid=$!
tail -n +1 -F --pid="$vng_pid" "$io/output" 2>/dev/null &
tail_pid=$!
vng_rc=0
wait "$vng_pid" || vng_rc=$?
wait "$tail_pid" 2>/dev/null || true

# ZCPAIR_VM_CONSOLE=FILE: the serial console, which (unlike the kernel log
# the guest streams) still holds the last oops when the guest dies.
if [ -n "${ZCPAIR_VM_CONSOLE:-}" ]; then
	cp "$io/vng.log" "$ZCPAIR_VM_CONSOLE" 2>/dev/null || true
fi
if [ -n "${ZCPAIR_VM_KMSG:-}" ]; then
	cp "$io/kmsg" "$ZCPAIR_VM_KMSG" 2>/dev/null || true
fi
if [ ! -s "$io/status" ]; then
	say "the guest's kernel log ends:"
	tail -n 60 "$io/kmsg" >&2
	say "the guest did not report a status (vng exited $vng_rc); its log:"
	tail -n 60 "$io/vng.log" >&2
	exit 125
fi
exit "$(cat "$io/status")"

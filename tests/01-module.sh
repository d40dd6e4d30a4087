#!/bin/bash
# The module loads, proves its bindings against C, reports the right
# modinfo, and unloads; repeatedly. Files and the kernel log are read by
# bash (no cat, grep): under TCG with the debug kernel each process start
# costs a second or so.
. "$(dirname "$0")/lib.sh"

ktap_plan 12

# Every field from one `modinfo`, a field's values joined by spaces.
declare -A MI
while IFS= read -r line; do
	k=${line%%:*} v=${line#*:}
	v=${v#"${v%%[![:space:]]*}"}
	MI[$k]+="${MI[$k]:+ }$v"
done < <(modinfo "$ZCPAIR_KO")
modinfo_field() { echo "${MI[$1]}"; }
ktap_expect_eq "modinfo: name" "zcpair" "$(modinfo_field name)"
ktap_expect_eq "modinfo: license" "GPL" "$(modinfo_field license)"
ktap_expect_eq "modinfo: version" "0.1.0" "$(modinfo_field version)"
ktap_expect_eq "modinfo: alias" "rtnl-link-zcpair" "$(modinfo_field alias)"
ktap_expect_eq "modinfo: description" \
	"Paired virtual Ethernet devices over shared DMA-coherent descriptor rings" \
	"$(modinfo_field description)"

# sysfs_read FILE: what $(cat FILE 2>/dev/null) gives.
sysfs_read() {
	local v=''
	{ v=$(<"$1"); } 2>/dev/null
	printf '%s' "$v"
}

module_loaded && rmmod zcpair
mark=$(dmesg_mark)
ktap_check "insmod zcpair.ko" insmod "$ZCPAIR_KO"
ktap_check "module is live" test "$(sysfs_read /sys/module/zcpair/initstate)" = live
# The first line since the mark that says "zcpair: ...net_device is".
line=
while IFS= read -r l; do
	[[ $l == *"zcpair: "*"net_device is"* ]] && { line=$l; break; }
done < <(dmesg_since "$mark")
re='net_device is [1-9][0-9]* bytes, private area at \+[0-9]+ \(Rust and C agree\)'
if [[ $line =~ $re ]]; then
	ktap_ok "init checked the generated bindings against C: ${line#*zcpair: }"
else
	ktap_fail "init checked the generated bindings against C" "log: ${line:-(nothing)}"
fi
ktap_expect_eq "/sys/module/zcpair/version" "0.1.0" "$(sysfs_read /sys/module/zcpair/version)"
ktap_check "rmmod zcpair" rmmod zcpair
ktap_check "module is gone after rmmod" test ! -e /sys/module/zcpair

cycles_ok=1
for _ in 1 2 3 4 5; do
	insmod "$ZCPAIR_KO" && rmmod zcpair || { cycles_ok=0; break; }
done
if [ "$cycles_ok" = 1 ] && ! module_loaded; then
	ktap_ok "5 load/unload cycles"
else
	ktap_fail "5 load/unload cycles"
fi
ktap_finish

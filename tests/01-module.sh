#!/bin/bash
# The module loads, proves its bindings against C, reports the right
# modinfo, and unloads; repeatedly.
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

module_loaded && rmmod zcpair
mark=$(dmesg_mark)
ktap_check "insmod zcpair.ko" insmod "$ZCPAIR_KO"
ktap_check "module is live" test "$(cat /sys/module/zcpair/initstate 2>/dev/null)" = live
line=$(dmesg_since "$mark" | grep -m1 'zcpair: .*net_device is')
if printf '%s' "$line" | grep -qE 'net_device is [1-9][0-9]* bytes, private area at \+[0-9]+ \(Rust and C agree\)'; then
	ktap_ok "init checked the generated bindings against C: ${line#*zcpair: }"
else
	ktap_fail "init checked the generated bindings against C" "log: ${line:-(nothing)}"
fi
ktap_expect_eq "/sys/module/zcpair/version" "0.1.0" "$(cat /sys/module/zcpair/version 2>/dev/null)"
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

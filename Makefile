# SPDX-License-Identifier: GPL-2.0
#
# zcpair: the developer's entry points. Kbuild reads ./Kbuild, not this file.
#
#   make demo                 the main job: build, boot, create a pair, traffic, stats
#   make check                set-up + debug kernel + module + all tests
#   make bench                normal kernel + module, one boot: zcpair vs veth vs netkit
#   make fuzz                 debug kernel: zcfuzz, 50,000 netlink requests (ZCPAIR_FUZZ_SEED/COUNT)
#   make stress               debug kernel: the long robustness campaign (tests/stress.py, ~45 min)
#   make setup                install what is missing (idempotent)
#   make kernel FLAVOR=...    build the cached lean kernel (normal|debug)
#   make -s kdir FLAVOR=...   print that kernel's build tree
#   make [module] [KDIR=...]  build zcpair.ko (default KDIR: the debug tree)
#   make vm FLAVOR=... CMD=.. boot the kernel and run CMD (a shell without CMD)
#   make lint                 rustfmt --check and clippy
#   make uapi                 regenerate include/uapi/linux/zcpair.h from the YNL spec
#   make tool                 build zcpairctl and zcfuzz (userspace-tools/, release), print their paths
#   make tool-test            the host tests of zcpairctl and zcfuzz (no module needed)
#   make clean                remove what the build made in the checkout

FLAVOR ?= debug
export FLAVOR KDIR ZCPAIR_CACHE LLVM CLIPPY

.DEFAULT_GOAL := module
.PHONY: module setup kernel kdir vm vm-run check demo bench fuzz stress lint fmt clean verify-kernel uapi tool tool-test

module: setup
	@scripts/module.sh

setup:
	@scripts/setup.sh

kernel: setup
	@scripts/kernel.sh build $(FLAVOR)

kdir:
	@scripts/kernel.sh dir $(FLAVOR)

verify-kernel:
	@scripts/kernel.sh verify $(FLAVOR)

# `make vm` exits with CMD's status, which plain GNU make cannot do (it
# exits 0, 1 or 2): vm-run saves the status, and vm hands it to exit(3)
# through a tiny make plugin built on first use.
ifneq ($(filter vm,$(MAKECMDGOALS)),)
-load .make-status.so(make_status_gmk_setup)
endif
.make-status.so: scripts/make-status.c
	@$(CC) -shared -fPIC -O2 -o $@ $<

vm: vm-run
	@$(zcpair-exit $(file < .zcpair-vm-status))

vm-run: setup
	@scripts/kernel.sh build $(FLAVOR)
	@rc=0; scripts/vm.sh $(FLAVOR) '$(subst ','\'',$(CMD))' || rc=$$?; \
		echo $$rc >.zcpair-vm-status; \
		[ $$rc = 0 ] || echo "make vm: CMD exited $$rc" >&2

check:
	@scripts/check.sh

demo:
	@scripts/demo.sh

bench:
	@scripts/bench.sh

fuzz:
	@scripts/fuzz.sh

stress:
	@scripts/stress.sh

lint:
	@scripts/lint.sh

uapi:
	@scripts/uapi.sh

# zcpairctl needs cargo and libclang (for bindgen over the uapi header):
# both come with `make setup`.
tool:
	@cd userspace-tools && cargo build --release --locked
	@echo "zcpairctl: $(CURDIR)/userspace-tools/target/release/zcpairctl"
	@echo "zcfuzz: $(CURDIR)/userspace-tools/target/release/zcfuzz"

tool-test:
	@cd userspace-tools && cargo test --locked

fmt:
	@rustfmt --edition 2021 --config-path .rustfmt.toml $$(git ls-files "*.rs" | grep -v userspace-tools/)

# Everything the build makes in the checkout (the kernel cache lives
# outside it, in /var/cache/zcpair or $ZCPAIR_CACHE).
clean:
	@if [ -f .zcpair-kdir ] && [ -d "$$(cat .zcpair-kdir)" ]; then \
		$(MAKE) -s -C "$$(cat .zcpair-kdir)" M=$(CURDIR) clean; fi
	@rm -rf .zcpair-kdir .zcpair-vm-status .make-status.so gen \
		scripts/__pycache__ tests/__pycache__
	@if [ -d userspace-tools/target ]; then \
		cargo clean --manifest-path userspace-tools/Cargo.toml; fi

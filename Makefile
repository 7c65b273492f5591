# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# aimc: build, test and run.  `make help` lists the targets.
#
# Kernel modules are built with Kbuild for each supported Debian kernel
# line (KERNELS; KERNEL=6.12 picks one, KDIR=/path builds for any other
# headers tree) into $(BUILD)/modules/<kernel release>/; userspace goes
# to $(BUILD).

BUILD ?= build
# Supported kernel lines (tools/kernel.sh resolves each one's current ABI).
ALL_KERNELS := 6.1 6.12
KERNELS := $(if $(KERNEL),$(KERNEL),$(ALL_KERNELS))
# Headers and images fetched from Debian's archive, kept between builds.
KERNEL_CACHE := $(BUILD)/kernels
# Where make modules puts the modules of one kernel line.
modules_dir = $(BUILD)/modules/$$(tools/kernel.sh abi $(1))

CC ?= gcc
CFLAGS ?= -O2 -g
# -ffp-contract=off: the integer contract's constants are binary64
# operations in the order written (runtime/docs/integer-inference.md); a
# fused multiply-add (gcc's default in GNU C wherever the target has FMA:
# aarch64, -march=native) would change their bits.
AIMC_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -fno-strict-aliasing \
	-ffp-contract=off -D_GNU_SOURCE $(CFLAGS)
AIMC_CPPFLAGS = -Iruntime/include -Iuapi -Iemulator/model -Idriver/hw -Iemulator/qemu \
	$(shell pkg-config --cflags libdrm) -DAIMC_PACKAGE_VERSION='"$(AIMC_VERSION)"' \
	$(CPPFLAGS)
# Everything that runs in the QEMU guest is linked statically: the
# initramfs then needs no shared libraries.
STATIC_LIBS = -static $(shell pkg-config --static --libs libdrm) -lm -lpthread
CHECK_LIBS = $(shell pkg-config --libs check) -lpthread

-include emulator/model/model.mk
MODEL_SRCS := $(addprefix emulator/model/,$(AIMC_MODEL_SRCS))
RUNTIME_SRCS := $(wildcard runtime/*.c)
HOST_TEST_SRCS := $(sort $(wildcard tests/host/test_*.c))
VM_TEST_SRCS := $(sort $(wildcard tests/vm/test_*.c))
# The PCI lane's PCI-only suites (aimc-pci cards in QEMU).
PCI_TEST_SRCS := $(sort $(wildcard tests/vm/pci/test_*.c))
TOOLS := aimc-smi aimc-run
# libaimc's white-box diagnostics (runtime/diag/README.md), built next to
# the tools in $(BUILD)/tools/ but from the runtime's own sources.
DIAGS := aimc-bench aimc-trace

LIBMODEL := $(BUILD)/libaimc_model.a
LIBAIMC := $(BUILD)/libaimc.a
TOOL_BINS := $(addprefix $(BUILD)/tools/,$(TOOLS) $(DIAGS))
HOST_TESTS := $(BUILD)/tests/host/aimc-host-tests
VM_TESTS := $(BUILD)/tests/vm/aimc-vm-tests
PCI_TESTS := $(BUILD)/tests/vm/pci/aimc-pci-tests
# Guest helpers of the shell tests (tests/vm/selftests/) and the fuzzer.
VM_TOOL_BINS := $(BUILD)/tests/vm/aimc-job-tool $(BUILD)/tests/vm/aimc-ioctl-fuzz
# The C path the Python package is held to (tests/python, make bench).
STREAM_C := $(BUILD)/tests/python/aimc-stream-c
STREAM_LOOP_SO := $(BUILD)/tests/python/libstream-loop.so

objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

.PHONY: all help deps modules userspace check check-deps check-all \
	check-host check-host-asan check-vm check-pci qemu check-qat check-kws lint checkpatch sparse demo demo-run \
	demo-kws demo-kws-run demo-python fuzz-smoke bench bench-run clean \
	install install-lib install-tools install-python install-dkms installable uninstall \
	check-install check-dkms check-debug check-debug-run check-python print-pythondir \
	vm-shell vm-shell-pci check-vm-deb deb check-deb-lint check-deb
.DEFAULT_GOAL := all
# Keep objects make considers intermediate: rebuilds stay incremental.
.SECONDARY:

all: modules userspace

help:
	@echo "make demo        run the stack on the in-process simulated card"
	@echo "make demo-kws    keyword spotting: a WAV streamed to the simulated card"
	@echo "make demo-python the Python package: digits on the sim card, drift and refresh"
	@echo "make check       install dependencies, build, lint, host and QEMU tests"
	@echo "make check-host  Check unit tests on this machine"
	@echo "make check-host-asan  the same suites under ASan + UBSan ($(BUILD)/asan)"
	@echo "make check-vm    boot each kernel in QEMU with aimc.ko + aimc_emu.ko, run guest tests"
	@echo "make check-pci   the same on two aimc-pci cards in a QEMU built with the device"
	@echo "                 (q35, 6.12 behind an emulated IOMMU, 6.1 without), and the"
	@echo "                 PCI-only tests (MSI-X, IOMMU, hot-unplug, FLR, AER, runtime PM)"
	@echo "make qemu        build that QEMU (emulator/qemu/build.sh; cached outside the checkout)"
	@echo "make vm-shell    a shell in a guest with an aimc_emu card on this terminal (vm-shell-pci:"
	@echo "                 two aimc-pci cards; KERNEL=6.1 for the other line, default 6.12)"
	@echo "make check-qat   the trainer's export round trip, read back by the C loader"
	@echo "make check-kws   the kws example's features and accuracy against the trainer"
	@echo "make check-python  the Python package's pytest suite (tests/python)"
	@echo "make check-debug the same on a KASAN/lockdep/kmemleak/UBSAN/DMA-API debug"
	@echo "                 kernel built from linux-source-6.12 (DEBUG_KERNEL=6.1 for 6.1;"
	@echo "                 not part of make check, CI runs it after)"
	@echo "make lint        checkpatch --strict and sparse on the kernel code"
	@echo "make bench       aimc-bench on the sim card and in the QEMU guest"
	@echo "make fuzz-smoke  run each fuzz target for FUZZ_SECONDS (default 20)"
	@echo "make deps        install the Debian packages everything needs"
	@echo "make modules     build aimc.ko and aimc_emu.ko for each kernel in KERNELS"
	@echo "                 ($(ALL_KERNELS); KERNEL=6.12 picks one, KDIR=/path another tree)"
	@echo "make userspace   build libaimc, tools and tests into $(BUILD)/"
	@echo "make install     libaimc, headers, aimc.pc, tools, man pages, udev rule,"
	@echo "                 modprobe.d file, Python package (PREFIX=$(PREFIX) DESTDIR=)"
	@echo "make install-dkms  module sources to /usr/src/aimc-$(AIMC_VERSION) for dkms"
	@echo "make uninstall   remove what make install installed"
	@echo "make check-install  install into a DESTDIR, build an example with pkg-config"
	@echo "make check-dkms  dkms build of both modules for each kernel in KERNELS"
	@echo "make deb         Debian packages into $(DEB_DIR)/: aimc-dkms, libaimc$(SONAME_MAJOR), libaimc-dev,"
	@echo "                 aimc-tools, python3-aimc (version: dkms.conf; a new one:"
	@echo "                 tools/debian/new-version.sh)"
	@echo "make check-deb-lint  make deb, then lintian, the packages' contents, the"
	@echo "                 unpacked tools, library and Python package on the sim card"
	@echo "make check-deb   install, upgrade and purge the packages in a Debian 12 chroot"
	@echo "                 (root, Debian's archive; DKMS on 6.1 and 6.12; not in make check)"
	@echo "make check-vm-deb  the QEMU lane on the modules DKMS builds from the aimc-dkms"
	@echo "                 package (KERNEL=6.1 for the other line, default 6.12)"

deps:
	tools/install-deps.sh

# KDIR names one headers tree; otherwise every line in KERNELS, its headers
# installed or fetched (tools/kernel.sh).
# "+": kbuild shares this make's jobs (make -j2 builds the modules with two).
modules:
ifdef KDIR
	+tools/build-modules.sh $(KDIR) $(BUILD)/modules/$$(sed -n \
		's/^#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h)
else
	+set -e; for k in $(KERNELS); do \
		echo "modules: $$k ($$(tools/kernel.sh abi $$k))"; \
		tools/build-modules.sh "$$(tools/kernel.sh kdir $$k $(KERNEL_CACHE))" \
			"$(call modules_dir,$$k)"; done
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CPPFLAGS) $(AIMC_CFLAGS) -MMD -MP -c $< -o $@

$(LIBMODEL): $(call objs,$(MODEL_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# libaimc.a carries the device model too (the sim backend runs it), so a
# static link needs libaimc.a alone, as a shared one needs libaimc.so.
$(LIBAIMC): $(call objs,$(RUNTIME_SRCS) $(MODEL_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(addprefix $(BUILD)/tools/,$(DIAGS)): $(BUILD)/tools/%: $(BUILD)/obj/runtime/diag/%.o \
		$(LIBAIMC) $(LIBMODEL)
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CFLAGS) -o $@ $(filter %.o,$^) $(LIBAIMC) $(LIBMODEL) \
		$(TOOL_LIBS_$*)

$(BUILD)/tools/%: $(BUILD)/obj/tools/%.o $(LIBAIMC) $(LIBMODEL)
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CFLAGS) -o $@ $(filter %.o,$^) $(LIBAIMC) $(LIBMODEL) \
		$(if $(TOOL_LIBS_$*),$(TOOL_LIBS_$*),$(STATIC_LIBS))

# ---- libaimc.so, install, DKMS (README.md, "Installing") ----
# The version lives in dkms.conf, the one file DKMS insists on reading.
AIMC_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# libaimc's soname follows its API (AIMC_API_VERSION_MAJOR in
# runtime/include/aimc.h and the node of runtime/libaimc.map), not the
# package version: API 2 broke API 1's ABI (README.md, "API 2").
SONAME_MAJOR := 2
LIBAIMC_SO := $(BUILD)/libaimc.so.$(SONAME_MAJOR).0.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# udev and modprobe never read /usr/local: a local install goes to /etc,
# a distribution package (PREFIX=/usr) to /usr/lib.
ifeq ($(PREFIX),/usr)
UDEVRULESDIR ?= /usr/lib/udev/rules.d
MODPROBEDIR ?= /usr/lib/modprobe.d
else
UDEVRULESDIR ?= /etc/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d
endif
DKMS_SRC ?= /usr/src/aimc-$(AIMC_VERSION)
DKMS_SRCS = $(filter-out %.mod.c %/aimc_config.h,$(wildcard driver/*.[ch] driver/hw/*.[ch] \
	emulator/*.[ch] emulator/model/*.[ch] driver/compat/probes/*.c)) \
	driver/compat/configure.sh
# libkmod has no static library: aimc-smi links it (and libc) dynamically
# and the rest statically; build-initramfs.sh brings the libraries along.
# aimc-run reads model files: json-c, linked statically like the rest
# (but for the sanitizers, which cannot link statically: check-host-asan).
STATIC_UNLESS_SANITIZED = $(if $(findstring -fsanitize,$(CFLAGS)),,-static)
TOOL_LIBS_aimc-run = $(STATIC_UNLESS_SANITIZED) \
	$(shell pkg-config --static --libs libdrm json-c) -lm -lpthread
# aimc-run's own parts besides tools/aimc-run.c (input, output)
$(BUILD)/tools/aimc-run $(BUILD)/dyn/aimc-run: \
	$(call objs,tools/aimc-run-input.c tools/aimc-run-report.c)
# aimc-trace (float vs integer reference, stage by stage) uses libaimc's
# internals (runtime/diag/): static only, never installed.
TOOL_LIBS_aimc-trace = $(TOOL_LIBS_aimc-run)
# aimc-bench opens shipped model files too (aimc_net_open).
TOOL_LIBS_aimc-bench = $(TOOL_LIBS_aimc-run)
TOOL_LIBS_aimc-smi = -Wl,-Bstatic $(shell pkg-config --libs libdrm json-c) \
	-Wl,-Bdynamic $(shell pkg-config --libs libkmod) -lm -lpthread
# Installed tools link libaimc.so like any application would: every
# program in tools/ is on the public API (runtime/diag/ is not).
INSTALL_TOOLS := $(TOOLS)
INSTALL_TOOL_BINS := $(addprefix $(BUILD)/dyn/,$(INSTALL_TOOLS))

# The keyword-spotting example (tools/examples/kws/README.md): libaimc,
# FFTW for the front end's FFT, json-c for the model's provenance.
KWS_SRCS := $(wildcard tools/examples/kws/*.c)
KWS_BIN := $(BUILD)/tools/aimc-kws
$(KWS_BIN): $(call objs,$(KWS_SRCS)) $(LIBAIMC)
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CFLAGS) -o $@ $(filter %.o,$^) $(LIBAIMC) $(STATIC_UNLESS_SANITIZED) \
		$(shell pkg-config --static --libs libdrm json-c fftw3) -lm -lpthread

# After the variables it names: make expands prerequisites as it reads.
userspace: $(LIBAIMC) $(LIBAIMC_SO) $(TOOL_BINS) $(INSTALL_TOOL_BINS) \
	$(HOST_TESTS) $(VM_TESTS) $(PCI_TESTS) $(VM_TOOL_BINS) $(KWS_BIN) $(STREAM_C) $(STREAM_LOOP_SO)

# What libaimc itself links; aimc.pc's Requires.private and Libs.private
# must name the same for static linking.
LIBAIMC_DEPS = $(shell pkg-config --libs libdrm json-c) -lm -lpthread
PIC_OBJS := $(patsubst %.c,$(BUILD)/pic/%.o,$(RUNTIME_SRCS) $(MODEL_SRCS))
MAN_PAGES := $(wildcard tools/man/*.1 runtime/man/*.3)

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CPPFLAGS) $(AIMC_CFLAGS) -fPIC -MMD -MP -c $< -o $@

$(LIBAIMC_SO): $(PIC_OBJS) runtime/libaimc.map
	$(CC) $(AIMC_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libaimc.so.$(SONAME_MAJOR) \
		-Wl,--version-script=runtime/libaimc.map -Wl,--no-undefined \
		-o $@ $(PIC_OBJS) -Wl,--as-needed $(LIBAIMC_DEPS)
	ln -sf $(notdir $@) $(BUILD)/libaimc.so.$(SONAME_MAJOR)
	ln -sf libaimc.so.$(SONAME_MAJOR) $(BUILD)/libaimc.so

$(BUILD)/dyn/%: $(BUILD)/obj/tools/%.o $(LIBAIMC_SO)
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) -L$(BUILD) -Wl,--as-needed -laimc \
		$(shell pkg-config --libs libdrm json-c libkmod)

install: install-lib install-tools install-python
	install -d $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(MODPROBEDIR)
	install -m 644 tools/udev/70-aimc.rules $(DESTDIR)$(UDEVRULESDIR)/
	install -m 644 tools/modprobe.d/aimc.conf $(DESTDIR)$(MODPROBEDIR)/
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		ldconfig; udevadm control --reload 2>/dev/null || true; fi

install-lib: $(LIBAIMC_SO) $(LIBAIMC)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/aimc/drm $(DESTDIR)$(MANDIR)/man3
	install -m 755 $(LIBAIMC_SO) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(LIBAIMC) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIBAIMC_SO)) $(DESTDIR)$(LIBDIR)/libaimc.so.$(SONAME_MAJOR)
	ln -sf libaimc.so.$(SONAME_MAJOR) $(DESTDIR)$(LIBDIR)/libaimc.so
	sed -e 's|@PREFIX@|$(PREFIX)|' \
		-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
		-e 's|@VERSION@|$(AIMC_VERSION)|' runtime/aimc.pc.in \
		> $(DESTDIR)$(PKGCONFIGDIR)/aimc.pc
	install -m 644 $(wildcard runtime/include/*.h) $(DESTDIR)$(INCLUDEDIR)/aimc/
	install -m 644 uapi/drm/aimc_accel.h $(DESTDIR)$(INCLUDEDIR)/aimc/drm/
	install -m 644 $(filter %.3,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man3/

# An example for aimc-run (README.md, "Verify"): the trainer's shipped
# 4-bit digits model and the test split it classifies.
EXAMPLES := tools/qat/models/digits-qat4-pruned.safetensors tools/data/digits-test.txt

install-tools: $(INSTALL_TOOL_BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/aimc/examples
	install -m 755 $(INSTALL_TOOL_BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DATADIR)/aimc/examples/

# What make install installs, built (the Debian packages' build step).
installable: $(LIBAIMC_SO) $(LIBAIMC) $(INSTALL_TOOL_BINS)

# The Python package (runtime/python/aimc, pure Python over libaimc.so.2)
# for Debian's python3: /usr/lib/python3/dist-packages for a distribution
# package, /usr/local/lib/python3.X/dist-packages (Debian's site
# directory for local installs) otherwise.  _installed.py records LIBDIR,
# so the package finds the library it was installed with even where the
# dynamic loader does not look.  PY_COMPILE=no leaves out the byte code
# (Debian's python3 packages compile it when they are installed).
PYTHON ?= /usr/bin/python3
PYTHON_SRCS := $(wildcard runtime/python/aimc/*.py)
PY_COMPILE ?= yes
ifeq ($(PREFIX),/usr)
PYTHONDIR ?= /usr/lib/python3/dist-packages
else
PYTHONDIR ?= $(PREFIX)/lib/python$(shell $(PYTHON) -c \
	'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages
endif

# For tests/install/check-install.sh: where install-python puts the package.
print-pythondir:
	@echo $(PYTHONDIR)

install-python:
	install -d $(DESTDIR)$(PYTHONDIR)/aimc
	install -m 644 $(PYTHON_SRCS) $(DESTDIR)$(PYTHONDIR)/aimc/
	printf '"""Written by make install: where libaimc is."""\nLIBDIR = "%s"\n' \
		'$(LIBDIR)' > $(DESTDIR)$(PYTHONDIR)/aimc/_installed.py
	$(if $(filter yes,$(PY_COMPILE)),$(PYTHON) -m compileall -q -d $(PYTHONDIR)/aimc \
		$(DESTDIR)$(PYTHONDIR)/aimc)

# What dkms needs: the Kbuild files and the sources of both modules.
install-dkms:
	install -d $(DESTDIR)$(DKMS_SRC)
	tar -cf - dkms.conf Kbuild uapi driver/Kbuild emulator/Kbuild \
		emulator/model/model.mk emulator/model/aimc_presets.def $(DKMS_SRCS) | \
		tar -xf - -C $(DESTDIR)$(DKMS_SRC)

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libaimc.so* $(DESTDIR)$(LIBDIR)/libaimc.a \
		$(DESTDIR)$(PKGCONFIGDIR)/aimc.pc \
		$(addprefix $(DESTDIR)$(BINDIR)/,$(INSTALL_TOOLS)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(filter %.1,$(MAN_PAGES)))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(filter %.3,$(MAN_PAGES)))) \
		$(DESTDIR)$(UDEVRULESDIR)/70-aimc.rules $(DESTDIR)$(MODPROBEDIR)/aimc.conf
	rm -rf $(DESTDIR)$(INCLUDEDIR)/aimc $(DESTDIR)$(DATADIR)/aimc
	rm -rf $(DESTDIR)$(PYTHONDIR)/aimc

check-install: $(LIBAIMC_SO) $(LIBAIMC) $(INSTALL_TOOL_BINS)
	BUILD=$(BUILD) PYTHON=$(PYTHON) tests/install/check-install.sh

check-dkms:
	set -e; for k in $(KERNELS); do \
		BUILD=$(BUILD) KERNEL_LINE=$$k tests/install/check-dkms.sh; done

# ---- Debian packages (tools/debian/README.md) ----
# make deb: aimc-dkms, libaimc2, libaimc-dev, aimc-tools and python3-aimc
# into $(DEB_DIR), built by dpkg-buildpackage from a copy of the tree.
# DEB_BUILD_OPTIONS as for dpkg-buildpackage (nocheck: without the host
# suites the package build runs; parallel=<cores> unless given).
DEB_DIR := $(BUILD)/deb

deb:
	tools/install-deps.sh build deb
	DEB_BUILD_OPTIONS="$(strip $(DEB_BUILD_OPTIONS))" nice -n 10 \
		tools/debian/build-debs.sh $(DEB_DIR)

# In make check: the packages as built (lintian, contents, the unpacked
# library, tools and Python package on the sim card; about 20 s after
# make deb).
check-deb-lint: deb
	tools/install-deps.sh build deb python
	DEB_DIR=$(DEB_DIR) PYTHON=$(PYTHON) tests/install/check-deb-lint.sh

# On demand (root, Debian's archive, about 17 minutes): install, upgrade
# and purge in a Debian 12 chroot with both kernels (tests/install/check-deb.sh).
check-deb: deb
	DEB_DIR=$(DEB_DIR) CHECK_DEB_CACHE=$(BUILD)/check-deb tests/install/check-deb.sh

.SECONDEXPANSION:
# Test runners: every `Suite *name_suite(void)` in a suite directory's
# test_*.c files is registered, so adding a suite touches no shared list.
$(BUILD)/tests/%/suites.h: $$(sort $$(wildcard tests/%/test_*.c))
	@mkdir -p $(dir $@)
	grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $^ /dev/null | \
		sed 's/^Suite \*\(.*\)(void)/AIMC_SUITE(\1)/' > $@.tmp
	mv $@.tmp $@

$(BUILD)/obj/tests/%/check_main.o: tests/check_main.c $(BUILD)/tests/%/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CPPFLAGS) -I$(BUILD)/tests/$* $(AIMC_CFLAGS) -MMD -MP -c $< -o $@

$(HOST_TESTS): $(BUILD)/obj/tests/host/check_main.o $(call objs,$(HOST_TEST_SRCS)) \
		$(LIBAIMC) $(LIBMODEL)
	$(CC) $(AIMC_CFLAGS) -o $@ $^ $(shell pkg-config --libs libdrm json-c) $(CHECK_LIBS)

$(VM_TESTS): $(BUILD)/obj/tests/vm/check_main.o $(call objs,$(VM_TEST_SRCS)) \
		$(LIBAIMC) $(LIBMODEL)
	$(CC) $(AIMC_CFLAGS) -o $@ $^ $(STATIC_LIBS) \
		$(shell pkg-config --static --libs check json-c)

$(PCI_TESTS): $(BUILD)/obj/tests/vm/pci/check_main.o $(call objs,$(PCI_TEST_SRCS)) \
		$(LIBAIMC) $(LIBMODEL)
	$(CC) $(AIMC_CFLAGS) -o $@ $^ $(STATIC_LIBS) \
		$(shell pkg-config --static --libs check json-c)

$(VM_TOOL_BINS): $(BUILD)/tests/vm/%: $(BUILD)/obj/tests/vm/%.o $(LIBAIMC) $(LIBMODEL)
	$(CC) $(AIMC_CFLAGS) -o $@ $^ $(STATIC_LIBS) \
		$(shell pkg-config --static --libs check json-c)

check-host: $(HOST_TESTS) $(BUILD)/tools/aimc-smi $(BUILD)/tools/aimc-run
	AIMC_SMI=$(BUILD)/tools/aimc-smi AIMC_RUN=$(BUILD)/tools/aimc-run $(HOST_TESTS)

# The same Check suites built with ASan + UBSan into their own build
# directory; any report aborts the test (-fno-sanitize-recover).  gcc's
# -Wmaybe-uninitialized misfires at -O1 with the sanitizers' extra
# control flow; the normal -O2 build keeps the warning.
ASAN_BUILD ?= $(BUILD)/asan
ASAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -Wno-maybe-uninitialized \
	-fsanitize=address,undefined -fno-sanitize-recover=all

check-host-asan:
	$(MAKE) BUILD=$(ASAN_BUILD) CC=gcc CFLAGS="$(ASAN_CFLAGS)" \
		$(ASAN_BUILD)/tests/host/aimc-host-tests $(ASAN_BUILD)/tools/aimc-smi \
		$(ASAN_BUILD)/tools/aimc-run
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	CK_TIMEOUT_MULTIPLIER=4 AIMC_SMI=$(ASAN_BUILD)/tools/aimc-smi \
	AIMC_RUN=$(ASAN_BUILD)/tools/aimc-run $(ASAN_BUILD)/tests/host/aimc-host-tests

# Each kernel line boots with its own node kind (6.1: render, 6.12: accel).
check-vm: modules $(TOOL_BINS) $(VM_TESTS) $(VM_TOOL_BINS) $(LIBAIMC_SO) $(KWS_BIN)
	set -e; for k in $(KERNELS); do \
		BUILD=$(BUILD) KERNEL_LINE=$$k tests/vm/run.sh; done

# The QEMU lane on the modules DKMS builds from the aimc-dkms package of
# make deb (the packaged modules are the tested modules), for one kernel
# line (KERNEL, default 6.12).
VM_DEB_KERNEL := $(if $(KERNEL),$(KERNEL),6.12)
check-vm-deb: deb $(TOOL_BINS) $(VM_TESTS) $(VM_TOOL_BINS) $(LIBAIMC_SO) $(KWS_BIN)
	set -e; abi=$$(tools/kernel.sh abi $(VM_DEB_KERNEL)); \
	version=$$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf); \
	BUILD=$(BUILD) KERNEL_LINE=$(VM_DEB_KERNEL) \
		DKMS_DEB=$(DEB_DIR)/aimc-dkms_$${version}_all.deb \
		MODULES_OUT=$(BUILD)/modules-deb/$$abi tests/install/check-dkms.sh; \
	BUILD=$(BUILD) KERNEL_LINE=$(VM_DEB_KERNEL) \
		VM_AIMC_MODULES=$(BUILD)/modules-deb/$$abi \
		VM_WORKDIR=$(BUILD)/vm-deb/$$abi tests/vm/run.sh

# A shell in the guest with the driver bound, on this terminal: an
# aimc_emu card (vm-shell) or two aimc-pci cards (vm-shell-pci); the
# kernel line is KERNEL (default 6.12).
VM_SHELL_KERNEL := $(if $(KERNEL),$(KERNEL),6.12)
vm-shell: modules $(TOOL_BINS) $(VM_TESTS) $(VM_TOOL_BINS) $(LIBAIMC_SO) $(KWS_BIN)
	BUILD=$(BUILD) KERNEL_LINE=$(VM_SHELL_KERNEL) VM_INTERACTIVE=1 tests/vm/run.sh

vm-shell-pci: modules $(TOOL_BINS) $(KWS_BIN) $(VM_TESTS) $(PCI_TESTS) $(VM_TOOL_BINS) $(LIBAIMC_SO)
	BUILD=$(BUILD) KERNEL_LINE=$(VM_SHELL_KERNEL) VM_INTERACTIVE=1 tests/vm/run-pci.sh

# The Python package's pytest suite (tests/python/README.md) on the
# library just built, with the C path it is held to (aimc-stream-c, on the
# public API, linked to the same libaimc.so.2).
PYTEST_ARGS ?= -q
$(STREAM_C): $(BUILD)/obj/tests/python/aimc-stream-c.o \
		$(BUILD)/obj/tests/python/stream_loop.o $(LIBAIMC_SO)
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CFLAGS) -o $@ $(filter %.o,$^) -L$(BUILD) -laimc -Wl,-rpath,$(abspath $(BUILD))

# The same loop as a library: make bench calls it in the Python process.
$(STREAM_LOOP_SO): $(BUILD)/pic/tests/python/stream_loop.o $(LIBAIMC_SO)
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CFLAGS) -shared -o $@ $< -L$(BUILD) -laimc -Wl,-rpath,$(abspath $(BUILD))

check-python: $(LIBAIMC_SO) $(STREAM_C)
	AIMC_LIBRARY=$(abspath $(BUILD))/libaimc.so.$(SONAME_MAJOR) \
	AIMC_STREAM_C=$(abspath $(STREAM_C)) PYTHONPATH=runtime/python \
		$(PYTHON) -m pytest $(PYTEST_ARGS) tests/python

# The PCI lane (README.md, "The PCI lane"): Debian's QEMU built with the
# aimc-pci device (emulator/qemu/build.sh, cached outside the checkout)
# boots each kernel line with two cards; aimc.ko binds them through its
# PCI glue.  6.12 runs behind an emulated VT-d, 6.1 without an IOMMU.
qemu:
	BUILD=$(BUILD) emulator/qemu/build.sh

check-pci: modules $(TOOL_BINS) $(KWS_BIN) $(VM_TESTS) $(PCI_TESTS) $(VM_TOOL_BINS) $(LIBAIMC_SO)
	set -e; for k in $(KERNELS); do \
		BUILD=$(BUILD) KERNEL_LINE=$$k tests/vm/run-pci.sh; done

# The QAT trainer's export round trip (tools/qat/README.md, a few
# seconds): tiny models trained a few steps, exported, re-read by the
# Python reader; every exported quantized file is then loaded, programmed
# and run by the C runtime on an exact sim card through the aimc Python
# package, which must compute the trainer's integer arithmetic
# (golden.integer_forward) bit for bit, so the exporter, the runtime's
# loader and the contract cannot drift apart.  Last, golden.py must still
# compute the committed golden vectors, and so must the card through the
# package (tests/host/test_golden.c holds the C API to them too).
QAT_RT := $(BUILD)/qat/roundtrip
QAT_ENV := OPENBLAS_NUM_THREADS=1 AIMC_LIBRARY=$(abspath $(BUILD))/libaimc.so.$(SONAME_MAJOR)
check-qat: $(LIBAIMC_SO)
	rm -rf $(QAT_RT) && mkdir -p $(QAT_RT)
	cd tools/qat && $(QAT_ENV) /usr/bin/python3 -m aimc_qat.roundtrip --card \
		--keep $(abspath $(QAT_RT)) >$(abspath $(QAT_RT)).log 2>&1 || { cat $(abspath $(QAT_RT)).log; exit 1; }
	grep -E '^ok: .*bit for bit|card \(exact sim\)' $(QAT_RT).log
	tail -n 1 $(QAT_RT).log
	set -e; cd tools/qat && for v in models/golden/*.vectors.safetensors; do \
		$(QAT_ENV) /usr/bin/python3 -m aimc_qat.golden \
			models/$$(basename $$v .vectors.safetensors).safetensors --check $$v --card; done
	cd tools/qat && $(QAT_ENV) /usr/bin/python3 -m aimc_qat.golden $(abspath $(QAT_RT))/tiny-q4v8-pruned.safetensors \
		--check $(abspath $(QAT_RT))/golden-tiny-q4v8-pruned.vectors.safetensors --card
	CC=$(CC) tools/qat/check_presets.sh

# The debug-kernel lane (README.md): builds its kernel once into a cache
# outside the checkout (tools/debug-kernel/build.sh), our modules against
# it, and runs the guest suite.
check-debug:
	tools/install-deps.sh build vm debug
	$(MAKE) check-debug-run

check-debug-run: $(TOOL_BINS) $(VM_TESTS) $(VM_TOOL_BINS) $(LIBAIMC_SO) $(KWS_BIN)
	BUILD=$(BUILD) tools/debug-kernel/check.sh

# Fuzz targets (tests/fuzz/fuzz_NAME.c, libFuzzer + ASan + UBSan, clang),
# each with a seed corpus in tests/fuzz/corpus/NAME/.  fuzz-smoke runs
# each for FUZZ_SECONDS (CI); run longer with e.g. FUZZ_SECONDS=600.
FUZZ_SECONDS ?= 20
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

# Runtime sources a target needs besides the model (FUZZ_SRCS_NAME).
FUZZ_SRCS_model_file := runtime/model_file.c runtime/error.c

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(MODEL_SRCS) $$(FUZZ_SRCS_$$*)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(AIMC_CPPFLAGS) -o $@ $< $(MODEL_SRCS) \
		$(FUZZ_SRCS_$*) $(if $(FUZZ_SRCS_$*),$(shell pkg-config --cflags --libs json-c))

fuzz-smoke: $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_NAMES))
	@for name in $(FUZZ_NAMES); do \
		corpus=$(BUILD)/fuzz/corpus-$$name; \
		mkdir -p $$corpus && cp tests/fuzz/corpus/$$name/* $$corpus/ && \
		echo "fuzz: $$name for $(FUZZ_SECONDS) s" && \
		$(BUILD)/fuzz/fuzz_$$name -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 $$corpus 2>$(BUILD)/fuzz/$$name.log || \
			{ tail -50 $(BUILD)/fuzz/$$name.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' $(BUILD)/fuzz/$$name.log; \
	done

lint: checkpatch sparse

checkpatch:
	BUILD=$(BUILD) tools/checkpatch.sh driver emulator uapi

sparse:
	set -e; for k in $(KERNELS); do \
		BUILD=$(BUILD) KERNEL_LINE=$$k tools/sparse.sh; done

# Benchmarks: aimc-bench on this machine (sim backend) and in the QEMU
# guest (kernel path), with tables, CSV and JSON under $(BUILD)/bench/.
# Only the packages it needs (no trainer, fuzzer or lint packages).
bench:
	tools/install-deps.sh build vm qemu bench python
	$(MAKE) bench-run

bench-run: modules $(TOOL_BINS) $(VM_TESTS) $(LIBAIMC_SO) $(STREAM_LOOP_SO)
	BUILD=$(BUILD) tools/bench.sh

demo: deps
	$(MAKE) demo-run

# The trainer's shipped digits model (tools/qat/README.md,
# reproduce_models.sh) on the in-process sim card, over the test split.
DEMO_MODEL ?= tools/qat/models/digits-qat4-pruned.safetensors
DEMO_INPUT ?= tools/data/digits-test.txt

demo-run: $(BUILD)/tools/aimc-smi $(BUILD)/tools/aimc-run
	$(BUILD)/tools/aimc-smi --device sim
	@test -f $(DEMO_MODEL) || { echo "demo: $(DEMO_MODEL) is missing:" \
		"no trained model is shipped yet (tools/qat/reproduce_models.sh makes it)" >&2; exit 1; }
	$(BUILD)/tools/aimc-run $(DEMO_MODEL) --device sim --input $(DEMO_INPUT)

# The Python package's example (tools/examples/python/digits_drift.py):
# the shipped digits model on the sim card, its accuracy and programming
# statistics, then drift against refresh over a year of virtual time,
# plotted into $(BUILD)/digits-drift.png when matplotlib is installed.
demo-python: $(LIBAIMC_SO)
	AIMC_LIBRARY=$(abspath $(BUILD))/libaimc.so.$(SONAME_MAJOR) PYTHONPATH=runtime/python \
		$(PYTHON) tools/examples/python/digits_drift.py --plot $(BUILD)/digits-drift.png

# The keyword-spotting example: the shipped kws model on the sim card,
# streaming a shipped WAV of ten held-out words (tools/examples/kws/).
KWS_MODEL ?= tools/qat/models/kws-qat4-pruned.safetensors
KWS_DEMO_WAV ?= tools/examples/kws/data/heldout-digits.wav

demo-kws: deps
	$(MAKE) demo-kws-run

demo-kws-run: $(KWS_BIN)
	$(KWS_BIN) $(KWS_MODEL) $(KWS_DEMO_WAV) --device sim

# Its contract with the trainer (tools/examples/kws/check.py): the C
# features equal the Python ones within 1e-4, and the example's accuracy
# on the 600 held-out-accent test words (sim, seeds 1-5) is within 1
# point of the trainer's figure for the shipped file (tools/qat/README.md's
# shipped-models table).  The first run builds the trainer's kws data set
# (espeak-ng, about 50 s) into $(BUILD)/qat/data.
check-kws: $(KWS_BIN)
	OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/examples/kws/check.py \
		$(KWS_BIN) $(KWS_MODEL) $(BUILD)/kws/test

# The one command CI and newcomers run: dependencies first, then a
# fresh make so that pkg-config and KDIR see what was just installed.
check: deps
	$(MAKE) check-all

# One make per step, in this order, each with its time (CI reports them).
CHECK_STEPS := all lint check-host check-host-asan check-python check-qat check-kws \
	fuzz-smoke check-install check-dkms check-deb-lint check-vm check-pci
# check-host has run the suites: the package build in check-deb-lint
# skips them (half of make deb's time).
check-all: export DEB_BUILD_OPTIONS := $(strip $(DEB_BUILD_OPTIONS) nocheck)
check-all:
	@set -e; for t in $(CHECK_STEPS); do \
		start=$$(date +%s); \
		$(MAKE) $$t; \
		echo "check: $$t passed in $$(($$(date +%s) - start)) s"; \
	done

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/pic -name '*.d' 2>/dev/null)

# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# aimc: build, test and run.  `make help` lists the targets.
#
# Kernel modules are built with Kbuild against KDIR (default: the headers
# of the installed linux-headers-amd64 metapackage); userspace goes to
# $(BUILD).

BUILD ?= build
KABI = $(shell tools/kernel-abi.sh)
KDIR ?= /usr/src/linux-headers-$(KABI)

CC ?= gcc
CFLAGS ?= -O2 -g
AIMC_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -fno-strict-aliasing \
	-D_GNU_SOURCE $(CFLAGS)
AIMC_CPPFLAGS = -Iruntime/include -Iuapi -Iemulator/model \
	$(shell pkg-config --cflags libdrm)
# Everything that runs in the QEMU guest is linked statically: the
# initramfs then needs no shared libraries.
STATIC_LIBS = -static $(shell pkg-config --static --libs libdrm) -lpthread
CHECK_LIBS = $(shell pkg-config --libs check) -lpthread

-include emulator/model/model.mk
MODEL_SRCS := $(addprefix emulator/model/,$(AIMC_MODEL_SRCS))
RUNTIME_SRCS := $(wildcard runtime/*.c)
HOST_TEST_SRCS := $(sort $(wildcard tests/host/test_*.c))
VM_TEST_SRCS := $(sort $(wildcard tests/vm/test_*.c))
TOOLS := aimc-smi

LIBMODEL := $(BUILD)/libaimc_model.a
LIBAIMC := $(BUILD)/libaimc.a
TOOL_BINS := $(addprefix $(BUILD)/tools/,$(TOOLS))
HOST_TESTS := $(BUILD)/tests/host/aimc-host-tests
VM_TESTS := $(BUILD)/tests/vm/aimc-vm-tests

objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

.PHONY: all help deps modules userspace check check-deps check-all \
	check-host check-vm lint checkpatch sparse demo demo-run clean
.DEFAULT_GOAL := all

all: modules userspace

help:
	@echo "make demo        run the stack on the in-process simulated card"
	@echo "make check       install dependencies, build, lint, host and QEMU tests"
	@echo "make check-host  Check unit tests on this machine"
	@echo "make check-vm    boot a kernel in QEMU with aimc.ko + aimc_emu.ko, run guest tests"
	@echo "make lint        checkpatch --strict and sparse on the kernel code"
	@echo "make deps        install the Debian packages everything needs"
	@echo "make modules     build aimc.ko and aimc_emu.ko (KDIR=$(KDIR))"
	@echo "make userspace   build libaimc, tools and tests into $(BUILD)/"

deps:
	tools/install-deps.sh

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace: $(LIBAIMC) $(TOOL_BINS) $(HOST_TESTS) $(VM_TESTS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CPPFLAGS) $(AIMC_CFLAGS) -MMD -MP -c $< -o $@

$(LIBMODEL): $(call objs,$(MODEL_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBAIMC): $(call objs,$(RUNTIME_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tools/%: $(BUILD)/obj/tools/%.o $(LIBAIMC) $(LIBMODEL)
	@mkdir -p $(dir $@)
	$(CC) $(AIMC_CFLAGS) -o $@ $< $(LIBAIMC) $(LIBMODEL) $(STATIC_LIBS)

.SECONDEXPANSION:
# Test runners: every `Suite *name_suite(void)` in a suite directory's
# test_*.c files is registered, so adding a suite touches no shared list.
$(BUILD)/tests/%/suites.h: $$(sort $$(wildcard tests/%/test_*.c))
	@mkdir -p $(dir $@)
	grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $^ /dev/null | \
		sed 's/^Suite \*\(.*\)(void)/AIMC_SUITE(\1)/' > $@.tmp
	mv $@.tmp $@

$(BUILD)/obj/tests/%/check_main.o: tests/check_main.c $(BUILD)/tests/%/suites.h
	$(CC) $(AIMC_CPPFLAGS) -I$(BUILD)/tests/$* $(AIMC_CFLAGS) -MMD -MP -c $< -o $@

$(HOST_TESTS): $(BUILD)/obj/tests/host/check_main.o $(call objs,$(HOST_TEST_SRCS)) \
		$(LIBAIMC) $(LIBMODEL)
	$(CC) $(AIMC_CFLAGS) -o $@ $^ $(shell pkg-config --libs libdrm) $(CHECK_LIBS)

$(VM_TESTS): $(BUILD)/obj/tests/vm/check_main.o $(call objs,$(VM_TEST_SRCS)) \
		$(LIBAIMC) $(LIBMODEL)
	$(CC) $(AIMC_CFLAGS) -o $@ $^ $(STATIC_LIBS) \
		$(shell pkg-config --static --libs check)

check-host: $(HOST_TESTS)
	$(HOST_TESTS)

check-vm: modules $(TOOL_BINS) $(VM_TESTS)
	BUILD=$(BUILD) tests/vm/run.sh

lint: checkpatch sparse

checkpatch:
	BUILD=$(BUILD) tools/checkpatch.sh driver emulator uapi

sparse:
	BUILD=$(BUILD) KDIR=$(KDIR) tools/sparse.sh

demo: deps
	$(MAKE) demo-run

demo-run: $(BUILD)/tools/aimc-smi
	$(BUILD)/tools/aimc-smi --device sim

# The one command CI and newcomers run: dependencies first, then a
# fresh make so that pkg-config and KDIR see what was just installed.
check: deps
	$(MAKE) check-all

check-all: all lint check-host check-vm

clean:
	rm -rf $(BUILD)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

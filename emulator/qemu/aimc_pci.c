/* SPDX-License-Identifier: GPL-2.0-or-later OR MIT */
/*
 * aimc-pci: the AIMC-1 analog in-memory-computing card as a QEMU PCIe
 * device, so that aimc.ko's PCI glue (driver/aimc_pci.c) meets a card:
 * BAR0 with the register file of the hardware contract (aimc_hw_regs.h),
 * decoded by the device model's aimc_regfile (as in aimc_emu.ko),
 * MSI-X with the completion and error vectors (BAR4), descriptor fetch,
 * operands and completion write-back by DMA through QEMU's PCI DMA API
 * (so that -device intel-iommu translates and faults them), reset
 * through CONTROL.RESET and function-level reset, D3hot, AER, and a test
 * BAR (BAR2, aimc_pci_dbg.h) with the fault knobs of aimc_emu.ko.
 *
 * The physics is the device model of emulator/model/, the same C files
 * aimc_emu.ko and libaimc's sim backend run (one model, a third home).
 * emulator/qemu/build.sh builds QEMU with this file; emulator/README.md
 * documents the properties and the knobs.
 *
 * Threads.  A card works in parallel with the host: every descriptor is
 * run by the card's own thread (the worker), never by the vCPU that
 * wrote the doorbell.  One lock guards all the device's state: QEMU's
 * BQL, which MMIO and config-space handlers already hold.  The worker
 * holds it too, except while the device model computes (@computing),
 * and a model DMA callback takes it for the duration of the one
 * pci_dma_rw() (an IOMMU fault raises an interrupt, which TCG requires
 * under the BQL).  Every reset, D3hot entry and removal bumps @epoch
 * under the BQL; a DMA or interrupt is issued only under the BQL and
 * only while the epoch it started in is current, so none happens after
 * a reset has returned.  The device model is touched only by the worker
 * while computing, or by anyone holding the BQL while it is not.
 *
 * Distrust.  Like hw/misc/edu.c the device distrusts the driver: a
 * register access of the wrong size or alignment, a write to a
 * read-only or unknown register, a doorbell beyond the ring, a ring
 * configuration the contract refuses are guest errors (-d guest_errors
 * logs them) and change nothing; the device model range-checks every
 * descriptor field; DMA goes only through pci_dma_rw() and a transfer
 * whose end wraps around is refused.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"

#include "aimc_model.h"
#include "aimc_regfile.h"
#include "aimc_pci_dbg.h"

#define TYPE_AIMC_PCI           "aimc-pci"
OBJECT_DECLARE_SIMPLE_TYPE(AimcPciState, AIMC_PCI)

/* IDs aimc.ko's PCI glue matches (driver/aimc_pci.c). */
#define AIMC_PCI_VENDOR_ID      0x1f1f
#define AIMC_PCI_DEVICE_ID      0x0001
#define AIMC_PCI_CLASS          0x1200  /* processing accelerator */

#define AIMC_MSIX_BAR           4
#define AIMC_PM_CAP_OFFSET      0x60
#define AIMC_EXP_CAP_OFFSET     0x80
#define AIMC_AER_OFFSET         0x100

/* Serial numbers of these cards start here (SERIAL) unless set. */
#define AIMC_PCI_SERIAL_BASE    0xc0000000u

/* No operand of the contract is larger: a longer transfer is a bug. */
#define AIMC_DMA_MAX_BYTES      (1u << 20)
/* Stray messages one storm batch delivers before it lets the vCPUs in. */
#define AIMC_STORM_BATCH        64
/* ... at this pace: about what a TCG vCPU takes without merging them. */
#define AIMC_STORM_GAP_NS       20000
/* How long a latching storm waits for the driver's acknowledgment. */
#define AIMC_STORM_ACK_WAIT_MS  10

/* Fault knobs (aimc_pci_dbg.h); "next" ones are consumed when they fire. */
typedef struct AimcKnobs {
    uint32_t hang_next_job;
    uint32_t hang_every_n;
    uint32_t fail_next_dma;
    uint32_t fail_next_dma_read;
    uint32_t fail_next_dma_write;
    uint32_t drop_next_irq;
    uint32_t error_next_desc;
    uint32_t delay_us;
    uint32_t redirect_lo;
    uint32_t redirect_hi;
    uint32_t redirect_armed;
    uint32_t storm_left;
    uint32_t storm_bits;
    uint32_t storm_raised;
    int64_t storm_last_ns;
    uint32_t stick_tile;
    uint32_t stick_row;
    uint32_t stick_col;
    uint32_t stick_cmd;
    uint32_t stick_status;
} AimcKnobs;

/* A descriptor the worker fetched. */
typedef struct AimcFetch {
    uint32_t head;
    uint32_t mask;
    uint64_t ring_base;
    uint64_t cpl_addr;
    uint32_t epoch;
    uint8_t raw[AIMC_DESC_BYTES];
} AimcFetch;

struct AimcPciState {
    PCIDevice pdev;
    MemoryRegion bar0;
    MemoryRegion dbg;

    /* properties */
    uint32_t tiles;
    uint32_t rows;
    uint32_t cols;
    uint32_t slots;
    uint64_t seed;
    bool noise_free;
    char *preset;
    uint32_t serial;
    uint32_t msix_vectors;
    bool fault_injection;

    struct aimc_model *model;
    struct aimc_model_config cfg;

    QemuThread worker;
    QemuCond wake;              /* the worker waits for work on it (BQL) */
    QemuCond worker_exit;       /* unrealize waits on it for the worker */
    bool stopping;
    bool worker_done;
    bool computing;             /* the worker runs the model without the BQL */
    uint32_t cur_epoch; /* the epoch the computing descriptor began in */
    uint32_t epoch;
    bool reset_pending; /* a reset waits for the model to be free */

    struct aimc_regfile regs;   /* BQL */
    bool hung;          /* stuck in a descriptor until a reset */
    bool gone;          /* left the bus (surprise_remove) */
    uint16_t power_state;       /* PMCSR state: 0 (D0) or 3 (D3hot) */
    uint64_t fault_addr;        /* last failed DMA address */

    AimcKnobs knobs;
    uint32_t fetched;
    uint32_t dma_faults;
    uint32_t msix_sent[AIMC_NUM_VECTORS];
    uint32_t d3hot_entries;
    uint32_t flrs;
    uint32_t resets;
};

static bool aimc_pci_present(const AimcPciState *s)
{
    return !s->gone && s->power_state == 0;
}

/* ---- interrupts -------------------------------------------------- */

/* Send vector @v's MSI-X message (masked vectors keep it pending). */
static void aimc_pci_notify(AimcPciState *s, unsigned int v)
{
    if (!s->msix_vectors || !msix_enabled(&s->pdev)) {
        return;
    }
    msix_notify(&s->pdev, v);
    s->msix_sent[v]++;
}

/*
 * Latch @bits in INT_STATUS and send a message for every unmasked cause
 * latched, as aimc_emu does.  BQL held.
 */
static void aimc_pci_raise(AimcPciState *s, uint32_t bits, bool may_drop)
{
    uint32_t deliver;
    unsigned int v;

    if (!aimc_pci_present(s)) {
        return;
    }
    deliver = aimc_regfile_latch(&s->regs, bits);
    if (may_drop && bits && s->knobs.drop_next_irq) {
        /* The cause stays latched, the message is lost. */
        s->knobs.drop_next_irq = 0;
        deliver = 0;
    }
    for (v = 0; v < AIMC_NUM_VECTORS; v++) {
        if (deliver & (1u << v)) {
            aimc_pci_notify(s, v);
        }
    }
}

/* ---- DMA --------------------------------------------------------- */

/*
 * One DMA transfer of the card, BQL held.  @epoch is the epoch the
 * descriptor began in: after a reset nothing more goes out.  @operand:
 * a descriptor's source or result (the redirect knob applies), not the
 * ring or the completion area.  Returns 0, or -1 for a DMA fault (the
 * address is recorded; nothing was transferred).
 */
static int aimc_pci_dma(AimcPciState *s, uint32_t epoch, uint64_t addr,
                        void *buf, uint32_t len, bool write, bool operand)
{
    AimcKnobs *k = &s->knobs;
    MemTxResult res;

    if (s->epoch != epoch || !aimc_pci_present(s)) {
        return -1;
    }
    if (operand && k->redirect_armed) {
        addr = (uint64_t)k->redirect_hi << 32 | k->redirect_lo;
        k->redirect_armed = 0;
    }
    if (k->fail_next_dma || (write ? k->fail_next_dma_write :
                             k->fail_next_dma_read)) {
        if (k->fail_next_dma) {
            k->fail_next_dma = 0;
        } else if (write) {
            k->fail_next_dma_write = 0;
        } else {
            k->fail_next_dma_read = 0;
        }
        goto fault;
    }
    if (len > AIMC_DMA_MAX_BYTES || (len && addr + len - 1 < addr)) {
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: DMA of %u bytes at 0x%"
                      PRIx64 " is out of range\n", len, addr);
        goto fault;
    }
    res = pci_dma_rw(&s->pdev, addr, buf, len,
                     write ? DMA_DIRECTION_FROM_DEVICE :
                     DMA_DIRECTION_TO_DEVICE, MEMTXATTRS_UNSPECIFIED);
    if (res == MEMTX_OK) {
        return 0;
    }
fault:
    s->fault_addr = addr;
    s->dma_faults++;
    return -1;
}

/* The device model's DMA callbacks: called while computing, no BQL. */
static int aimc_pci_model_read(void *ctx, u64 addr, void *dst, u32 len)
{
    AimcPciState *s = ctx;
    int ret;

    qemu_mutex_lock_iothread();
    ret = aimc_pci_dma(s, s->cur_epoch, addr, dst, len, false, true);
    qemu_mutex_unlock_iothread();
    return ret;
}

static int aimc_pci_model_write(void *ctx, u64 addr, const void *src, u32 len)
{
    AimcPciState *s = ctx;
    int ret;

    qemu_mutex_lock_iothread();
    ret = aimc_pci_dma(s, s->cur_epoch, addr, (void *)src, len, true, true);
    qemu_mutex_unlock_iothread();
    return ret;
}

/* ---- reset ------------------------------------------------------- */

/* Finish a reset; BQL held and the model not in use. */
static void aimc_pci_do_reset(AimcPciState *s)
{
    aimc_model_reset(s->model);
    aimc_regfile_reset(&s->regs);
    s->hung = false;
    s->reset_pending = false;
    s->resets++;
}

/*
 * Start a reset, BQL held: whatever the card was doing is abandoned now
 * (no DMA, no interrupt from it any more); the reset completes at once,
 * or when the worker leaves the device model.  STATUS.READY is clear
 * until then.
 */
static void aimc_pci_reset_card(AimcPciState *s)
{
    s->epoch++;
    s->regs.status &= ~AIMC_STATUS_READY;
    if (s->computing) {
        s->reset_pending = true;
    } else {
        aimc_pci_do_reset(s);
    }
    qemu_cond_broadcast(&s->wake);
}

/* ---- the command processor (worker thread, BQL held) --------------- */

/* Decide whether the card has a descriptor to run, and fetch it. */
static bool aimc_pci_fetch(AimcPciState *s, AimcFetch *f, uint32_t *status)
{
    struct aimc_regfile *r = &s->regs;
    AimcKnobs *k = &s->knobs;
    uint64_t addr;

    if (!aimc_pci_present(s) || !(r->control & AIMC_CONTROL_ENABLE) ||
        s->hung || s->reset_pending || r->ring_head == r->ring_tail) {
        return false;
    }
    s->fetched++;
    if (k->hang_next_job ||
        (k->hang_every_n && s->fetched % k->hang_every_n == 0)) {
        /* Stuck inside this descriptor until a reset. */
        k->hang_next_job = 0;
        s->hung = true;
        r->status |= AIMC_STATUS_BUSY;
        return false;
    }
    f->head = r->ring_head;
    f->mask = r->ring_size - 1;
    f->ring_base = (uint64_t)r->ring_base_hi << 32 | r->ring_base_lo;
    f->cpl_addr = (uint64_t)r->cpl_addr_hi << 32 | r->cpl_addr_lo;
    f->epoch = s->epoch;
    r->status |= AIMC_STATUS_BUSY;
    addr = f->ring_base + (uint64_t)(f->head & f->mask) * AIMC_DESC_BYTES;
    *status = aimc_pci_dma(s, f->epoch, addr, f->raw, sizeof(f->raw), false,
                           false) ? AIMC_ST_DMA_FAULT : AIMC_ST_OK;
    return true;
}

/*
 * The delay_us knob: a slow card.  A reset, D3hot or removal cuts the
 * wait short (the descriptor is then abandoned).
 */
static void aimc_pci_delay(AimcPciState *s, const AimcFetch *f)
{
    int64_t end;

    if (!s->knobs.delay_us) {
        return;
    }
    end = qemu_clock_get_us(QEMU_CLOCK_REALTIME) + s->knobs.delay_us;
    while (s->epoch == f->epoch && !s->stopping) {
        int64_t left = end - qemu_clock_get_us(QEMU_CLOCK_REALTIME);

        if (left <= 0) {
            break;
        }
        qemu_cond_timedwait_iothread(&s->wake, MAX(1, (int)(left / 1000)));
    }
}

/* Write the completion back, advance HEAD and interrupt. */
static void aimc_pci_complete(AimcPciState *s, const AimcFetch *f,
                              uint32_t status)
{
    const struct aimc_model_stats *stats;
    uint32_t cpl_status = cpu_to_le32(status);
    uint32_t cpl_head = cpu_to_le32(f->head + 1);
    uint64_t fault_addr = s->fault_addr;
    uint32_t irq;
    int ret;

    /* Status first, then head: the host trusts status up to head. */
    ret = aimc_pci_dma(s, f->epoch, f->cpl_addr + AIMC_CPL_STATUS_OFFSET +
                       4ull * (f->head & f->mask), &cpl_status, 4, true, false);
    if (!ret) {
        ret = aimc_pci_dma(s, f->epoch, f->cpl_addr + AIMC_CPL_HEAD_OFFSET,
                           &cpl_head, 4, true, false);
    }
    if (s->epoch != f->epoch) {
        return;
    }
    if (ret) {
        status = AIMC_ST_DMA_FAULT;
        fault_addr = s->fault_addr;
    }
    stats = aimc_model_stats(s->model);
    irq = aimc_regfile_complete(&s->regs, f->head, status, fault_addr, stats);
    aimc_pci_raise(s, irq, true);
}

/* Run one fetched descriptor through the device model and complete it. */
static void aimc_pci_run(AimcPciState *s, AimcFetch *f, uint32_t status)
{
    aimc_pci_delay(s, f);
    if (s->epoch != f->epoch || s->stopping) {
        return;         /* abandoned by a reset, D3hot or removal */
    }
    if (status == AIMC_ST_OK && s->knobs.error_next_desc) {
        status = s->knobs.error_next_desc;
        s->knobs.error_next_desc = 0;
    } else if (status == AIMC_ST_OK) {
        s->computing = true;
        s->cur_epoch = f->epoch;
        qemu_mutex_unlock_iothread();
        status = aimc_model_submit(s->model, f->raw);
        qemu_mutex_lock_iothread();
        s->computing = false;
        if (s->reset_pending) {
            aimc_pci_do_reset(s);
        }
    }
    if (s->epoch != f->epoch) {
        return;
    }
    aimc_pci_complete(s, f, status);
}

/* The stick_cell knob, with the model free; BQL held. */
static void aimc_pci_stick(AimcPciState *s)
{
    AimcKnobs *k = &s->knobs;
    int ret;

    ret = aimc_model_stick_cell(s->model, k->stick_tile, k->stick_row,
                                k->stick_col,
                                k->stick_cmd == AIMC_DBG_STICK_GMAX);
    k->stick_status = ret ? AIMC_DBG_STICK_REFUSED : 0;
}

/* One interrupt of a latching storm (irq_storm_status); BQL held. */
static void aimc_pci_storm_status_one(AimcPciState *s)
{
    AimcKnobs *k = &s->knobs;

    k->storm_left--;
    aimc_pci_raise(s, k->storm_bits, false);
    k->storm_raised++;
}

/*
 * The irq_storm knobs' interrupts, on the worker.  Without bits, the
 * completion vector's message goes out whatever INT_MASK says (stray
 * MSI-X messages: only the MSI-X vector mask stops them), at most one
 * per AIMC_STORM_GAP_NS while the vector is unmasked (faster, the
 * interrupt controller merges them before a TCG vCPU takes them), the
 * BQL let go between batches.
 * With bits, each interrupt latches them and is delivered if unmasked:
 * the next one follows the driver's acknowledgment of the last
 * (aimc_pci_reg_int_ack()), as a card's next event would; messages
 * the vCPU has not taken yet would merge in the interrupt controller.
 * The worker starts such a storm and keeps it going when no
 * acknowledgment comes within AIMC_STORM_ACK_WAIT_MS (a masked vector).
 */
static void aimc_pci_storm_batch(AimcPciState *s)
{
    AimcKnobs *k = &s->knobs;
    unsigned int n;

    if (!aimc_pci_present(s)) {
        k->storm_left = 0;
        return;
    }
    if (k->storm_bits) {
        if (!(s->regs.int_status & k->storm_bits)) {
            aimc_pci_storm_status_one(s);
            return;
        }
        qemu_cond_timedwait_iothread(&s->wake, AIMC_STORM_ACK_WAIT_MS);
        if (k->storm_left && aimc_pci_present(s) && !s->stopping &&
            (s->regs.int_status & k->storm_bits)) {
            aimc_pci_storm_status_one(s);
        }
        return;
    }
    for (n = 0; n < AIMC_STORM_BATCH && k->storm_left; n++) {
        int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

        /* A masked vector only sets its pending bit: no need to pace. */
        if (now - k->storm_last_ns < AIMC_STORM_GAP_NS &&
            !(msix_enabled(&s->pdev) && msix_is_masked(&s->pdev, 0))) {
            break;
        }
        k->storm_last_ns = now;
        k->storm_left--;
        aimc_pci_notify(s, 0);
        k->storm_raised++;
    }
    qemu_mutex_unlock_iothread();
    sched_yield();
    qemu_mutex_lock_iothread();
}

static void *aimc_pci_worker(void *opaque)
{
    AimcPciState *s = opaque;
    AimcFetch f;
    uint32_t status;

    rcu_register_thread();
    qemu_mutex_lock_iothread();
    while (!s->stopping) {
        if (s->reset_pending) {
            aimc_pci_do_reset(s);
        } else if (s->knobs.stick_status == AIMC_DBG_STICK_PENDING) {
            aimc_pci_stick(s);
        } else if (aimc_pci_fetch(s, &f, &status)) {
            aimc_pci_run(s, &f, status);
        } else if (s->knobs.storm_left) {
            aimc_pci_storm_batch(s);
        } else {
            qemu_cond_wait_iothread(&s->wake);
        }
    }
    s->worker_done = true;
    qemu_cond_broadcast(&s->worker_exit);
    qemu_mutex_unlock_iothread();
    rcu_unregister_thread();
    return NULL;
}

/* ---- BAR0: the register file ------------------------------------- */

/*
 * The register file's side effects in this device, called by
 * aimc_regfile_read() and aimc_regfile_write() with the BQL held.
 */
static void aimc_pci_reg_reset(void *opaque)
{
    aimc_pci_reset_card(opaque);
}

/* ENABLE written, or a doorbell: the worker looks for work. */
static void aimc_pci_reg_wake(void *opaque)
{
    AimcPciState *s = opaque;

    qemu_cond_broadcast(&s->wake);
}

static void aimc_pci_reg_int_ack(void *opaque, u32 val)
{
    AimcPciState *s = opaque;

    /* A latching interrupt storm goes on (aimc_pci_storm_batch()). */
    if (s->knobs.storm_bits && s->knobs.storm_left &&
        (val & s->knobs.storm_bits)) {
        aimc_pci_storm_status_one(s);
    }
}

static void aimc_pci_reg_guest_error(void *opaque, enum aimc_regfile_error err,
                                     u32 reg, u32 val)
{
    AimcPciState *s = opaque;
    struct aimc_regfile *r = &s->regs;

    switch (err) {
    case AIMC_REGFILE_READ_UNKNOWN:
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: read of unknown register "
                      "0x%x\n", reg);
        break;
    case AIMC_REGFILE_WRITE_READONLY:
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: write of 0x%x to read-only "
                      "or unknown register 0x%x\n", val, reg);
        break;
    case AIMC_REGFILE_CONTROL_RESERVED:
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: CONTROL bits 0x%x are "
                      "reserved\n", val);
        break;
    case AIMC_REGFILE_RING_REFUSED:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "aimc-pci: ring enabled with base 0x%x%08x, size %u, "
                      "completion area 0x%x%08x: refused\n",
                      r->ring_base_hi, r->ring_base_lo, r->ring_size,
                      r->cpl_addr_hi, r->cpl_addr_lo);
        break;
    case AIMC_REGFILE_TAIL_REFUSED:
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: doorbell %u is more than "
                      "a ring (%u) ahead of head %u: ignored\n", val,
                      r->ring_size, r->ring_head);
        break;
    }
}

static const struct aimc_regfile_ops aimc_pci_regfile_ops = {
    .reset = aimc_pci_reg_reset,
    .enable = aimc_pci_reg_wake,
    .doorbell = aimc_pci_reg_wake,
    .int_ack = aimc_pci_reg_int_ack,
    .guest_error = aimc_pci_reg_guest_error,
};

static uint64_t aimc_pci_bar0_read(void *opaque, hwaddr addr, unsigned size)
{
    AimcPciState *s = opaque;

    if (size != 4 || (addr & 3)) {
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: %u-byte read at 0x%"
                      HWADDR_PRIx ": registers are 32-bit\n", size, addr);
        return 0;
    }
    /* A function in D3hot or off the bus answers memory reads all-ones. */
    if (!aimc_pci_present(s)) {
        return UINT32_MAX;
    }
    return aimc_regfile_read(&s->regs, addr, s);
}

static void aimc_pci_bar0_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    AimcPciState *s = opaque;

    if (size != 4 || (addr & 3)) {
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: %u-byte write at 0x%"
                      HWADDR_PRIx ": registers are 32-bit\n", size, addr);
        return;
    }
    /* Writes to a function in D3hot or off the bus go nowhere. */
    if (!aimc_pci_present(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: write to 0x%" HWADDR_PRIx
                      " while %s\n", addr,
                      s->gone ? "off the bus" : "in D3hot");
        return;
    }
    /* Unmasking or acknowledging may leave a cause deliverable. */
    if (aimc_regfile_write(&s->regs, addr, val, s)) {
        aimc_pci_raise(s, 0, true);
    }
}

static const MemoryRegionOps aimc_pci_bar0_ops = {
    .read = aimc_pci_bar0_read,
    .write = aimc_pci_bar0_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* Any access reaches the handlers, which refuse what is not 32-bit. */
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/* ---- BAR2: the test harness's knobs (aimc_pci_dbg.h) --------------- */

static uint32_t *aimc_pci_knob(AimcPciState *s, hwaddr reg)
{
    AimcKnobs *k = &s->knobs;

    switch (reg) {
    case AIMC_DBG_HANG_NEXT_JOB:
        return &k->hang_next_job;
    case AIMC_DBG_HANG_EVERY_N:
        return &k->hang_every_n;
    case AIMC_DBG_FAIL_NEXT_DMA:
        return &k->fail_next_dma;
    case AIMC_DBG_FAIL_NEXT_DMA_READ:
        return &k->fail_next_dma_read;
    case AIMC_DBG_FAIL_NEXT_DMA_WRITE:
        return &k->fail_next_dma_write;
    case AIMC_DBG_DROP_NEXT_IRQ:
        return &k->drop_next_irq;
    case AIMC_DBG_ERROR_NEXT_DESC:
        return &k->error_next_desc;
    case AIMC_DBG_DELAY_US:
        return &k->delay_us;
    case AIMC_DBG_REDIRECT_ADDR_LO:
        return &k->redirect_lo;
    case AIMC_DBG_REDIRECT_ADDR_HI:
        return &k->redirect_hi;
    case AIMC_DBG_STICK_TILE:
        return &k->stick_tile;
    case AIMC_DBG_STICK_ROW:
        return &k->stick_row;
    case AIMC_DBG_STICK_COL:
        return &k->stick_col;
    default:
        return NULL;
    }
}

static uint64_t aimc_pci_dbg_read(void *opaque, hwaddr addr, unsigned size)
{
    AimcPciState *s = opaque;
    uint32_t *knob;

    if (size != 4 || (addr & 3)) {
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: %u-byte test BAR read at 0x%"
                      HWADDR_PRIx "\n", size, addr);
        return 0;
    }
    knob = aimc_pci_knob(s, addr);
    if (knob) {
        return *knob;
    }
    switch (addr) {
    case AIMC_DBG_ID:
        return AIMC_DBG_ID_MAGIC;
    case AIMC_DBG_VERSION:
        return 1;
    case AIMC_DBG_CFG_SEED_LO:
        return (uint32_t)s->cfg.seed;
    case AIMC_DBG_CFG_SEED_HI:
        return s->cfg.seed >> 32;
    case AIMC_DBG_CFG_NOISE_FREE:
        return s->cfg.noise_free;
    case AIMC_DBG_CFG_TILES:
        return s->cfg.tiles;
    case AIMC_DBG_CFG_ROWS:
        return s->cfg.rows;
    case AIMC_DBG_CFG_COLS:
        return s->cfg.cols;
    case AIMC_DBG_CFG_SLOTS:
        return s->cfg.slots;
    case AIMC_DBG_IRQ_STORM:
        return s->knobs.storm_raised;
    case AIMC_DBG_SURPRISE_REMOVE:
        return s->gone;
    case AIMC_DBG_REDIRECT_ARM:
        return s->knobs.redirect_armed;
    case AIMC_DBG_STICK_CMD:
        return s->knobs.stick_cmd;
    case AIMC_DBG_STICK_STATUS:
        return s->knobs.stick_status;
    case AIMC_DBG_FETCHED:
        return s->fetched;
    case AIMC_DBG_DMA_FAULTS:
        return s->dma_faults;
    case AIMC_DBG_LAST_FAULT_LO:
        return (uint32_t)s->fault_addr;
    case AIMC_DBG_LAST_FAULT_HI:
        return s->fault_addr >> 32;
    case AIMC_DBG_MSIX_SENT_0:
        return s->msix_sent[0];
    case AIMC_DBG_MSIX_SENT_1:
        return s->msix_sent[1];
    case AIMC_DBG_D3HOT_ENTRIES:
        return s->d3hot_entries;
    case AIMC_DBG_FLRS:
        return s->flrs;
    case AIMC_DBG_RESETS:
        return s->resets;
    case AIMC_DBG_POWER_STATE:
        return s->power_state;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: test BAR read of unknown "
                      "register 0x%" HWADDR_PRIx "\n", addr);
        return 0;
    }
}

static void aimc_pci_dbg_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    AimcPciState *s = opaque;
    AimcKnobs *k = &s->knobs;
    uint32_t *knob;

    if (size != 4 || (addr & 3)) {
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: %u-byte test BAR write at 0x%"
                      HWADDR_PRIx "\n", size, addr);
        return;
    }
    knob = aimc_pci_knob(s, addr);
    if (knob) {
        *knob = val;
        /* A shorter delay ends a running one sooner. */
        qemu_cond_broadcast(&s->wake);
        return;
    }
    switch (addr) {
    case AIMC_DBG_IRQ_STORM:
    case AIMC_DBG_IRQ_STORM_STATUS:
        k->storm_left = val;
        k->storm_bits = addr == AIMC_DBG_IRQ_STORM ? 0 : AIMC_INT_COMPLETION;
        qemu_cond_broadcast(&s->wake);
        break;
    case AIMC_DBG_SURPRISE_REMOVE:
        if (val != 1) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "aimc-pci: surprise_remove takes 1\n");
            break;
        }
        s->gone = true;
        s->epoch++;
        k->storm_left = 0;
        qemu_cond_broadcast(&s->wake);
        break;
    case AIMC_DBG_REDIRECT_ARM:
        k->redirect_armed = val ? 1 : 0;
        break;
    case AIMC_DBG_STICK_CMD:
        if (val != AIMC_DBG_STICK_GMIN && val != AIMC_DBG_STICK_GMAX) {
            qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: stick command %"
                          PRIu64 " is neither 1 nor 2\n", val);
            k->stick_status = AIMC_DBG_STICK_REFUSED;
            break;
        }
        k->stick_cmd = val;
        k->stick_status = AIMC_DBG_STICK_PENDING;
        if (!s->computing) {
            aimc_pci_stick(s);
        }
        qemu_cond_broadcast(&s->wake);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: test BAR write of 0x%" PRIx64
                      " to read-only or unknown register 0x%" HWADDR_PRIx "\n",
                      val, addr);
        break;
    }
}

static const MemoryRegionOps aimc_pci_dbg_ops = {
    .read = aimc_pci_dbg_read,
    .write = aimc_pci_dbg_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/* ---- config space: power management, FLR ------------------------- */

static uint16_t aimc_pci_pmcsr_state(PCIDevice *pdev)
{
    return pci_get_word(pdev->config + AIMC_PM_CAP_OFFSET + PCI_PM_CTRL) &
           PCI_PM_CTRL_STATE_MASK;
}

static void aimc_pci_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                                  int len)
{
    AimcPciState *s = AIMC_PCI(pdev);
    uint16_t state;

    pci_default_write_config(pdev, addr, val, len);
    pcie_cap_flr_write_config(pdev, addr, val, len);
    if (!ranges_overlap(addr, len, AIMC_PM_CAP_OFFSET + PCI_PM_CTRL, 2)) {
        return;
    }
    state = aimc_pci_pmcsr_state(pdev);
    if (state == s->power_state) {
        return;
    }
    if (state != 0 && state != 3) {
        /* An unsupported state: the write completes, nothing changes. */
        qemu_log_mask(LOG_GUEST_ERROR, "aimc-pci: D%u is not supported\n",
                      state);
        pci_word_test_and_clear_mask(pdev->config + AIMC_PM_CAP_OFFSET +
                                     PCI_PM_CTRL, PCI_PM_CTRL_STATE_MASK);
        pci_word_test_and_set_mask(pdev->config + AIMC_PM_CAP_OFFSET +
                                   PCI_PM_CTRL, s->power_state);
        return;
    }
    s->power_state = state;
    if (state == 3) {
        /*
         * D3hot: the card stops (a descriptor in flight is abandoned and
         * runs again from the start in D0) but keeps its state: the
         * SRAM, the registers and, non-volatile anyway, the cells
         * (PMCSR.No_Soft_Reset).
         */
        s->d3hot_entries++;
        s->epoch++;
    }
    qemu_cond_broadcast(&s->wake);
}

/* Function-level reset, secondary bus reset, system reset. */
static void aimc_pci_qdev_reset(DeviceState *dev)
{
    AimcPciState *s = AIMC_PCI(dev);
    PCIDevice *pdev = PCI_DEVICE(dev);

    /* pcie_cap_flr_write_config() clears the FLR bit after the reset. */
    if (pci_get_word(pdev->config + pdev->exp.exp_cap + PCI_EXP_DEVCTL) &
        PCI_EXP_DEVCTL_BCR_FLR) {
        s->flrs++;
    }
    pci_set_word(pdev->config + AIMC_PM_CAP_OFFSET + PCI_PM_CTRL,
                 PCI_PM_CTRL_NO_SOFT_RESET);
    s->power_state = 0;
    aimc_pci_reset_card(s);
}

/* ---- life cycle -------------------------------------------------- */

static void aimc_pci_add_pm_cap(PCIDevice *pdev, Error **errp)
{
    int pos = pci_add_capability(pdev, PCI_CAP_ID_PM, AIMC_PM_CAP_OFFSET,
                                 PCI_PM_SIZEOF, errp);

    if (pos < 0) {
        return;
    }
    /* D0 and D3hot only; state kept across D3hot (No_Soft_Reset). */
    pci_set_word(pdev->config + pos + PCI_PM_PMC, PCI_PM_CAP_VER_1_2);
    pci_set_word(pdev->config + pos + PCI_PM_CTRL, PCI_PM_CTRL_NO_SOFT_RESET);
    pci_set_word(pdev->wmask + pos + PCI_PM_CTRL, PCI_PM_CTRL_STATE_MASK);
}

static void aimc_pci_realize(PCIDevice *pdev, Error **errp)
{
    AimcPciState *s = AIMC_PCI(pdev);
    struct aimc_model_dma dma = {
        .read = aimc_pci_model_read,
        .write = aimc_pci_model_write,
        .ctx = s,
    };
    const char *why;
    unsigned int v;

    aimc_model_config_defaults(&s->cfg);
    if (s->preset && aimc_model_config_preset(&s->cfg, s->preset)) {
        error_setg(errp, "aimc-pci: unknown preset '%s' (emulator/model/"
                   "aimc_presets.def: pcm, rram)", s->preset);
        return;
    }
    s->cfg.seed = s->seed;
    s->cfg.noise_free = s->noise_free;
    if (s->tiles) {
        s->cfg.tiles = s->tiles;
    }
    if (s->rows) {
        s->cfg.rows = s->rows;
    }
    if (s->cols) {
        s->cfg.cols = s->cols;
    }
    if (s->slots) {
        s->cfg.slots = s->slots;
    }
    if (aimc_model_config_check(&s->cfg, &why)) {
        error_setg(errp, "aimc-pci: bad configuration: %s", why);
        return;
    }
    if (s->msix_vectors != 0 && s->msix_vectors != AIMC_NUM_VECTORS) {
        error_setg(errp, "aimc-pci: msix-vectors must be %d (or 0: no MSI-X)",
                   AIMC_NUM_VECTORS);
        return;
    }

    pci_config_set_class(pdev->config, AIMC_PCI_CLASS);
    pdev->config[PCI_INTERRUPT_PIN] = 0;        /* MSI-X only */
    aimc_pci_add_pm_cap(pdev, errp);
    if (*errp) {
        return;
    }
    if (pcie_endpoint_cap_init(pdev, AIMC_EXP_CAP_OFFSET) < 0) {
        error_setg(errp, "aimc-pci: cannot add the PCIe capability");
        return;
    }
    pcie_cap_deverr_init(pdev);
    pcie_cap_flr_init(pdev);
    if (pcie_aer_init(pdev, PCI_ERR_VER, AIMC_AER_OFFSET, PCI_ERR_SIZEOF,
                      errp) < 0) {
        goto err_exp;
    }

    memory_region_init_io(&s->bar0, OBJECT(s), &aimc_pci_bar0_ops, s,
                          "aimc-pci-regs", AIMC_BAR0_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->bar0);
    if (s->fault_injection) {
        memory_region_init_io(&s->dbg, OBJECT(s), &aimc_pci_dbg_ops, s,
                              "aimc-pci-test", AIMC_DBG_BAR_SIZE);
        pci_register_bar(pdev, AIMC_DBG_BAR, PCI_BASE_ADDRESS_SPACE_MEMORY,
                         &s->dbg);
    }
    if (s->msix_vectors) {
        if (msix_init_exclusive_bar(pdev, AIMC_NUM_VECTORS, AIMC_MSIX_BAR,
                                    errp)) {
            goto err_aer;
        }
        for (v = 0; v < AIMC_NUM_VECTORS; v++) {
            msix_vector_use(pdev, v);
        }
    }

    s->model = aimc_model_create(&s->cfg, &dma);
    if (!s->model) {
        error_setg(errp, "aimc-pci: out of memory for the device model");
        goto err_msix;
    }
    aimc_regfile_init(&s->regs, &aimc_pci_regfile_ops, s->model,
                      s->serial ? s->serial :
                      AIMC_PCI_SERIAL_BASE + (uint32_t)s->seed,
                      (uint32_t)s->seed, AIMC_REGFILE_CHECK_TAIL);
    qemu_cond_init(&s->wake);
    qemu_cond_init(&s->worker_exit);
    s->stopping = false;
    s->worker_done = false;
    qemu_thread_create(&s->worker, "aimc-pci", aimc_pci_worker, s,
                       QEMU_THREAD_JOINABLE);
    return;

err_msix:
    msix_uninit_exclusive_bar(pdev);
err_aer:
    pcie_aer_exit(pdev);
err_exp:
    pcie_cap_exit(pdev);
}

static void aimc_pci_exit(PCIDevice *pdev)
{
    AimcPciState *s = AIMC_PCI(pdev);

    /* The worker may wait for the BQL: wait for it with the BQL let go. */
    s->stopping = true;
    s->epoch++;
    qemu_cond_broadcast(&s->wake);
    while (!s->worker_done) {
        qemu_cond_wait_iothread(&s->worker_exit);
    }
    qemu_thread_join(&s->worker);
    qemu_cond_destroy(&s->wake);
    qemu_cond_destroy(&s->worker_exit);
    aimc_model_destroy(s->model);
    s->model = NULL;
    if (s->msix_vectors) {
        msix_unuse_all_vectors(pdev);
        msix_uninit_exclusive_bar(pdev);
    }
    pcie_aer_exit(pdev);
    pcie_cap_exit(pdev);
}

static Property aimc_pci_properties[] = {
    /* Geometry: 0 keeps the device model's default, as aimc_emu's. */
    DEFINE_PROP_UINT32("tiles", AimcPciState, tiles, 0),
    DEFINE_PROP_UINT32("tile-rows", AimcPciState, rows, 0),
    DEFINE_PROP_UINT32("tile-cols", AimcPciState, cols, 0),
    DEFINE_PROP_UINT32("stream-slots", AimcPciState, slots, 0),
    DEFINE_PROP_UINT64("seed", AimcPciState, seed, 1),
    DEFINE_PROP_BOOL("noise-free", AimcPciState, noise_free, false),
    DEFINE_PROP_STRING("preset", AimcPciState, preset),
    DEFINE_PROP_UINT32("serial", AimcPciState, serial, 0),
    DEFINE_PROP_UINT32("msix-vectors", AimcPciState, msix_vectors,
                       AIMC_NUM_VECTORS),
    DEFINE_PROP_BOOL("fault-injection", AimcPciState, fault_injection, true),
    DEFINE_PROP_END_OF_LIST(),
};

static const VMStateDescription aimc_pci_vmstate = {
    .name = TYPE_AIMC_PCI,
    .unmigratable = 1,
};

static void aimc_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = aimc_pci_realize;
    k->exit = aimc_pci_exit;
    k->config_write = aimc_pci_write_config;
    k->vendor_id = AIMC_PCI_VENDOR_ID;
    k->device_id = AIMC_PCI_DEVICE_ID;
    k->revision = AIMC_HW_VERSION_MAJOR;
    k->class_id = AIMC_PCI_CLASS;
    dc->desc = "AIMC-1 analog in-memory-computing accelerator";
    dc->reset = aimc_pci_qdev_reset;
    dc->vmsd = &aimc_pci_vmstate;
    device_class_set_props(dc, aimc_pci_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo aimc_pci_info = {
    .name = TYPE_AIMC_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(AimcPciState),
    .class_init = aimc_pci_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void aimc_pci_register_types(void)
{
    type_register_static(&aimc_pci_info);
}

type_init(aimc_pci_register_types)

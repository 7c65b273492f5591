// SPDX-License-Identifier: MIT
/*
 * aimc-ioctl-fuzz: random and structure-aware arguments for every aimc
 * ioctl (and the DRM core ones a client uses with them: GEM_CLOSE,
 * syncobj create/destroy), run in the QEMU guest against aimc.ko.
 *
 *   aimc-ioctl-fuzz [--seed N] [--calls N] [--seconds N] [--procs N]
 *                   [--make-it-fail]
 *
 * Seeded and reproducible: process i draws from seed + i, and every
 * argument comes from that generator and from what earlier calls
 * returned, so the same seed replays the same sequence (up to what job
 * timing changes).  Bounded: it stops after --calls ioctls in total or
 * --seconds, whichever comes first, and never waits for long: WAIT gets
 * absolute deadlines at most 20 ms ahead.  Run it with the emulator's
 * hang knobs off and a short aimc.job_timeout_ms.
 *
 * Besides the kernel's own reports (the QEMU lane fails on any), one
 * oracle: the fuzzer tracks each buffer's size, and a SUBMIT naming an
 * operand that ends past its buffer must be refused.  Prints the seed,
 * calls per ioctl and results per errno; exits 1 on an oracle violation.
 *
 * --make-it-fail: each process, once its first open succeeded, sets
 * /proc/self/make-it-fail, so that the kernel's fault injection
 * (failslab, fail_page_alloc with task-filter on: the debug kernel's
 * selftests/fault_inject.sh) fails a share of the allocations its calls
 * make; -ENOMEM is then one more result, and a reopen is retried.
 */
#include "vm_util.h"

#include <getopt.h>

#define MAX_BOS		16
#define MAX_JOBS	64
#define MAX_SYNCOBJS	8

enum fuzz_call {
	F_GET_PARAM, F_BO_CREATE, F_BO_INFO, F_RESERVE, F_RELEASE, F_SUBMIT,
	F_WAIT, F_GEM_CLOSE, F_SYNCOBJ, F_BAD_NR, F_REOPEN, F_NCALLS,
};

static const char *const call_names[F_NCALLS] = {
	"get_param", "bo_create", "bo_info", "reserve", "release", "submit",
	"wait", "gem_close", "syncobj", "bad_ioctl", "reopen",
};

struct fuzz_bo {
	uint32_t handle;
	uint64_t size;
	uint8_t *map;
};

struct fuzz_state {
	uint32_t rng;
	int fd;
	struct aimc_device *dev;
	struct fuzz_bo bos[MAX_BOS];
	unsigned int nbos;
	uint64_t jobs[MAX_JOBS];
	unsigned int njobs;
	uint32_t syncobjs[MAX_SYNCOBJS];
	unsigned int nsyncobjs;
	/* What this file reserved, for commands that pass the owner checks. */
	uint32_t owned[2][8];
	unsigned int nowned[2];
	unsigned long calls[F_NCALLS];
	unsigned long ok, errnos[135];
	unsigned long violations;
};

struct fuzz_report {
	unsigned long calls[F_NCALLS];
	unsigned long ok, errnos[135];
	unsigned long violations;
};

static uint32_t rnd(struct fuzz_state *s)
{
	return vm_rand(&s->rng);
}

static uint32_t below(struct fuzz_state *s, uint32_t n)
{
	return n ? rnd(s) % n : 0;
}

static uint64_t rnd64(struct fuzz_state *s)
{
	return (uint64_t)rnd(s) << 32 | rnd(s);
}

/* Values where checks tend to be off by one or overflow. */
static uint64_t interesting(struct fuzz_state *s, uint64_t near)
{
	static const uint64_t fixed[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256,
		4095, 4096, 4097, 8192, 65535, 65536, 65537, 131072, 131073,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
		0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull,
	};

	switch (below(s, 4)) {
	case 0:
		return fixed[below(s, sizeof(fixed) / sizeof(fixed[0]))];
	case 1:
		return near + below(s, 9) - 4;
	case 2:
		return below(s, 1u << below(s, 20));
	default:
		return rnd64(s);
	}
}

static void count(struct fuzz_state *s, enum fuzz_call c, int ret)
{
	s->calls[c]++;
	if (!ret)
		s->ok++;
	else if (-ret > 0 && -ret < 135)
		s->errnos[-ret]++;
}

static uint32_t pick_handle(struct fuzz_state *s)
{
	if (s->nbos && below(s, 8))
		return s->bos[below(s, s->nbos)].handle;
	return (uint32_t)interesting(s, 1);
}

static void drop_bo(struct fuzz_state *s, unsigned int i)
{
	struct drm_gem_close c = { .handle = s->bos[i].handle };

	if (s->bos[i].map)
		munmap(s->bos[i].map, s->bos[i].size);
	count(s, F_GEM_CLOSE, r_ioctl(s->fd, DRM_IOCTL_GEM_CLOSE, &c));
	s->bos[i] = s->bos[--s->nbos];
}

static bool make_it_fail;

static void fuzz_open(struct fuzz_state *s)
{
	static char node[sizeof(((struct aimc_device_info *)0)->node)];
	struct aimc_device_info info;
	int ret, tries = 0;

	/*
	 * With allocations failing on purpose, finding and opening the card
	 * can fail in ways that have nothing to do with it (sysfs, the VFS):
	 * reopen the node the first open found, until it works.
	 */
	if (!node[0]) {
		ret = aimc_device_open(AIMC_BACKEND_DRM, 0, &s->dev);
		if (!ret && !aimc_device_info(s->dev, &info, sizeof(info)))
			memcpy(node, info.node, sizeof(node));
	} else {
		do
			ret = aimc_device_open_node(node, &s->dev);
		while (ret && make_it_fail && ++tries < 100);
		/*
		 * An open takes many allocations (the file, DRM's, the
		 * library's sysfs reads): after 100 failed tries the next
		 * one runs without injected failures, so that the run goes
		 * on; the error paths of open were taken 100 times.
		 */
		if (ret && make_it_fail) {
			/* The write itself may fail: it allocates too. */
			for (tries = 0; tries < 1000 &&
			     vm_write_str("/proc/self/make-it-fail", "0"); tries++)
				;
			ret = aimc_device_open_node(node, &s->dev);
			for (tries = 0; tries < 1000 &&
			     vm_write_str("/proc/self/make-it-fail", "1"); tries++)
				;
		}
	}
	if (ret) {
		fprintf(stderr, "fuzz: open: %s\n", aimc_last_error());
		exit(1);
	}
	s->fd = aimc_job_fd(s->dev);
	s->nbos = s->njobs = s->nsyncobjs = 0;
	s->nowned[0] = s->nowned[1] = 0;
}

/* Close the file, often with jobs in flight, and open it again. */
static void fuzz_reopen(struct fuzz_state *s)
{
	unsigned int i;

	for (i = 0; i < s->nbos; i++)
		if (s->bos[i].map)
			munmap(s->bos[i].map, s->bos[i].size);
	aimc_device_close(s->dev);
	s->calls[F_REOPEN]++;
	fuzz_open(s);
}

static void fuzz_get_param(struct fuzz_state *s)
{
	struct drm_aimc_get_param a = {
		.param = (uint32_t)(below(s, 4) ? below(s, AIMC_PARAM_COUNT + 2) :
				    interesting(s, AIMC_PARAM_COUNT)),
		.reserved = below(s, 8) ? 0 : (uint32_t)interesting(s, 0),
	};

	count(s, F_GET_PARAM, r_ioctl(s->fd, DRM_IOCTL_AIMC_GET_PARAM, &a));
}

static void fuzz_bo_create(struct fuzz_state *s)
{
	struct drm_aimc_bo_create a = {
		.size = below(s, 4) ? 1 + below(s, 256 * 1024) :
			interesting(s, 256ull << 20),	/* the driver's largest */
		.flags = below(s, 8) ? 0 : (uint32_t)interesting(s, 0),
	};
	int ret;

	if (s->nbos == MAX_BOS)
		drop_bo(s, below(s, s->nbos));
	ret = r_ioctl(s->fd, DRM_IOCTL_AIMC_BO_CREATE, &a);
	count(s, F_BO_CREATE, ret);
	if (ret)
		return;
	s->bos[s->nbos].handle = a.handle;
	s->bos[s->nbos].size = (a.size + 4095) & ~4095ull;
	s->bos[s->nbos].map = NULL;
	/* Keep big buffers out of jobs: a job pins its whole buffer. */
	if (s->bos[s->nbos].size > (4u << 20)) {
		s->nbos++;
		drop_bo(s, s->nbos - 1);
		return;
	}
	if (aimc_bo_mmap(s->dev, a.handle, (void **)&s->bos[s->nbos].map,
			 &s->bos[s->nbos].size))
		s->bos[s->nbos].map = NULL;
	s->nbos++;
}

static void fuzz_bo_info(struct fuzz_state *s)
{
	struct drm_aimc_bo_info a = {
		.handle = pick_handle(s),
		.reserved = below(s, 8) ? 0 : (uint32_t)interesting(s, 0),
	};

	count(s, F_BO_INFO, r_ioctl(s->fd, DRM_IOCTL_AIMC_BO_INFO, &a));
}

static void fuzz_reserve(struct fuzz_state *s, bool release)
{
	struct drm_aimc_reserve a = {
		.type = below(s, 8) ? below(s, 2) : (uint32_t)interesting(s, 1),
		.index = below(s, 4) ? below(s, 20) : (uint32_t)interesting(s, 16),
		.flags = below(s, 3) ? 0 : below(s, 4) ? AIMC_RESERVE_ANY :
			 (uint32_t)interesting(s, 1),
		.reserved = below(s, 8) ? 0 : (uint32_t)interesting(s, 0),
	};

	int ret;
	unsigned int i;

	if (release && a.type < 2 && s->nowned[a.type] && below(s, 2))
		a.index = s->owned[a.type][below(s, s->nowned[a.type])];
	ret = r_ioctl(s->fd, release ? DRM_IOCTL_AIMC_RELEASE :
		      DRM_IOCTL_AIMC_RESERVE, &a);
	count(s, release ? F_RELEASE : F_RESERVE, ret);
	if (ret || a.type >= 2)
		return;
	for (i = 0; i < s->nowned[a.type]; i++)
		if (s->owned[a.type][i] == a.index)
			break;
	if (release && i < s->nowned[a.type])
		s->owned[a.type][i] = s->owned[a.type][--s->nowned[a.type]];
	else if (!release && i == s->nowned[a.type] && i < 8)
		s->owned[a.type][s->nowned[a.type]++] = a.index;
}

/* A tile or slot this file owns (reserving one if needed), or junk. */
static uint32_t owned_index(struct fuzz_state *s, uint32_t type)
{
	if (!s->nowned[type]) {
		struct drm_aimc_reserve a = { .type = type, .flags = AIMC_RESERVE_ANY };
		int ret = r_ioctl(s->fd, DRM_IOCTL_AIMC_RESERVE, &a);

		count(s, F_RESERVE, ret);
		if (ret)
			return below(s, 8);
		s->owned[type][s->nowned[type]++] = a.index;
	}
	return s->owned[type][below(s, s->nowned[type])];
}

/* An operand: mostly inside a known buffer, sometimes just past it. */
static struct drm_aimc_operand fuzz_operand(struct fuzz_state *s, bool *past_end)
{
	struct drm_aimc_operand o = { 0 };
	const struct fuzz_bo *bo;

	if (!s->nbos || !below(s, 6)) {
		if (below(s, 2)) {
			o.handle = pick_handle(s);
			o.length = (uint32_t)interesting(s, 64);
			o.offset = interesting(s, 4096);
		}
		return o;
	}
	bo = &s->bos[below(s, s->nbos)];
	o.handle = bo->handle;
	o.length = below(s, 4) ? 2 * (1 + below(s, 512)) :
		   (uint32_t)interesting(s, bo->size);
	switch (below(s, 4)) {
	case 0:		/* ends exactly at the buffer's end, or just past */
		o.offset = bo->size - (o.length <= bo->size ? o.length : 0) +
			   below(s, 3);
		break;
	case 1:
		o.offset = interesting(s, bo->size);
		break;
	default:
		o.offset = below(s, (uint32_t)bo->size);
		break;
	}
	if (o.length && (o.offset > bo->size || o.length > bo->size - o.offset))
		*past_end = true;
	return o;
}

/* A micro-op program, valid more often than not, written into a buffer. */
static struct drm_aimc_operand fuzz_program(struct fuzz_state *s, bool *past_end)
{
	struct fuzz_bo *bo;
	uint32_t i, n, len, off;
	uint8_t *prog;

	if (!s->nbos || below(s, 3) == 0)
		return fuzz_operand(s, past_end);
	bo = &s->bos[below(s, s->nbos)];
	if (!bo->map || bo->size < 8192)
		return fuzz_operand(s, past_end);
	/* The header and micro-op layout of vm_prog_emit(), random fields. */
	n = 1 + below(s, 6);
	off = below(s, (uint32_t)bo->size - 4096) & ~3u;
	prog = bo->map + off;
	vm_put32(prog, AIMC_PROG_MAGIC);
	vm_put16(prog + 4, AIMC_PROG_VERSION);
	vm_put16(prog + 6, (uint16_t)n);
	vm_put32(prog + 8, 0);
	vm_put32(prog + 12, 0);
	for (i = 0; i < n; i++) {
		uint8_t *u = prog + 16 + 16 * i;

		u[0] = (uint8_t)below(s, 24);		/* op */
		u[1] = (uint8_t)below(s, 4);		/* dst */
		u[2] = (uint8_t)below(s, 4);		/* a */
		u[3] = (uint8_t)below(s, 4);		/* b */
		vm_put16(u + 4, (uint16_t)below(s, 64));	/* len */
		vm_put16(u + 6, (uint16_t)below(s, 8));	/* aux: tile of an MVM */
		vm_put32(u + 8, below(s, 256));
		vm_put32(u + 12, below(s, 64));
	}
	len = 16 + 16 * n;
	/* Sometimes corrupt a byte of it. */
	if (!below(s, 4))
		bo->map[off + below(s, len)] ^= (uint8_t)(1u << below(s, 8));
	return opnd(bo->handle, off, below(s, 8) ? len : (uint32_t)interesting(s, len));
}

/*
 * A command that passes every check but the ones a mutation breaks: the
 * opcode's own fields only, on a tile or slot this file owns, operands
 * from fuzz_operand() (sometimes past their buffer's end).
 */
static void fuzz_valid_cmd(struct fuzz_state *s, struct drm_aimc_cmd *c,
			   bool *past_end)
{
	uint32_t rows = 1 + below(s, 8), cols = 2 * (1 + below(s, 4));
	struct drm_aimc_operand src = fuzz_operand(s, past_end);
	struct drm_aimc_operand dst = fuzz_operand(s, past_end);

	switch (below(s, 7)) {
	case 0:
		*c = cmd_nop();
		break;
	case 1:
		*c = cmd_program(owned_index(s, 0), below(s, 4), 0, rows, cols, 0, 0);
		c->src = src;
		break;
	case 2:
		*c = cmd_read(owned_index(s, 0), below(s, 4), 0, rows, cols, 0, 0);
		c->dst = dst;
		break;
	case 3:
		*c = cmd_exec(owned_index(s, 1), AIMC_CMD_F_RESET_STATE,
			      1 + below(s, 4), 4, 2, 0, 0, 0, 0, 0);
		c->src = src;
		c->dst = dst;
		c->prog = fuzz_program(s, past_end);
		break;
	case 4:
		*c = cmd_state_save(owned_index(s, 1), 0, 0);
		c->dst = dst;
		break;
	case 5:
		*c = cmd_state_save(owned_index(s, 1), 0, 0);
		c->opcode = AIMC_OP_STATE_LOAD;
		c->dst = (struct drm_aimc_operand){ 0 };
		c->src = src;
		break;
	default:
		*c = cmd_calibrate(owned_index(s, 0), 0, cols, 0, 0);
		c->src = src;
		break;
	}
}

static void fuzz_cmd(struct fuzz_state *s, struct drm_aimc_cmd *c, bool *past_end)
{
	if (below(s, 3)) {
		fuzz_valid_cmd(s, c, past_end);
		/* Now and then one flipped byte anywhere in the command. */
		if (!below(s, 4))
			((uint8_t *)c)[below(s, sizeof(*c))] ^= (uint8_t)(1u << below(s, 8));
		return;
	}
	memset(c, 0, sizeof(*c));
	c->opcode = (uint8_t)(below(s, 8) ? below(s, 8) : rnd(s));
	if (!below(s, 3))
		c->flags = (uint8_t)(below(s, 2) ? AIMC_CMD_F_RESET_STATE : rnd(s));
	c->tile = (uint16_t)(below(s, 4) ? below(s, 5) : rnd(s));
	c->slot = (uint16_t)(below(s, 4) ? below(s, 17) : rnd(s));
	c->mode = (uint16_t)(below(s, 2) ? below(s, 3) : rnd(s));
	c->row0 = (uint16_t)(below(s, 2) ? below(s, 4) : interesting(s, 128));
	c->col0 = (uint16_t)(below(s, 2) ? 2 * below(s, 4) : interesting(s, 64));
	c->rows = (uint16_t)(below(s, 2) ? 1 + below(s, 8) : interesting(s, 128));
	c->cols = (uint16_t)(below(s, 2) ? 2 * (1 + below(s, 4)) : interesting(s, 64));
	c->steps = (uint32_t)(below(s, 2) ? 1 + below(s, 4) : interesting(s, 16));
	c->in_stride = (uint16_t)(below(s, 2) ? below(s, 64) : rnd(s));
	c->out_stride = (uint16_t)(below(s, 2) ? below(s, 64) : rnd(s));
	if (below(s, 2))
		c->src = fuzz_operand(s, past_end);
	if (below(s, 2))
		c->dst = fuzz_operand(s, past_end);
	if (c->opcode == AIMC_OP_EXEC || !below(s, 8))
		c->prog = fuzz_program(s, past_end);
}

/* Does @o name one of this file's buffers and end past it? */
static bool operand_past_end(const struct fuzz_state *s,
			     const struct drm_aimc_operand *o)
{
	unsigned int i;

	if (!o->handle || !o->length)
		return false;
	for (i = 0; i < s->nbos; i++)
		if (s->bos[i].handle == o->handle)
			return o->offset > s->bos[i].size ||
			       o->length > s->bos[i].size - o->offset;
	return false;
}

static void fuzz_submit(struct fuzz_state *s)
{
	struct drm_aimc_cmd cmds[70];
	/* two past the driver's AIMC_PARAM_MAX_SYNCS of 16 */
	uint32_t in[18];
	uint64_t points[18];
	struct r_submit_args a = { .cmds = cmds };
	bool past_end = false;
	uint64_t id = 0;
	uint32_t i;
	int ret;

	a.count = below(s, 8) ? 1 + below(s, 4) : below(s, 70);
	a.cmd_size = below(s, 8) ? 0 : (uint32_t)(below(s, 2) ?
		     sizeof(cmds[0]) + 8 * below(s, 3) - 8 : interesting(s, 64));
	for (i = 0; i < a.count && i < 70; i++)
		fuzz_cmd(s, &cmds[i], &past_end);
	if (a.cmd_size > sizeof(cmds[0]) || a.count > 64)
		a.count = below(s, 2) ? a.count : 1;	/* stay inside cmds[] */
	if (a.cmd_size > sizeof(cmds[0]))
		a.count = 1;
	if (!below(s, 4)) {
		a.n_in = below(s, 8) ? below(s, 3) : below(s, 18);
		for (i = 0; i < a.n_in; i++) {
			in[i] = s->nsyncobjs && below(s, 4) ?
				s->syncobjs[below(s, s->nsyncobjs)] : (uint32_t)interesting(s, 1);
			/* mostly binary, sometimes a timeline point */
			points[i] = below(s, 4) ? 0 : interesting(s, 1);
		}
		a.in = in;
		a.in_points = points;
	}
	if (!below(s, 32))
		a.sync_flags = (uint32_t)interesting(s, 0);
	if (!below(s, 4)) {
		a.out = s->nsyncobjs && below(s, 4) ?
			s->syncobjs[below(s, s->nsyncobjs)] : (uint32_t)interesting(s, 1);
		a.out_point = below(s, 4) ? 0 : interesting(s, 1);
	}
	if (!below(s, 16))
		a.flags = (uint32_t)interesting(s, 0);
	if (!below(s, 16))
		a.reserved = (uint32_t)interesting(s, 0);
	if (!below(s, 32))
		a.cmds = below(s, 2) ? NULL : (void *)(uintptr_t)interesting(s, 4096);
	/* The oracle judges the commands as sent, after any mutation. */
	past_end = false;
	for (i = 0; i < a.count && i < 70; i++)
		past_end |= operand_past_end(s, &cmds[i].src) ||
			    operand_past_end(s, &cmds[i].dst) ||
			    operand_past_end(s, &cmds[i].prog);
	if (a.cmd_size && a.cmd_size != sizeof(cmds[0]))
		past_end = false;	/* the oracle only knows the layout above */
	ret = r_submit_ex(s->fd, &a, &id);
	count(s, F_SUBMIT, ret);
	if (!ret && past_end && a.cmds == cmds) {
		s->violations++;
		printf("fuzz: VIOLATION: SUBMIT accepted an operand past the end of its buffer (job %llu)\n",
		       (unsigned long long)id);
	}
	if (!ret) {
		if (s->njobs == MAX_JOBS)
			s->njobs = 0;
		s->jobs[s->njobs++] = id;
	}
}

static void fuzz_wait(struct fuzz_state *s)
{
	struct drm_aimc_wait w;
	uint64_t id = s->njobs && below(s, 4) ? s->jobs[below(s, s->njobs)] :
		      interesting(s, 1);
	int64_t timeout;

	switch (below(s, 6)) {
	case 0:
		timeout = 0;
		break;
	case 1:
		timeout = -(int64_t)below(s, 1000) - 1;
		break;
	case 2:
		timeout = (int64_t)(interesting(s, 0) & 0x3fffffff);	/* past */
		break;
	default:
		timeout = aimc_deadline_ns(below(s, 20));
		break;
	}
	count(s, F_WAIT, r_wait(s->fd, id, timeout, below(s, 16) ? 0 :
				(uint32_t)interesting(s, 0), &w));
}

static void fuzz_syncobj(struct fuzz_state *s)
{
	int ret;

	if (s->nsyncobjs < MAX_SYNCOBJS && below(s, 2)) {
		struct drm_syncobj_create c = { .flags = below(s, 2) ?
			DRM_SYNCOBJ_CREATE_SIGNALED : 0 };

		ret = r_ioctl(s->fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);
		if (!ret)
			s->syncobjs[s->nsyncobjs++] = c.handle;
	} else {
		struct drm_syncobj_destroy d = { 0 };

		if (s->nsyncobjs && below(s, 4)) {
			unsigned int i = below(s, s->nsyncobjs);

			d.handle = s->syncobjs[i];
			s->syncobjs[i] = s->syncobjs[--s->nsyncobjs];
		} else {
			d.handle = (uint32_t)interesting(s, 1);
		}
		ret = r_ioctl(s->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
	}
	count(s, F_SYNCOBJ, ret);
}

/* Driver ioctl numbers past the table, and known ones with odd sizes. */
static void fuzz_bad_nr(struct fuzz_state *s)
{
	uint8_t buf[256];
	unsigned long nr = DRM_COMMAND_BASE + below(s, 16);
	unsigned long req = _IOC(below(s, 4), DRM_IOCTL_BASE, nr, below(s, 256));
	unsigned int i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(below(s, 2) ? 0 : rnd(s));
	/* WAIT with a random struct could sleep: keep its deadline short. */
	if (nr == DRM_COMMAND_BASE + DRM_AIMC_WAIT) {
		int64_t t = aimc_deadline_ns(below(s, 20));

		memcpy(buf + 8, &t, sizeof(t));
	}
	count(s, F_BAD_NR, ioctl(s->fd, req, buf) ? -errno : 0);
}

static void fuzz_one(struct fuzz_state *s)
{
	uint32_t r = below(s, 1000);

	if (r < 60)
		fuzz_get_param(s);
	else if (r < 160)
		fuzz_bo_create(s);
	else if (r < 200)
		fuzz_bo_info(s);
	else if (r < 260)
		fuzz_reserve(s, false);
	else if (r < 300)
		fuzz_reserve(s, true);
	else if (r < 700)
		fuzz_submit(s);
	else if (r < 880)
		fuzz_wait(s);
	else if (r < 920)
		s->nbos ? drop_bo(s, below(s, s->nbos)) : fuzz_bo_create(s);
	else if (r < 960)
		fuzz_syncobj(s);
	else if (r < 998)
		fuzz_bad_nr(s);
	else
		fuzz_reopen(s);
}

static unsigned long total_calls(const unsigned long *calls)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < F_NCALLS; i++)
		if (i != F_REOPEN)
			n += calls[i];
	return n;
}

static void fuzz_child(uint32_t seed, unsigned long calls, int64_t end_ms,
		       int report_fd)
{
	static struct fuzz_state s;
	struct fuzz_report rep;

	s.rng = seed ? seed : 1;
	fuzz_open(&s);
	if (make_it_fail && vm_write_str("/proc/self/make-it-fail", "1")) {
		fprintf(stderr, "fuzz: cannot set /proc/self/make-it-fail (CONFIG_FAULT_INJECTION?)\n");
		_exit(1);
	}
	while (total_calls(s.calls) < calls &&
	       ((total_calls(s.calls) & 63) || vm_now_ms() < end_ms))
		fuzz_one(&s);
	aimc_device_close(s.dev);
	memcpy(rep.calls, s.calls, sizeof(rep.calls));
	memcpy(rep.errnos, s.errnos, sizeof(rep.errnos));
	rep.ok = s.ok;
	rep.violations = s.violations;
	if (write(report_fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		_exit(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 't' },
		{ "procs", required_argument, NULL, 'p' },
		{ "make-it-fail", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t seed = (uint32_t)time(NULL);
	unsigned long calls = 100000, sum = 0;
	unsigned int seconds = 120, procs = 2, i;
	struct fuzz_report total;
	int pipefd[2], opt, failures = 0;
	int64_t t0, end;

	memset(&total, 0, sizeof(total));

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': seed = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'c': calls = strtoul(optarg, NULL, 0); break;
		case 't': seconds = (unsigned int)atoi(optarg); break;
		case 'p': procs = (unsigned int)atoi(optarg); break;
		case 'f': make_it_fail = true; break;
		default:
			fprintf(stderr, "usage: aimc-ioctl-fuzz [--seed N] [--calls N] [--seconds N] [--procs N] [--make-it-fail]\n");
			return 2;
		}
	}
	if (!procs)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("fuzz: seed %u, %u processes, at most %lu calls or %u s (replay: --seed %u --procs %u)\n",
	       seed, procs, calls, seconds, seed, procs);
	if (pipe(pipefd))
		return 1;
	t0 = vm_now_ms();
	end = t0 + 1000LL * seconds;
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			close(pipefd[0]);
			fuzz_child(seed + i, calls / procs + (i < calls % procs),
				   end, pipefd[1]);
		}
	}
	close(pipefd[1]);
	for (i = 0; i < procs; i++) {
		struct fuzz_report rep;
		int k;

		if (read(pipefd[0], &rep, sizeof(rep)) != (ssize_t)sizeof(rep)) {
			printf("fuzz: a process died without a report\n");
			failures++;
			continue;
		}
		for (k = 0; k < F_NCALLS; k++)
			total.calls[k] += rep.calls[k];
		for (k = 0; k < 135; k++)
			total.errnos[k] += rep.errnos[k];
		total.ok += rep.ok;
		total.violations += rep.violations;
	}
	for (i = 0; i < procs; i++) {
		int status;
		pid_t pid = wait(&status);

		if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			failures++;
			if (pid > 0 && WIFSIGNALED(status))
				printf("fuzz: process %d killed by signal %d\n", (int)pid,
				       WTERMSIG(status));
			else if (pid > 0)
				printf("fuzz: process %d exited with %d\n", (int)pid,
				       WEXITSTATUS(status));
		}
	}
	sum = total_calls(total.calls);
	printf("fuzz: %lu calls in %.1f s:", sum, (double)(vm_now_ms() - t0) / 1000);
	for (i = 0; i < F_NCALLS; i++)
		printf(" %s=%lu", call_names[i], total.calls[i]);
	printf("\nfuzz: results: ok=%lu", total.ok);
	for (i = 1; i < 135; i++)
		if (total.errnos[i])
			printf(" %s=%lu", strerrorname_np((int)i) ? strerrorname_np((int)i) : "?",
			       total.errnos[i]);
	printf("\nfuzz: oracle violations %lu\n", total.violations);
	return failures || total.violations ? 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Surviving memory faults: the SIGBUS handler the library installs, and the
 * ranges of each device that a fault showed to be bad.
 *
 * A poisoned page (BUS_MCEERR_AR/AO) or a mapping whose file was truncated
 * (BUS_ADRERR) raises SIGBUS on the access.  Guarded calls (offset I/O, and
 * pointer calls with DAXDEV_F_GUARDED) arm a frame with the device memory
 * they copy (internal.h, struct daxdev_guard); the handler jumps back to
 * that frame's recovery point when the fault lies inside it, and otherwise
 * passes the signal on exactly as if the library were not there: to the
 * handler installed before ours (with its mask and flags), or to the default
 * action (death with a core dump).
 *
 * The handler is async-signal-safe: it reads this thread's frame (initial-
 * exec TLS), and calls only sigprocmask, sigaction and rt_tgsigqueueinfo.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include "internal.h"

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#define BUS_MCEERR_AO 5
#endif
#define GUARD_PAGE 4096u
#define GUARD_MAX_LSB 30

DAXDEV_HIDDEN _Thread_local struct daxdev_guard *daxdev_guard_top
	__attribute__((tls_model("initial-exec")));

static struct sigaction prev_action;     /* what the application had */
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_error;

/* --- the handler ------------------------------------------------------- */

static bool is_media(int code)
{
	return code == BUS_MCEERR_AR || code == BUS_MCEERR_AO;
}

/* Ours: a fault of a kind we recover, inside the top frame's armed range
 * (rounded down to the poisoned unit, as the address may be). */
static bool ours(const struct daxdev_guard *g, const siginfo_t *si)
{
	uintptr_t a = (uintptr_t)si->si_addr, lo;
	unsigned lsb = 12;

	if (!g || !g->hi || !g->armable)
		return false;
	if (si->si_code != BUS_ADRERR && !is_media(si->si_code))
		return false;
	if (is_media(si->si_code) && si->si_addr_lsb > 12 && si->si_addr_lsb <= GUARD_MAX_LSB)
		lsb = (unsigned)si->si_addr_lsb;
	lo = g->lo & ~(((uintptr_t)1 << lsb) - 1);
	return a >= lo && a < g->hi;
}

/* No handler of the application's: what the kernel would have done.  A
 * synchronous fault repeats when the handler returns and now kills; a
 * signal that does not repeat (sent, or an asynchronous memory error) is
 * sent again and arrives once this handler returns. */
static void default_action(const siginfo_t *si)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGBUS, &dfl, NULL);
	if (si->si_code <= 0 || si->si_code == BUS_MCEERR_AO)
		syscall(SYS_rt_tgsigqueueinfo, getpid(), (pid_t)syscall(SYS_gettid), SIGBUS, si);
}

/* Call the application's handler as the kernel would have: its mask added,
 * SIGBUS unblocked if it asked for SA_NODEFER, reset if SA_RESETHAND. */
static void call_previous(int sig, siginfo_t *si, void *uc)
{
	struct sigaction p = prev_action;
	sigset_t old, bus;

	if (p.sa_flags & SA_RESETHAND)
		prev_action.sa_handler = SIG_DFL;
	sigemptyset(&bus);
	sigaddset(&bus, SIGBUS);
	sigprocmask(SIG_BLOCK, &p.sa_mask, &old);
	if (p.sa_flags & SA_NODEFER)
		sigprocmask(SIG_UNBLOCK, &bus, NULL);
	if (p.sa_flags & SA_SIGINFO)
		p.sa_sigaction(sig, si, uc);
	else
		p.sa_handler(sig);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void pass_on(int sig, siginfo_t *si, void *uc)
{
	void (*h)(int) = prev_action.sa_handler;
	bool sigaction_set = prev_action.sa_flags & SA_SIGINFO;

	if (!sigaction_set && h == SIG_IGN) {
		/* Ignoring a fault is not possible: the kernel kills. */
		if (si->si_code > 0 && si->si_code != BUS_MCEERR_AO)
			default_action(si);
		return;
	}
	if (!sigaction_set && h == SIG_DFL) {
		default_action(si);
		return;
	}
	call_previous(sig, si, uc);
}

static void on_sigbus(int sig, siginfo_t *si, void *ucv)
{
	struct daxdev_guard *g = daxdev_guard_top;
	ucontext_t *uc = ucv;

	if (!ours(g, si)) {
		pass_on(sig, si, ucv);
		return;
	}
	g->addr = (uintptr_t)si->si_addr;
	g->code = si->si_code;
	g->lsb = is_media(si->si_code) ? si->si_addr_lsb : 0;
	g->hi = 0;
	/* Leave the handler with the mask the copy ran with (__builtin_longjmp
	 * does not restore it, and an application handler that chained to
	 * this one may have blocked more). */
	sigprocmask(SIG_SETMASK, &uc->uc_sigmask, NULL);
	__builtin_longjmp(g->jmp, 1);
}

static void install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, NULL, &prev_action)) {
		install_error = errno;
		return;
	}
	/* Run where the application's handler ran (its alternate stack), and
	 * interrupt system calls as it did. */
	sa.sa_flags = SA_SIGINFO | (prev_action.sa_flags & (SA_ONSTACK | SA_RESTART));
	if (sigaction(SIGBUS, &sa, NULL))
		install_error = errno;
	else
		daxdev_log(DAXDEV_LOG_DEBUG, "SIGBUS guard installed (DAXDEV_SIGBUS_GUARD=0 or "
			   "DAXDEV_OPEN_NO_SIGBUS_GUARD turn it off)");
}

DAXDEV_HIDDEN void daxdev_guard_install(struct daxdev *dev)
{
	if (!dev->policy.sigbus_guard)
		return;
	pthread_once(&install_once, install);
	if (install_error) {
		dev->policy.sigbus_guard = false;
		daxdev_log(DAXDEV_LOG_WARNING, "%s: cannot install the SIGBUS guard: %s",
			   dev->host, strerror(install_error));
	}
}

/* --- after a recovered fault ------------------------------------------- */

static uint64_t fault_unit(const struct daxdev_guard *g)
{
	int lsb = g->lsb > 12 && g->lsb <= GUARD_MAX_LSB ? g->lsb : 12;

	return (uint64_t)1 << lsb;
}

static const char *code_name(int code)
{
	switch (code) {
	case BUS_MCEERR_AR: return "memory error, BUS_MCEERR_AR";
	case BUS_MCEERR_AO: return "memory error, BUS_MCEERR_AO";
	default: return "mapping lost its backing, BUS_ADRERR";
	}
}

/* The provider's view of the fault, or the fallback: the faulting unit,
 * -EIO for media, -ESTALE for a mapping that lost its backing. */
static int classify(struct daxdev *dev, uint64_t offset, const struct daxdev_guard *g,
		    struct daxdev_bad *b)
{
	uint64_t unit = fault_unit(g), lost, lost_len;
	bool media = is_media(g->code);
	struct daxdev_guard *paused;
	int err;

	lost = offset & ~(unit - 1);
	lost_len = unit;
	daxdev_clear_error();
	if (dev->ops.fault) {
		paused = daxdev_guard_pause();
		err = dev->ops.fault(dev, offset, media, &lost, &lost_len);
		daxdev_guard_resume(paused);
	} else {
		err = media ? -EIO : -ESTALE;
	}
	if (err != -EIO && err != -ESTALE)
		err = media ? -EIO : -ESTALE;
	if (lost > offset || lost_len == 0 || lost + lost_len <= offset)
		lost = offset & ~(unit - 1), lost_len = unit;
	if (lost + lost_len > dev->size || lost + lost_len < lost)
		lost_len = dev->size - lost;
	*b = (struct daxdev_bad){ .offset = lost, .length = lost_len, .error = err,
				  .si_code = g->code };
	return err;
}

/* A pointer call on a composite: no offset to name or remember. */
static int failed_at_address(struct daxdev *dev, const struct daxdev_guard *g, const char *fn)
{
	return daxdev_err(is_media(g->code) ? -EIO : -ESTALE, "%s: %s: %s at address %p",
			  fn, dev->host, code_name(g->code), (void *)g->addr);
}

DAXDEV_HIDDEN int daxdev_guard_failed(struct daxdev *dev, struct daxdev_guard *g,
				      const char *fn)
{
	char cause[256];
	struct daxdev_bad b;
	uint64_t offset;
	int err;

	daxdev_guard_pop(g);
	if (!g->off_known)
		return failed_at_address(dev, g, fn);
	offset = g->off + (g->addr > g->lo ? g->addr - g->lo : 0);
	err = classify(dev, offset, g, &b);
	/* The provider's message, if it gave one, names the cause. */
	snprintf(cause, sizeof(cause), "%s", daxdev_errormsg());
	if (daxdev_bad_add(dev, &b))
		daxdev_log(DAXDEV_LOG_WARNING, "%s: out of memory remembering a bad range", dev->host);
	daxdev_log(DAXDEV_LOG_ERR, "%s: %s at offset %llu; [%llu, +%llu) remembered as bad",
		   dev->host, code_name(g->code), (unsigned long long)offset,
		   (unsigned long long)b.offset, (unsigned long long)b.length);
	return daxdev_err(err, "%s: %s: %s at offset %llu%s%s; [%llu, +%llu) is remembered as bad",
			  fn, dev->host, code_name(g->code), (unsigned long long)offset,
			  cause[0] ? ": " : "", cause, (unsigned long long)b.offset,
			  (unsigned long long)b.length);
}

/* --- remembered ranges ------------------------------------------------- */

DAXDEV_HIDDEN int daxdev_bad_find(struct daxdev *dev, uint64_t offset, uint64_t len,
				  struct daxdev_bad *found)
{
	int rc = -ENODATA;

	if (!daxdev_has_bad(dev))
		return rc;
	pthread_mutex_lock(&dev->bad_lock);
	for (size_t i = 0; i < atomic_load(&dev->nbad); i++) {
		const struct daxdev_bad *b = &dev->bad[i];
		if (b->offset < offset + len && b->offset + b->length > offset) {
			*found = *b;
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&dev->bad_lock);
	return rc;
}

DAXDEV_HIDDEN int daxdev_bad_refuse(struct daxdev *dev, const char *fn, uint64_t offset,
				    const struct daxdev_bad *b)
{
	return daxdev_err(b->error, "%s: %s: offset %llu is in [%llu, +%llu), remembered as bad "
			  "since a fault there (%s); not touched", fn, dev->host,
			  (unsigned long long)(offset > b->offset ? offset : b->offset),
			  (unsigned long long)b->offset, (unsigned long long)b->length,
			  code_name(b->si_code));
}

/* Insert in offset order; a range already covered is not added twice. */
DAXDEV_HIDDEN int daxdev_bad_add(struct daxdev *dev, const struct daxdev_bad *b)
{
	size_t n, i;
	int rc = 0;

	pthread_mutex_lock(&dev->bad_lock);
	n = atomic_load(&dev->nbad);
	for (i = 0; i < n && dev->bad[i].offset < b->offset; i++)
		;
	for (size_t j = 0; j < n; j++)
		if (dev->bad[j].offset <= b->offset &&
		    dev->bad[j].offset + dev->bad[j].length >= b->offset + b->length)
			goto out;
	if (n == dev->bad_cap) {
		size_t cap = n ? n * 2 : 8;
		struct daxdev_bad *grown = realloc(dev->bad, cap * sizeof(*grown));
		if (!grown) {
			rc = -ENOMEM;
			goto out;
		}
		dev->bad = grown;
		dev->bad_cap = cap;
	}
	memmove(&dev->bad[i + 1], &dev->bad[i], (n - i) * sizeof(*dev->bad));
	dev->bad[i] = *b;
	atomic_store_explicit(&dev->nbad, n + 1, memory_order_release);
out:
	pthread_mutex_unlock(&dev->bad_lock);
	return rc;
}

static int by_offset(const void *x, const void *y)
{
	const struct daxdev_bad *a = x, *b = y;

	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* The parts of b outside [lo, hi) appended to out: none, one or two. */
static size_t outside(const struct daxdev_bad *b, uint64_t lo, uint64_t hi, struct daxdev_bad *out)
{
	uint64_t end = b->offset + b->length;
	size_t n = 0;

	if (end <= lo || b->offset >= hi) {
		out[n++] = *b;
		return n;
	}
	if (b->offset < lo) {
		out[n] = *b;
		out[n++].length = lo - b->offset;
	}
	if (end > hi) {
		out[n] = *b;
		out[n].offset = hi;
		out[n++].length = end - hi;
	}
	return n;
}

/* Each range loses its part inside [lo, hi).  Without memory for the new
 * list nothing is forgotten: refusing too much is safe, forgetting a bad
 * range is not. */
DAXDEV_HIDDEN void daxdev_bad_forget(struct daxdev *dev, uint64_t lo, uint64_t len)
{
	struct daxdev_bad *left;
	size_t n, kept = 0;

	pthread_mutex_lock(&dev->bad_lock);
	n = atomic_load(&dev->nbad);
	left = n ? malloc(2 * n * sizeof(*left)) : NULL;
	if (left) {
		for (size_t i = 0; i < n; i++)
			kept += outside(&dev->bad[i], lo, lo + len, left + kept);
		qsort(left, kept, sizeof(*left), by_offset);
		free(dev->bad);
		dev->bad = left;
		dev->bad_cap = 2 * n;
		atomic_store_explicit(&dev->nbad, kept, memory_order_release);
	}
	pthread_mutex_unlock(&dev->bad_lock);
}

DAXDEV_HIDDEN void daxdev_bad_free(struct daxdev *dev)
{
	pthread_mutex_destroy(&dev->bad_lock);
	free(dev->bad);
}

/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: interleaved rounds, samples, statistics (interface in
 * runner.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <daxdev.h>

#include "runner.h"
#include "workloads.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct stat3 stats(const double *v, int n)
{
	double tmp[MAX_ROUNDS];

	memcpy(tmp, v, n * sizeof(double));
	qsort(tmp, n, sizeof(double), cmp_double);
	return (struct stat3){ .med = median_sorted(tmp, n), .min = tmp[0], .max = tmp[n - 1] };
}

struct stat3 ratio_stats(const struct workload *w, int s, int ref, int cand)
{
	double v[MAX_ROUNDS];

	for (int r = 0; r < w->nt; r++)
		v[r] = w->t[s][ref][r] / w->t[s][cand][r];
	return stats(v, w->nt);
}

/* ---- one sample ------------------------------------------------------------ */

static uint64_t seq_cursor;

static void make_offsets(const struct workload *w, uint64_t len, size_t k)
{
	uint64_t size = w->bk->size;

	if (w->pat == HOT || w->pat == APPEND)
		return;
	for (size_t i = 0; i < k; i++) {
		if (w->pat == OPEN) {
			offs[i] = i;
		} else if (w->pat == SEQ) {
			if (seq_cursor + len > size)
				seq_cursor = 0;
			offs[i] = seq_cursor;
			seq_cursor += len;
		} else {
			offs[i] = (rng() % (size / len)) * len;
		}
	}
}

/* Operations [from, to) of one slice; returns the time per operation. */
static double slice(const struct workload *w, const struct impl *im, uint64_t len,
		    size_t from, size_t to, int *rc)
{
	bool fixed = w->pat == HOT || w->pat == APPEND;
	double t0, t1;
	int err = 0;

	if (fixed) {
		t0 = now_ns();
		for (size_t i = from; i < to; i++)
			err |= im->op(0, len);
		t1 = now_ns();
	} else {
		t0 = now_ns();
		for (size_t i = from; i < to; i++)
			err |= im->op(offs[i], len);
		t1 = now_ns();
	}
	*rc |= err;
	return (t1 - t0) / (double)(to - from);
}

/*
 * One repetition: k operations, timed in up to SUBS consecutive slices; the
 * value is the median slice's time per operation.  On a shared machine a
 * preemption lands in one slice and no longer decides the repetition.
 */
static double sample(const struct workload *w, const struct impl *im, uint64_t len, size_t k)
{
	int rc = 0;
	size_t nsub = k < SUBS ? k : SUBS, done = 0;
	double t[SUBS];

	make_offsets(w, len, k);
	if (im->presample)
		im->presample(len, k);
	if (im->prep)
		for (size_t i = 0; i < k; i++)
			im->prep(offs[i], len);
	barrier();
	for (size_t j = 0; j < nsub; j++) {
		size_t end = k * (j + 1) / nsub;

		t[j] = slice(w, im, len, done, end, &rc);
		done = end;
	}
	if (rc) {
		char what[160];
		snprintf(what, sizeof(what), "%s %s %s len %llu", w->bk->name, w->name,
			 im->name, (unsigned long long)len);
		fail(what, rc);
	}
	qsort(t, nsub, sizeof(double), cmp_double);
	return median_sorted(t, nsub);
}

/* ---- how fast the core computes ---------------------------------------- */

/*
 * ns per daxdev_crc32c() of a hot 4 KiB buffer, best of three runs of 256
 * chained calls (~50 µs): how fast the pinned core computes right now.  On
 * this shared host the same vCPU at times computes a third slower for
 * seconds to minutes while its memory does not; that moves the ratios of
 * work bound by the core (plog's checksums) against work bound by memory
 * (pmemlog's fences).  Taken before each size of each round and shown
 * beside the ratios (docs/performance.md, "Log append: the host's slow
 * phases").  An integer multiply chain missed most of those phases.
 */
static unsigned char probe_buf[4096] __attribute__((aligned(64)));

static double core_probe_ns(void)
{
	static uint32_t crc;
	double best = 1e30;

	for (int r = 0; r < 3; r++) {
		double t = now_ns();

		for (int i = 0; i < 256; i++)
			crc = daxdev_crc32c(crc, probe_buf, sizeof(probe_buf));
		t = (now_ns() - t) / 256;
		best = t < best ? t : best;
	}
	return best;
}

/* ---- rounds ---------------------------------------------------------------- */

static size_t initial_k(uint64_t len)
{
	double est = 100.0 + len / 8.0;           /* ~8 GB/s + call cost */
	double k = cfg.sample_ns / 4 / est;         /* calibration is shorter */

	return k < 1 ? 1 : k > KMAX ? KMAX : (size_t)k;
}

static size_t clamp_k(const struct workload *w, uint64_t len, double t)
{
	double k = cfg.sample_ns / (t > 0.5 ? t : 0.5);
	size_t kmax = w->pat == HOT ? KMAX_HOT : KMAX;

	if (w->batch_cap && k * len > w->batch_cap)
		k = (double)w->batch_cap / len;
	if (k > kmax)
		k = kmax;
	return k < 1 ? 1 : (size_t)k;
}

static bool progress_tty;

static void progress(int round, int rounds, const struct workload *w, uint64_t len)
{
	static double last;
	double t = now_ns();

	if (!progress_tty && t - last < 2e9)
		return;
	last = t;
	fprintf(stderr, "%s[round %d/%d] %-8s %-14s %10llu B%s", progress_tty ? "\r" : "",
		round, rounds, w->bk->name, w->name, (unsigned long long)len,
		progress_tty ? "   " : "\n");
	fflush(stderr);
}

/* Calibration round: not recorded; sets w->k. */
static void calibrate(void)
{
	for (int i = 0; i < nwl; i++) {
		struct workload *w = &wl[i];
		cur = w->bk;
		for (int s = 0; s < w->nsizes; s++) {
			double sum = 0;
			size_t k0 = initial_k(w->sizes[s]);
			progress(0, cfg.rounds, w, w->sizes[s]);
			for (int m = 0; m < w->nimpl; m++)
				sum += sample(w, &w->impl[m], w->sizes[s], k0);
			w->k[s] = clamp_k(w, w->sizes[s], sum / w->nimpl);
		}
	}
}

static void round_of(int r)
{
	for (int i = 0; i < nwl; i++) {
		struct workload *w = &wl[i];
		cur = w->bk;
		for (int s = 0; s < w->nsizes; s++) {
			progress(r + 1, cfg.rounds, w, w->sizes[s]);
			w->probe[s][r] = core_probe_ns();
			for (int j = 0; j < w->nimpl; j++) {
				int m = (j + r) % w->nimpl;
				w->t[s][m][r] = sample(w, &w->impl[m], w->sizes[s], w->k[s]);
			}
		}
		w->nt = r + 1;
	}
}

void run_all(void)
{
	progress_tty = isatty(2);
	calibrate();
	for (int r = 0; r < cfg.rounds; r++)
		round_of(r);
	if (progress_tty)
		fprintf(stderr, "\r%70s\r", "");
	fprintf(stderr, "daxdev-bench: %d rounds done\n", cfg.rounds);
}

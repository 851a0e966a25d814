/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: tables, CSV, Markdown and the gnuplot plot (interface
 * in report.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <daxdev.h>

#include "report.h"
#include "runner.h"
#include "workloads.h"

const char *size_str(uint64_t n)
{
	static char buf[8][32];
	static int i;
	char *b = buf[i++ & 7];

	if (n >= MiB && n % MiB == 0)
		snprintf(b, 32, "%llu MiB", (unsigned long long)(n / MiB));
	else if (n >= KiB && n % KiB == 0)
		snprintf(b, 32, "%llu KiB", (unsigned long long)(n / KiB));
	else
		snprintf(b, 32, "%llu B", (unsigned long long)n);
	return b;
}

static const char *time_str(double ns)
{
	static char buf[16][16];
	static int i;
	char *b = buf[i++ & 15];

	if (ns < 10)
		snprintf(b, 16, "%.2f ns", ns);
	else if (ns < 1e4)
		snprintf(b, 16, "%.0f ns", ns);
	else if (ns < 1e7)
		snprintf(b, 16, "%.1f us", ns / 1e3);
	else
		snprintf(b, 16, "%.1f ms", ns / 1e6);
	return b;
}

/* ---- tables ---------------------------------------------------------------- */

static void table_head(FILE *f, const struct workload *w, bool md)
{
	fprintf(f, md ? "\n#### %s — %s, %s (%s)\n\n" : "\n== %s: %s, %s (%s) ==\n", w->name,
		w->title, w->bk->name, pattern_name[w->pat]);
	if (md) {
		fprintf(f, "| size |");
		for (int m = 0; m < w->nimpl; m++)
			fprintf(f, " %s |", w->impl[m].name);
		for (int c = 0; c < w->ncand; c++)
			fprintf(f, " speedup %s |", w->impl[w->cand[c]].name);
		fprintf(f, " CRC 4 KiB |\n|---:|");
		for (int m = 0; m < w->nimpl + w->ncand + 1; m++)
			fprintf(f, "---:|");
		fprintf(f, "\n");
	} else {
		fprintf(f, "%-8s", "size");
		for (int m = 0; m < w->nimpl; m++)
			fprintf(f, " | %-30s", w->impl[m].name);
		for (int c = 0; c < w->ncand; c++)
			fprintf(f, " | x %-16.16s", w->impl[w->cand[c]].name);
		fprintf(f, " | CRC 4 KiB\n");
	}
}

static void table_row(FILE *f, const struct workload *w, int s, bool md)
{
	uint64_t len = w->sizes[s];
	struct stat3 probe;

	fprintf(f, md ? "| %s |" : "%-8s", size_str(len));
	for (int m = 0; m < w->nimpl; m++) {
		struct stat3 st = stats(w->t[s][m], w->nt);
		char cell[96];
		if (w->bandwidth)
			snprintf(cell, sizeof(cell), "%s [%s–%s] %.2f GB/s",
				 time_str(st.med), time_str(st.min), time_str(st.max),
				 len / st.med);
		else
			snprintf(cell, sizeof(cell), "%s [%s–%s]", time_str(st.med),
				 time_str(st.min), time_str(st.max));
		fprintf(f, md ? " %s |" : " | %-30s", cell);
	}
	for (int c = 0; c < w->ncand; c++) {
		struct stat3 rs = ratio_stats(w, s, w->ref, w->cand[c]);
		char cell[64];
		snprintf(cell, sizeof(cell), "%.2f [%.2f–%.2f]", rs.med, rs.min, rs.max);
		fprintf(f, md ? " %s |" : " | %-18s", cell);
	}
	probe = stats(w->probe[s], w->nt);
	fprintf(f, md ? " %.0f ns [%.0f–%.0f] |\n" : " | %.0f ns [%.0f–%.0f]\n", probe.med, probe.min,
		probe.max);
}

/* Plain-text and Markdown tables: one row per size. */
static void print_table(FILE *f, const struct workload *w, bool md)
{
	table_head(f, w, md);
	for (int s = 0; s < w->nsizes; s++)
		table_row(f, w, s, md);
}

/* ---- CSV ------------------------------------------------------------------- */

static bool is_cand(const struct workload *w, int m)
{
	for (int c = 0; c < w->ncand; c++)
		if (w->cand[c] == m)
			return true;
	return false;
}

static void csv_row(FILE *f, const struct workload *w, int s, int m)
{
	struct stat3 st = stats(w->t[s][m], w->nt);

	fprintf(f, "%s,%s,%s,%llu,%s,%d,%zu,%.3f,%.3f,%.3f,%.4f,", w->bk->name, w->name,
		pattern_name[w->pat], (unsigned long long)w->sizes[s], w->impl[m].name, w->nt,
		w->k[s], st.med, st.min, st.max, w->sizes[s] / st.med);
	if (is_cand(w, m)) {
		struct stat3 rs = ratio_stats(w, s, w->ref, m);
		fprintf(f, "%s,%.4f,%.4f,%.4f,", w->impl[w->ref].name, rs.med, rs.min, rs.max);
	} else {
		fprintf(f, ",,,,");
	}
	st = stats(w->probe[s], w->nt);
	fprintf(f, "%.1f,%.1f,%.1f\n", st.med, st.min, st.max);
}

static void write_csv(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "daxdev-bench: %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "backing,workload,pattern,size,impl,rounds,ops_per_sample,median_ns,min_ns,max_ns,median_GBps,reference,speedup_vs_reference_median,speedup_min,speedup_max,crc4k_probe_ns_median,crc4k_probe_ns_min,crc4k_probe_ns_max\n");
	for (int i = 0; i < nwl; i++)
		for (int s = 0; s < wl[i].nsizes; s++)
			for (int m = 0; m < wl[i].nimpl; m++)
				csv_row(f, &wl[i], s, m);
	fclose(f);
}

/* ---- the plot (gnuplot) ------------------------------------------------------ */

static struct workload *find(const char *bk, const char *name)
{
	for (int i = 0; i < nwl; i++)
		if (!strcmp(wl[i].bk->name, bk) && !strcmp(wl[i].name, name))
			return &wl[i];
	return NULL;
}

/* One .dat per panel: size, then median GB/s of every implementation. */
static bool write_dat(const char *dir, const struct workload *w, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/plot-%s-%s.dat", dir, w->bk->name, w->name);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "size");
	for (int m = 0; m < w->nimpl; m++)
		fprintf(f, " \"%s\"", w->impl[m].name);
	fprintf(f, "\n");
	for (int s = 0; s < w->nsizes; s++) {
		fprintf(f, "%llu", (unsigned long long)w->sizes[s]);
		for (int m = 0; m < w->nimpl; m++)
			fprintf(f, " %.5f", w->sizes[s] / stats(w->t[s][m], w->nt).med);
		fprintf(f, "\n");
	}
	fclose(f);
	return true;
}

/* The panels there are data for, in layout order. */
static int plot_panels(struct workload **ws)
{
	static const char *panels[][2] = {
		{ "anon", "copy-seq" }, { "anon", "copy-rand" }, { "anon", "flush-seq" },
		{ "anon", "fill-seq" }, { "shm", "copy-seq" }, { "volatile", "volatile-seq" },
		{ "log", "log-append" },
	};
	int n = 0;

	for (size_t p = 0; p < sizeof(panels) / sizeof(panels[0]); p++) {
		struct workload *w = find(panels[p][0], panels[p][1]);
		if (w && w->nsizes)
			ws[n++] = w;
	}
	return n;
}

static void plot_script_head(FILE *f, const char *png, int n)
{
	fprintf(f, "set terminal pngcairo noenhanced size %d,900 font ',9'\nset output '%s'\n",
		500 * ((n + 1) / 2), png);
	fprintf(f, "set multiplot layout 2,%d title 'libdaxdev vs libpmem: throughput vs size "
		   "(median of %d interleaved rounds, CPU pinned; higher is better)'\n",
		(n + 1) / 2, cfg.rounds);
	fprintf(f, "set logscale x 2\nset logscale y 10\nset grid\nset key bottom right\n"
		   "set xlabel 'bytes per call'\nset ylabel 'GB/s (1e9 B/s)'\n"
		   "set xtics ('64B' 64, '256B' 256, '1K' 1024, '4K' 4096, '64K' 65536, "
		   "'2M' 2097152, '64M' 67108864)\nset offsets graph 0.05, graph 0.05, 0, 0\n");
}

static void plot(const char *dir)
{
	struct workload *ws[8];
	char gp[PATH_MAX], png[PATH_MAX], dat[PATH_MAX], cmd[PATH_MAX * 2];
	int n = plot_panels(ws);
	FILE *f;

	if (!n)
		return;
	snprintf(gp, sizeof(gp), "%s/plot.gp", dir);
	snprintf(png, sizeof(png), "%s/throughput.png", dir);
	f = fopen(gp, "w");
	if (!f)
		return;
	plot_script_head(f, png, n);
	for (int p = 0; p < n; p++) {
		struct workload *w = ws[p];
		if (!write_dat(dir, w, dat, sizeof(dat)))
			continue;
		fprintf(f, "set title '%s: %s (%s)'\n", w->title, w->bk->name,
			pattern_name[w->pat]);
		fprintf(f, "plot for [i=2:%d] '%s' using 1:i with linespoints title columnheader(i)\n",
			w->nimpl + 1, dat);
	}
	fprintf(f, "unset multiplot\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s' 2>&1", gp);
	if (system(cmd) == 0)
		fprintf(stderr, "daxdev-bench: plot %s\n", png);
	else
		fprintf(stderr, "daxdev-bench: gnuplot failed or missing; script %s\n", gp);
}

/* ---- the report ------------------------------------------------------------ */

static void machine(FILE *f, bool md)
{
	char line[512];
	FILE *p;
	struct utsname u;
	double la[3] = { 0 };

	uname(&u);
	getloadavg(la, 3);
	fprintf(f, md ? "- kernel: %s %s %s\n" : "kernel: %s %s %s\n", u.sysname, u.release,
		u.machine);
	fprintf(f, md ? "- load average at the end: %.2f %.2f %.2f\n" :
		"load average at the end: %.2f %.2f %.2f\n", la[0], la[1], la[2]);
	p = popen("lscpu 2>/dev/null | grep -E '^(Model name|CPU\\(s\\)|CPU family|Model:|"
		  "Hypervisor vendor|L1d|L2|L3|Thread)'", "r");
	if (p) {
		while (fgets(line, sizeof(line), p))
			fprintf(f, md ? "- %s" : "%s", line);
		pclose(p);
	}
}

static void report_text(struct backing *const *bks, int nbk)
{
	printf("daxdev-bench: libdaxdev %s vs libpmem; %d interleaved rounds, pinned to CPU %d%s\n",
	       daxdev_version(), cfg.rounds, cfg.cpu,
	       cfg.quick ? " — quick mode, figures are a smoke test only" : "");
	printf("one repetition = K back-to-back calls timed in %d slices, median slice; "
	       "each figure = median of the repetitions\n", SUBS);
	printf("times: median [min–max] per operation; speedup = t_reference / t_candidate "
	       "(median of per-round ratios; >1 = candidate faster)\n");
	printf("reference: pmem_* for durable workloads, memcpy for the volatile device, "
	       "an indirect 8-byte memcpy for the per-call overhead\n");
	for (int b = 0; b < nbk; b++)
		printf("%-8s %s\n", bks[b]->name, bks[b]->note);
	for (int i = 0; i < nwl; i++)
		print_table(stdout, &wl[i], false);
	machine(stdout, false);
}

static void report_markdown(const char *path, struct backing *const *bks, int nbk)
{
	FILE *md = fopen(path, "w");

	if (!md)
		return;
	fprintf(md, "Rounds: %d (interleaved), pinned to CPU %d%s.\n\n", cfg.rounds,
		cfg.cpu, cfg.quick ? ", quick mode" : "");
	for (int b = 0; b < nbk; b++)
		fprintf(md, "- **%s**: %s\n", bks[b]->name, bks[b]->note);
	for (int i = 0; i < nwl; i++)
		print_table(md, &wl[i], true);
	fprintf(md, "\nMachine:\n\n");
	machine(md, true);
	fclose(md);
	fprintf(stderr, "daxdev-bench: markdown %s\n", path);
}

void report(struct backing *const *bks, int nbk)
{
	char path[PATH_MAX];

	report_text(bks, nbk);
	snprintf(path, sizeof(path), "%s/results.csv", cfg.out);
	write_csv(path);
	fprintf(stderr, "daxdev-bench: csv %s\n", path);
	snprintf(path, sizeof(path), "%s/results.md", cfg.out);
	report_markdown(path, bks, nbk);
	plot(cfg.out);
}

/* SPDX-License-Identifier: MIT */
/*
 * The non-temporal copy and fill loops, shared by every ISA file.  The
 * including file defines its vector type NT_VEC, NT_SPLAT(c), copy_line()
 * and fill_line() for one 64-byte line, and NT_ISA (the name suffix), then
 * includes this header, so the loops are compiled with that file's -m flags.
 */
#ifndef NT_ISA
#error "define NT_ISA, NT_VEC, NT_SPLAT, copy_line and fill_line first"
#endif

#define NT_LINES_PER_ROUND 4
#define NT_GLUE2(a, b) a##b
#define NT_GLUE(a, b) NT_GLUE2(a, b)

/* dst is cache-line aligned, len a multiple of the line size. */
static void stream_copy(char *dst, const char *src, size_t len)
{
	const size_t round = NT_LINES_PER_ROUND * X86_CACHE_LINE;

	for (; len >= round; len -= round, dst += round, src += round) {
		copy_line(dst, src);
		copy_line(dst + 64, src + 64);
		copy_line(dst + 128, src + 128);
		copy_line(dst + 192, src + 192);
		X86_RECORD_NT(dst, round);
	}
	for (; len; len -= 64, dst += 64, src += 64) {
		copy_line(dst, src);
		X86_RECORD_NT(dst, 64);
	}
}

static void stream_fill(char *dst, int c, size_t len)
{
	const size_t round = NT_LINES_PER_ROUND * X86_CACHE_LINE;
	NT_VEC v = NT_SPLAT(c);

	for (; len >= round; len -= round, dst += round) {
		fill_line(dst, v);
		fill_line(dst + 64, v);
		fill_line(dst + 128, v);
		fill_line(dst + 192, v);
		X86_RECORD_NT(dst, round);
	}
	for (; len; len -= 64, dst += 64) {
		fill_line(dst, v);
		X86_RECORD_NT(dst, 64);
	}
}

void NT_GLUE(daxdev_x86_copy_nt_, NT_ISA)(void *dst, const void *src, size_t len,
					    void (*flush)(const void *, size_t))
{
	struct x86_nt_split split = x86_nt_split(dst, len);
	size_t tail_at = split.head + split.body;
	char *d = dst;
	const char *s = src;

	if (len < X86_NT_EDGE_MIN) {
		x86_copy_edge(d, s, len, flush);
		return;
	}
	x86_nt_copy_span(d, s, len, 0, split.head);
	stream_copy(d + split.head, s + split.head, split.body);
	x86_nt_copy_span(d, s, len, tail_at, len);
}

void NT_GLUE(daxdev_x86_fill_nt_, NT_ISA)(void *dst, int c, size_t len,
					    void (*flush)(const void *, size_t))
{
	struct x86_nt_split split = x86_nt_split(dst, len);
	long long pattern = (long long)(0x0101010101010101ull * (unsigned char)c);
	char *d = dst;

	if (len < X86_NT_EDGE_MIN) {
		x86_fill_edge(d, c, len, flush);
		return;
	}
	x86_nt_fill_span(d, pattern, len, 0, split.head);
	stream_fill(d + split.head, c, split.body);
	x86_nt_fill_span(d, pattern, len, split.head + split.body, len);
}

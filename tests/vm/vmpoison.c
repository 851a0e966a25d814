/* vmpoison: as root in the guest, poison one page with MADV_HWPOISON and check that its next read and write raise SIGBUS BUS_MCEERR_AR there, that the program survives by catching it, and that the neighbouring pages are untouched. */
/*
 * usage: vmpoison            anonymous memory
 *        vmpoison FILE       a shared mapping of FILE (made, 4 pages; tmpfs)
 * Needs CONFIG_MEMORY_FAILURE and CAP_SYS_ADMIN: the vm suite's guest has
 * both; on a host without them madvise fails and the program says so.
 * Prints "FAIL: ..." and exits 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES 4
#define POISONED 1 /* the page that gets poisoned; 0, 2 and 3 must stay fine */

static sigjmp_buf on_sigbus;
static siginfo_t last_sigbus;
static int failures;

static void sigbus_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last_sigbus = *si;
	siglongjmp(on_sigbus, 1);
}

/* Read or write one byte; true when that raised SIGBUS (then in last_sigbus). */
static bool access_faults(volatile char *p, bool write)
{
	if (sigsetjmp(on_sigbus, 1))
		return true;
	if (write)
		*p = 'w';
	else
		(void)*p;
	return false;
}

static void expect_mce(char *page, size_t ps, char *at, bool write)
{
	const char *what = write ? "write" : "read";
	char *addr;

	if (!access_faults(at, write)) {
		printf("FAIL: %s of the poisoned page raised no SIGBUS\n", what);
		failures++;
		return;
	}
	addr = last_sigbus.si_addr;
	printf("%s at %p: SIGBUS si_code %d, si_addr %p, si_addr_lsb %d\n", what, (void *)at,
	       last_sigbus.si_code, (void *)addr, (int)last_sigbus.si_addr_lsb);
	if (last_sigbus.si_code != BUS_MCEERR_AR) {
		printf("FAIL: %s: si_code %d, want BUS_MCEERR_AR (%d)\n", what,
		       last_sigbus.si_code, BUS_MCEERR_AR);
		failures++;
	}
	if (addr < page || addr >= page + ps) {
		printf("FAIL: %s: si_addr %p is not in the poisoned page %p\n", what,
		       (void *)addr, (void *)page);
		failures++;
	}
	if ((1ul << last_sigbus.si_addr_lsb) != ps) {
		printf("FAIL: %s: si_addr_lsb %d does not name one page\n", what,
		       (int)last_sigbus.si_addr_lsb);
		failures++;
	}
}

static void expect_intact(char *mem, size_t ps)
{
	for (int i = 0; i < PAGES; i++) {
		if (i == POISONED)
			continue;
		char *page = mem + (size_t)i * ps;
		if (access_faults(page + ps - 1, false) || access_faults(page, true) ||
		    page[ps - 1] != (char)('a' + i)) {
			printf("FAIL: page %d (not poisoned) faults or lost its data\n", i);
			failures++;
		}
	}
}

static char *map_target(const char *file, size_t len)
{
	int fd;
	char *mem;

	if (!file)
		return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)len)) {
		printf("FAIL: %s: %s\n", file, strerror(errno));
		return MAP_FAILED;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return mem;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = sigbus_handler, .sa_flags = SA_SIGINFO };
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	char *mem = map_target(argc > 1 ? argv[1] : NULL, PAGES * ps), *bad;

	if (mem == MAP_FAILED) {
		printf("FAIL: mmap: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < PAGES; i++)
		memset(mem + (size_t)i * ps, 'a' + i, ps);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	bad = mem + POISONED * ps;
	if (madvise(bad, ps, MADV_HWPOISON)) {
		printf("FAIL: madvise(MADV_HWPOISON): %s (needs root and CONFIG_MEMORY_FAILURE)\n",
		       strerror(errno));
		return 1;
	}
	printf("poisoned page %d of %s at %p\n", POISONED, argc > 1 ? argv[1] : "anonymous memory",
	       (void *)bad);
	expect_mce(bad, ps, bad + 100, false);
	expect_mce(bad, ps, bad + 200, true);
	expect_intact(mem, ps);
	printf("%s\n", failures ? "FAIL" : "caught both, neighbours intact, still running");
	return failures ? 1 : 0;
}

/* A program built against the released 1.0 headers (tests/abi/include), run against the library being built: every 1.x must keep it working. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <daxdev.h>
#include <daxdev/composite.h>
#include <daxdev/crashsim.h>
#include <daxdev/provider.h>
#include <daxdev/sharesim.h>

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; \
	printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); \
	printf(" (%s)\n", daxdev_errormsg()); } } while (0)

static void check_library_version(void)
{
	CHECK(daxdev_version_number() >> 16 == DAXDEV_VERSION_MAJOR,
	      "loaded %s, built against %s: another major version", daxdev_version(),
	      DAXDEV_VERSION_STRING);
	CHECK(daxdev_version_number() >= DAXDEV_VERSION, "loaded %s is older than %s",
	      daxdev_version(), DAXDEV_VERSION_STRING);
}

/* The portable build cannot write a CPU cache back: there the program asks
 * for the write cache off (and a provider declares it off), where others
 * ask for it on. */
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
#define WRITE_CACHE_POLICY DAXDEV_WRITE_CACHE_OFF
#define WRITE_CACHE_ON false
#else
#define WRITE_CACHE_POLICY DAXDEV_WRITE_CACHE_ON
#define WRITE_CACHE_ON true
#endif

/* Options, info and offset I/O with the 1.0 structs. */
static void check_open_and_info(void)
{
	DAXDEV_OPEN_OPTS(opts, .size = 1 << 20, .write_cache = WRITE_CACHE_POLICY,
			 .nt_threshold = DAXDEV_NT_NEVER);
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;
	char back[6];

	CHECK(daxdev_open("anon:", &opts, &dev) == 0, "open with 1.0 options");
	if (failures)
		return;
	CHECK(daxdev_size(dev) == 1 << 20, "size %llu", (unsigned long long)daxdev_size(dev));
	CHECK(daxdev_write(dev, 100, "hello", 6) == 0, "write");
	CHECK(daxdev_read(dev, 100, back, 6) == 0 && !strcmp(back, "hello"), "read back");
	CHECK(daxdev_get_info(dev, &info) == 0, "get_info with the 1.0 struct");
	CHECK(info.sz == sizeof(info), "info.sz %zu kept", info.sz);
	CHECK(!strcmp(info.provider, "anon") && info.write_cache == WRITE_CACHE_ON &&
	      info.write_cache_overridden,
	      "info fields: provider %s, write cache %d", info.provider, info.write_cache);
	CHECK(!strcmp(info.copy_impl, "memcpy"), "nt_threshold NEVER: copy %s", info.copy_impl);
	CHECK(info.numa_node == -1 && info.reserved0 == 0, "numa %d", info.numa_node);
	daxdev_put(dev);
}

/* A provider compiled against 1.0's ops and params. */
static int released;

static void abi_release(struct daxdev *dev)
{
	(void)dev;
	released++;
}

static const struct daxdev_operations abi_ops = {
	.sz = sizeof(struct daxdev_operations),
	.release = abi_release,
};

static void check_provider(void)
{
	void *mem = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct daxdev_params p = {
		.sz = sizeof(p), .provider = "abi", .host = "abi0", .size = 8192, .align = 4096,
		.base = mem, .persistence = DAXDEV_PERSISTENCE_PERSISTENT,
		.write_cache = WRITE_CACHE_ON,
		.flat_mapping = true,
	};
	struct daxdev *dev, *members[2], *comp;
	int cookie;

	CHECK(daxdev_alloc(&abi_ops, &p, &cookie, &dev) == 0, "alloc with 1.0 ops and params");
	if (failures)
		return;
	CHECK(daxdev_private(dev, &abi_ops) == &cookie, "private data by ops");
	CHECK(daxdev_write(dev, 8000, "x", 1) == 0, "write to a 1.0 provider's device");
	members[0] = dev;
	CHECK(daxdev_new_volatile(8192, &members[1]) == 0, "second member");
	CHECK(daxdev_linear_new(members, 2, &comp) == 0, "composite of a 1.0 provider");
	CHECK(daxdev_write(comp, 8190, "abcd", 4) == 0, "write across members");
	daxdev_put(comp);
	daxdev_put(members[1]);
	daxdev_put(dev);
	CHECK(released == 1, "release called once, not %d times", released);
	munmap(mem, 8192);
}

static void check_crashsim(void)
{
	struct daxdev_crashsim_stats st = DAXDEV_CRASHSIM_STATS_INIT;
	struct daxdev *sim;

	CHECK(daxdev_open("crashsim:anon:64K", NULL, &sim) == 0, "crashsim");
	if (failures)
		return;
	CHECK(daxdev_write(sim, 0, "durable", 8) == 0, "write");
	CHECK(daxdev_crashsim_stats(sim, &st) == 0 && st.sz == sizeof(st) && st.drains >= 1,
	      "stats with the 1.0 struct: %llu drains", (unsigned long long)st.drains);
	daxdev_put(sim);
}

/* The rest of 1.0: bad blocks, the lock, guarded and fused copies,
 * sharing with the simulator. */
static void check_faults_lock_sharing(void)
{
	DAXDEV_OPEN_OPTS(nc, .sharing = DAXDEV_SHARING_NONCOHERENT);
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;
	struct daxdev_sharesim_stats st = DAXDEV_SHARESIM_STATS_INIT;
	struct daxdev *dev, *mem, *sim, *host0, *host1;
	char buf[64] = "shared", back[64];
	uint32_t crc = 0;
	void *addr;

	CHECK(daxdev_open("anon:64K", NULL, &dev) == 0, "anon");
	if (failures)
		return;
	CHECK(daxdev_badblock_next(dev, 0, &bb) == -ENODATA, "no bad blocks");
	CHECK(daxdev_lock(dev, DAXDEV_LOCK_NOWAIT) == 0, "lock");
	daxdev_unlock(dev);
	CHECK(daxdev_direct_access(dev, 0, 1, &addr) > 0, "direct_access");
	CHECK(daxdev_memcpy_crc32c(dev, addr, buf, sizeof(buf), DAXDEV_F_GUARDED, &crc) == 0 &&
	      crc == daxdev_crc32c(0, buf, sizeof(buf)), "guarded fused copy");
	CHECK(daxdev_memcpy_mcsafe(dev, back, addr, sizeof(back)) == 0 &&
	      !memcmp(back, buf, sizeof(buf)), "mcsafe read");
	daxdev_put(dev);
	CHECK(daxdev_open("anon:64K", NULL, &mem) == 0 &&
	      daxdev_sharesim_new(mem, 2, NULL, &sim) == 0 &&
	      daxdev_sharesim_host(sim, 0, &nc, &host0) == 0 &&
	      daxdev_sharesim_host(sim, 1, &nc, &host1) == 0, "sharesim, two NONCOHERENT hosts");
	if (failures)
		return;
	CHECK(daxdev_write(host0, 0, buf, sizeof(buf)) == 0 &&
	      daxdev_read(host1, 0, back, sizeof(back)) == 0 && !strcmp(back, "shared"),
	      "written back on host 0, read invalidated on host 1");
	CHECK(daxdev_sharesim_stats(sim, &st) == 0 && st.sz == sizeof(st), "sharesim stats");
	daxdev_put(host1);
	daxdev_put(host0);
	daxdev_put(sim);
	daxdev_put(mem);
}

int main(void)
{
	check_library_version();
	check_open_and_info();
	check_provider();
	check_crashsim();
	check_faults_lock_sharing();
	printf("%s: program built against libdaxdev %s headers, running on %s: %d failures\n",
	       failures ? "FAIL" : "PASS", DAXDEV_VERSION_STRING, daxdev_version(), failures);
	return failures ? 1 : 0;
}

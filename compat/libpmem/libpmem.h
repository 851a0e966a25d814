/* SPDX-License-Identifier: MIT */
/*
 * libpmem 1.x API as implemented by libdaxdev's drop-in libpmem.so.1
 * (docs/libpmem.md).  Same functions, same flag values and the same
 * version node (LIBPMEM_1.0) as PMDK's libpmem, so that binaries built
 * against PMDK run unchanged; written for libdaxdev, not copied.
 */
#ifndef DAXDEV_COMPAT_LIBPMEM_H
#define DAXDEV_COMPAT_LIBPMEM_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PMEM_API
#define PMEM_API __attribute__((visibility("default")))
#endif

/* pmem_map_file() flags */
#define PMEM_FILE_CREATE  (1 << 0)
#define PMEM_FILE_EXCL    (1 << 1)
#define PMEM_FILE_SPARSE  (1 << 2)
#define PMEM_FILE_TMPFILE (1 << 3)

/* pmem_memmove()/pmem_memcpy()/pmem_memset() flags */
#define PMEM_F_MEM_NODRAIN     (1U << 0)
#define PMEM_F_MEM_NONTEMPORAL (1U << 1)
#define PMEM_F_MEM_TEMPORAL    (1U << 2)
#define PMEM_F_MEM_WC          (1U << 3)
#define PMEM_F_MEM_WB          (1U << 4)
#define PMEM_F_MEM_NOFLUSH     (1U << 5)
#define PMEM_F_MEM_VALID_FLAGS (PMEM_F_MEM_NODRAIN | PMEM_F_MEM_NONTEMPORAL | \
				PMEM_F_MEM_TEMPORAL | PMEM_F_MEM_WC | PMEM_F_MEM_WB | \
				PMEM_F_MEM_NOFLUSH)

#define PMEM_MAJOR_VERSION 1
#define PMEM_MINOR_VERSION 1

PMEM_API void *pmem_map_file(const char *path, size_t len, int flags, mode_t mode,
			     size_t *mapped_lenp, int *is_pmemp);
PMEM_API int pmem_unmap(void *addr, size_t len);
PMEM_API int pmem_is_pmem(const void *addr, size_t len);

PMEM_API void pmem_persist(const void *addr, size_t len);
PMEM_API int pmem_msync(const void *addr, size_t len);
PMEM_API int pmem_has_auto_flush(void);
PMEM_API void pmem_flush(const void *addr, size_t len);
PMEM_API void pmem_deep_flush(const void *addr, size_t len);
PMEM_API int pmem_deep_drain(const void *addr, size_t len);
PMEM_API int pmem_deep_persist(const void *addr, size_t len);
PMEM_API void pmem_drain(void);
PMEM_API int pmem_has_hw_drain(void);

PMEM_API void *pmem_memmove_persist(void *pmemdest, const void *src, size_t len);
PMEM_API void *pmem_memcpy_persist(void *pmemdest, const void *src, size_t len);
PMEM_API void *pmem_memset_persist(void *pmemdest, int c, size_t len);
PMEM_API void *pmem_memmove_nodrain(void *pmemdest, const void *src, size_t len);
PMEM_API void *pmem_memcpy_nodrain(void *pmemdest, const void *src, size_t len);
PMEM_API void *pmem_memset_nodrain(void *pmemdest, int c, size_t len);
PMEM_API void *pmem_memmove(void *pmemdest, const void *src, size_t len, unsigned flags);
PMEM_API void *pmem_memcpy(void *pmemdest, const void *src, size_t len, unsigned flags);
PMEM_API void *pmem_memset(void *pmemdest, int c, size_t len, unsigned flags);

PMEM_API const char *pmem_check_version(unsigned major_required, unsigned minor_required);
PMEM_API const char *pmem_errormsg(void);

#ifdef __cplusplus
}
#endif
#endif

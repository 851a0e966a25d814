/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: guarded against unguarded pointer copies.  Built only
 * when daxdev.h declares the guarded pointer calls, i.e. defines
 * DAXDEV_F_GUARDED (the flag of the faults work: the call catches SIGBUS
 * on the device's memory and returns -EIO/-ESTALE; daxdev_memcpy_mcsafe()
 * comes with it).  Without it add_guarded_workloads() adds nothing.
 */
#ifndef DAXDEV_BENCH_GUARDED_H
#define DAXDEV_BENCH_GUARDED_H

#include "bench.h"

/* guarded-seq (anon and volatile), guarded-hot (8 B, volatile) and
 * guarded-read (daxdev_memcpy_mcsafe, volatile). */
void add_guarded_workloads(void);

#endif

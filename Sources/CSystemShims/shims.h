/* The few libc calls Swift's Glibc module does not show. */
#include <malloc.h>

/* Keep multi-MiB frame buffers in the heap instead of mmap/munmap per call:
   otherwise every 4 KiB of every frame costs a page fault. */
static inline void spotfinder_keep_large_buffers_in_heap(void) {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Lower the calling thread's CPU priority (Linux: nice is per thread). Raising nice needs no
   privilege; returns 0 or -1 with errno. Used for batch compute threads. */
static inline int spotfinder_nice_this_thread(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

/* The calling thread's nice value (tests). */
static inline int spotfinder_this_thread_nice(void) {
    return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}

#include <pthread.h>

/* Name the calling thread as `top -H` and /proc/PID/task/TID/comm show it (at most 15 bytes kept). */
static inline void spotfinder_name_this_thread(const char *name) {
    char short_name[16];
    int i = 0;
    for (; i < 15 && name[i]; i++) short_name[i] = name[i];
    short_name[i] = 0;
    pthread_setname_np(pthread_self(), short_name);
}

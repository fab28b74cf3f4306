/* The few libc calls Swift's Glibc module does not show. */
#include <malloc.h>

/* Keep multi-MiB frame buffers in the heap instead of mmap/munmap per call:
   otherwise every 4 KiB of every frame costs a page fault. */
static inline void spotfinder_keep_large_buffers_in_heap(void) {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

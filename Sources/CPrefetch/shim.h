// Software prefetch for the sparse kernels: Swift has no prefetch intrinsic, and the SpMM's
// gathers of 256-byte embedding rows by column index are latency-bound without it.
#ifndef ACCF_PREFETCH_H
#define ACCF_PREFETCH_H

/// Asks for the cache lines of [p, p + bytes) to be loaded for reading (no fault on any address).
static inline void accf_prefetch_read(const void *p, long bytes) {
    const char *c = (const char *)p;
    for (long o = 0; o < bytes; o += 64) __builtin_prefetch(c + o, 0, 3);
}
#endif

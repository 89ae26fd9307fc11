// SPDX-License-Identifier: MIT
// prefetch: a cache hint the optimiser cannot drop.
#pragma once

#include "../../version.hpp"

#include <cstddef>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::bits {

/// Asks the CPU to bring the line at `address` into cache; `for_write` when
/// it will be written. A hint only: any address is safe, none is read.
///
/// g++ 12 deletes a __builtin_prefetch whose address needs a load (a slot in
/// a chunk, a link in a record) at -O2, and at -O3 when it sits under a
/// branch; the empty asm makes the address a value it must compute, so the
/// hint stays.
inline void prefetch(const void* address, bool for_write = false) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    asm volatile("" : "+r"(address));
#if defined(__x86_64__)
    // The compilers emit a read prefetch for a write hint unless built for
    // a CPU with PREFETCHW; every x86-64 CPU runs it (Intel before Broadwell
    // as a no-op: 64-bit Windows 8.1 and later require it of every CPU).
    if (for_write) asm volatile("prefetchw (%0)" : : "r"(address));
#else
    if (for_write) __builtin_prefetch(address, 1);
#endif
    else
        __builtin_prefetch(address, 0);
#else
    (void)address;
    (void)for_write;
#endif
}

/// prefetch() of every line of `size` bytes at `data`.
inline void prefetch_range(const void* data, std::size_t size) noexcept {
    const char* const begin = static_cast<const char*>(data);
    for (std::size_t offset = 0; offset < size; offset += 64) prefetch(begin + offset);
}

}  // namespace detail::bits
TRACEFLOW_NAMESPACE_END

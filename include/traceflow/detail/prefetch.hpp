// SPDX-License-Identifier: MIT
// prefetch: a cache hint the optimiser cannot drop.
#pragma once

#include "../version.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail {

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
    if (for_write) __builtin_prefetch(address, 1);
    else __builtin_prefetch(address, 0);
#else
    (void)address;
    (void)for_write;
#endif
}

}  // namespace detail
TRACEFLOW_NAMESPACE_END

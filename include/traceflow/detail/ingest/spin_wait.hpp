// SPDX-License-Identifier: MIT
// SpinWait: waits a few microseconds on a condition before a thread goes to sleep on it.
#pragma once

#include "../../version.hpp"

#include <chrono>
#include <thread>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::ingest {

/// Checks a condition another thread will soon make true, for up to
/// `budget`, before the caller blocks on it. Going to sleep and being woken
/// costs both threads system calls and an interrupt between the cores (tens
/// of microseconds on a virtual machine), more than the wait itself when
/// the other thread is a batch away. On one core it does not spin.
class SpinWait {
public:
    explicit SpinWait(std::chrono::microseconds budget = std::chrono::microseconds(50)) noexcept
        : budget_(std::thread::hardware_concurrency() > 1 ? budget : std::chrono::microseconds(0)) {}

    /// True as soon as `ready()` is; false when the budget ran out first.
    template <typename Ready>
    bool until(Ready&& ready) const {
        if (ready()) return true;
        if (budget_.count() == 0) return false;
        const auto deadline = std::chrono::steady_clock::now() + budget_;
        for (;;) {
            for (int i = 0; i < 64; ++i) {
                relax();
                if (ready()) return true;
            }
            if (std::chrono::steady_clock::now() >= deadline) return false;
        }
    }

private:
    // Tells the core it is a spin loop (fewer pipeline flushes, the sibling
    // hyperthread gets the cycles).
    static void relax() noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
        __builtin_ia32_pause();
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    std::chrono::microseconds budget_;
};

}  // namespace detail::ingest
TRACEFLOW_NAMESPACE_END

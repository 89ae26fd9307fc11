// SPDX-License-Identifier: MIT
// SpinWait: what the threaded feed's threads do before they sleep on a condition.
#include <traceflow/detail/ingest/spin_wait.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "test_catch.hpp"

using traceflow::detail::ingest::SpinWait;
using Clock = std::chrono::steady_clock;

TEST_CASE("threaded: SpinWait gives true at once when the condition holds, and asks no more", "[threaded][spin]") {
    const SpinWait spin(std::chrono::microseconds(100000));
    int asked = 0;
    CHECK(spin.until([&] { return ++asked > 0; }));
    CHECK(asked == 1);
}

TEST_CASE("threaded: SpinWait gives up only after its budget, and at once with none", "[threaded][spin]") {
    const SpinWait spin(std::chrono::microseconds(2000));
    const auto start = Clock::now();
    int asked = 0;
    CHECK_FALSE(spin.until([&] {
        ++asked;
        return false;
    }));
    CHECK(Clock::now() - start >= std::chrono::microseconds(2000));
    CHECK(asked > 1);  // it kept asking while it spun

    const SpinWait none(std::chrono::microseconds(0));
    asked = 0;
    CHECK_FALSE(none.until([&] {
        ++asked;
        return false;
    }));
    CHECK(asked == 1);  // asked once, then the caller sleeps
}

TEST_CASE("threaded: SpinWait sees a condition another thread makes true", "[threaded][spin]") {
    if (std::thread::hardware_concurrency() < 2) TESTUTIL_SKIP("one core: SpinWait does not spin");
    std::atomic<bool> ready{false};
    int payload = 0;
    std::thread other([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        payload = 42;
        ready.store(true, std::memory_order_release);
    });
    const SpinWait spin(std::chrono::seconds(20));  // far longer than the other thread needs
    const bool seen = spin.until([&] { return ready.load(std::memory_order_acquire); });
    other.join();
    CHECK(seen);
    CHECK(payload == 42);
}

// SPDX-License-Identifier: MIT
// TimeResolution: the unit of a capture's timestamps and its exact conversion to Timestamp.
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <limits>
#include <optional>

#include "../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace io {

/// The unit of a raw timestamp count: 10^-n s (pcap µs/ns, pcapng decimal
/// if_tsresol) or 2^-n s (pcapng binary if_tsresol). Converts a 64-bit count
/// to an exact Timestamp with 64-bit integer math only.
///
///     auto r = io::TimeResolution::from_if_tsresol(0x89);  // 2^-9 s
///     Timestamp t = r->to_timestamp(513);                  // 1 s + 1953125 ns
class TimeResolution {
public:
    /// 10^-6 s, the pcap and pcapng default.
    constexpr TimeResolution() noexcept : TimeResolution(false, 6) {}

    /// 10^-6 s (pcap magic a1b2c3d4).
    [[nodiscard]] static constexpr TimeResolution microseconds() noexcept { return TimeResolution(false, 6); }
    /// 10^-9 s (pcap magic a1b23c4d).
    [[nodiscard]] static constexpr TimeResolution nanoseconds() noexcept { return TimeResolution(false, 9); }

    /// From a pcapng if_tsresol byte: high bit clear = 10^-n, set = 2^-n, n
    /// the low 7 bits. Empty when the unit cannot be held in 64-bit math:
    /// 10^-n for n > 19 or 2^-n for n > 63 (e.g. 0xFF).
    [[nodiscard]] static constexpr std::optional<TimeResolution> from_if_tsresol(std::uint8_t value) noexcept {
        const bool binary = (value & 0x80) != 0;
        const int exponent = value & 0x7F;
        if (exponent > (binary ? 63 : 19)) return std::nullopt;
        return TimeResolution(binary, exponent);
    }

    /// True for 2^-n units, false for 10^-n.
    [[nodiscard]] constexpr bool binary() const noexcept { return binary_; }
    /// The n of 10^-n or 2^-n.
    [[nodiscard]] constexpr int exponent() const noexcept { return exponent_; }

    /// The time `units` counts of this unit after the epoch. Units finer than
    /// 1 ns are truncated to the ns; binary fractions round to the nearest ns.
    /// Seconds beyond int64 (only possible with 1-second units) saturate.
    [[nodiscard]] constexpr Timestamp to_timestamp(std::uint64_t units) const noexcept {
        std::uint64_t sec = 0;
        std::uint64_t nsec = 0;
        if (!binary_) {
            // The two common units get constant divisors the compiler turns into multiplies.
            if (exponent_ == 6) {
                sec = units / 1'000'000;
                nsec = units % 1'000'000 * 1000;
            } else if (exponent_ == 9) {
                sec = units / 1'000'000'000;
                nsec = units % 1'000'000'000;
            } else {
                sec = units / per_second_;
                const std::uint64_t rest = units % per_second_;
                nsec = exponent_ <= 9 ? rest * scale_ : rest / scale_;
            }
        } else if (exponent_ == 0) {
            sec = units;
        } else {
            sec = units >> exponent_;
            nsec = round_binary_fraction(units & (per_second_ - 1), exponent_);
            if (nsec == 1'000'000'000) {
                ++sec;
                nsec = 0;
            }
        }
        constexpr auto max_sec = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        if (sec > max_sec) sec = max_sec;
        return Timestamp{static_cast<std::int64_t>(sec), static_cast<std::uint32_t>(nsec)};
    }

    friend constexpr bool operator==(const TimeResolution& a, const TimeResolution& b) noexcept {
        return a.binary_ == b.binary_ && a.exponent_ == b.exponent_;
    }
    friend constexpr bool operator!=(const TimeResolution& a, const TimeResolution& b) noexcept { return !(a == b); }

private:
    constexpr TimeResolution(bool binary, int exponent) noexcept
        : binary_(binary),
          exponent_(exponent),
          per_second_(binary ? std::uint64_t{1} << exponent : pow10(exponent)),
          scale_(binary          ? 1
                 : exponent <= 9 ? pow10(9 - exponent)
                                 : pow10(exponent - 9)) {}

    static constexpr std::uint64_t pow10(int n) noexcept {
        std::uint64_t v = 1;
        for (int i = 0; i < n; ++i) v *= 10;
        return v;
    }

    // round(frac * 10^9 / 2^n) for frac < 2^n, 1 <= n <= 63: the product needs
    // up to 93 bits, so it is formed from 32-bit halves in two 64-bit words.
    static constexpr std::uint64_t round_binary_fraction(std::uint64_t frac, int n) noexcept {
        constexpr std::uint64_t billion = 1'000'000'000;
        const std::uint64_t low = (frac & 0xFFFF'FFFF) * billion;  // < 2^62
        const std::uint64_t high = (frac >> 32) * billion;         // < 2^62
        std::uint64_t lo = low + (high << 32);
        std::uint64_t hi = (high >> 32) + (lo < low ? 1 : 0);
        const std::uint64_t half = std::uint64_t{1} << (n - 1);
        const std::uint64_t sum = lo + half;
        hi += sum < lo ? 1 : 0;
        lo = sum;
        return (lo >> n) | (hi << (64 - n));
    }

    bool binary_;
    int exponent_;
    std::uint64_t per_second_;  // units per second (2^n, or 10^n for n <= 19)
    std::uint64_t scale_;       // 10^(9-n) to multiply, or 10^(n-9) to divide, the sub-second rest
};

}  // namespace io
TRACEFLOW_NAMESPACE_END

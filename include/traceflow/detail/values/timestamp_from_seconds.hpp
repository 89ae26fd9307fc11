// SPDX-License-Identifier: MIT
// timestamp_from_seconds(): the Timestamp nearest to a double number of seconds.
#pragma once

#include "../../version.hpp"

#include <cstdint>

#include "../../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::values {

/// The Timestamp nearest to `seconds` (to the nanosecond); NaN gives 0 and
/// values beyond ±2^62 s saturate, so no input is undefined behaviour.
[[nodiscard]] inline Timestamp timestamp_from_seconds(double seconds) noexcept {
    constexpr double limit = 4611686018427387904.0;  // 2^62
    if (seconds != seconds) return Timestamp{};  // NaN; no <cmath>: it costs a user's TU 0.2 s
    if (seconds >= limit) return Timestamp{INT64_C(4611686018427387904), 0};
    if (seconds <= -limit) return Timestamp{-INT64_C(4611686018427387904), 0};
    // floor(): within ±2^62 the conversions to and from int64 are exact.
    auto sec = static_cast<std::int64_t>(seconds);
    if (static_cast<double>(sec) > seconds) --sec;
    const double whole = static_cast<double>(sec);
    // seconds - whole is exact (both share the same binade or whole is 0);
    // the product is in [0, 1e9], so rounding half away from zero is by hand.
    const double fraction_ns = (seconds - whole) * 1e9;
    auto nsec = static_cast<std::int64_t>(fraction_ns);
    if (fraction_ns - static_cast<double>(nsec) >= 0.5) ++nsec;
    if (nsec >= 1'000'000'000) {
        nsec -= 1'000'000'000;
        ++sec;
    }
    return Timestamp{sec, static_cast<std::uint32_t>(nsec)};
}

}  // namespace detail::values
TRACEFLOW_NAMESPACE_END

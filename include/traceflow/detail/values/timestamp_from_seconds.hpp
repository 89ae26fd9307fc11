// SPDX-License-Identifier: MIT
// timestamp_from_seconds(): the Timestamp nearest to a double number of seconds.
#pragma once

#include "../../version.hpp"

#include <cmath>
#include <cstdint>

#include "../../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::values {

/// The Timestamp nearest to `seconds` (to the nanosecond); NaN gives 0 and
/// values beyond ±2^62 s saturate, so no input is undefined behaviour.
[[nodiscard]] inline Timestamp timestamp_from_seconds(double seconds) noexcept {
    constexpr double limit = 4611686018427387904.0;  // 2^62
    if (std::isnan(seconds)) return Timestamp{};
    if (seconds >= limit) return Timestamp{INT64_C(4611686018427387904), 0};
    if (seconds <= -limit) return Timestamp{-INT64_C(4611686018427387904), 0};
    const double whole = std::floor(seconds);
    // seconds - whole is exact (both share the same binade or whole is 0).
    auto sec = static_cast<std::int64_t>(whole);
    auto nsec = static_cast<std::int64_t>(std::llround((seconds - whole) * 1e9));
    if (nsec >= 1'000'000'000) {
        nsec -= 1'000'000'000;
        ++sec;
    }
    return Timestamp{sec, static_cast<std::uint32_t>(nsec)};
}

}  // namespace detail::values
TRACEFLOW_NAMESPACE_END

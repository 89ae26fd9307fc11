// SPDX-License-Identifier: MIT
// Timestamp: an exact capture time, and its rendering as Python's repr(float).
#pragma once

#include "version.hpp"

#include <charconv>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "detail/text/decimal_seconds.hpp"
#include "detail/text/python_float_text.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// An exact point in capture time: whole seconds since the epoch plus
/// nanoseconds (0..999'999'999). Never a lossy double.
struct Timestamp {
    std::int64_t sec = 0;
    std::uint32_t nsec = 0;

    friend constexpr bool operator==(const Timestamp& a, const Timestamp& b) noexcept {
        return a.sec == b.sec && a.nsec == b.nsec;
    }
    friend constexpr bool operator!=(const Timestamp& a, const Timestamp& b) noexcept { return !(a == b); }
    friend constexpr bool operator<(const Timestamp& a, const Timestamp& b) noexcept {
        return a.sec != b.sec ? a.sec < b.sec : a.nsec < b.nsec;
    }
    friend constexpr bool operator>(const Timestamp& a, const Timestamp& b) noexcept { return b < a; }
    friend constexpr bool operator<=(const Timestamp& a, const Timestamp& b) noexcept { return !(b < a); }
    friend constexpr bool operator>=(const Timestamp& a, const Timestamp& b) noexcept { return !(a < b); }

    /// Nanoseconds since the epoch; saturates outside ±292 years around 1970
    /// (a file may claim any 64-bit second).
    [[nodiscard]] constexpr std::int64_t total_nanoseconds() const noexcept {
        constexpr std::int64_t limit = INT64_MAX / 1'000'000'000 - 1;
        if (sec > limit) return INT64_MAX;
        if (sec < -limit) return INT64_MIN;
        return sec * 1'000'000'000 + static_cast<std::int64_t>(nsec);
    }
    [[nodiscard]] static constexpr Timestamp from_nanoseconds(std::int64_t ns) noexcept {
        std::int64_t s = ns / 1'000'000'000;
        std::int64_t r = ns % 1'000'000'000;
        if (r < 0) {
            r += 1'000'000'000;
            --s;
        }
        return Timestamp{s, static_cast<std::uint32_t>(r)};
    }

    /// The exact decimal text `sec.nnnnnnnnn` (nine fractional digits).
    [[nodiscard]] std::string to_decimal() const;

    /// What Python's `repr(float)` prints for the double nearest to this
    /// exact time, as pcapkit writes it into flow labels: shortest digits that
    /// round-trip, fixed notation with at least one fractional digit when the
    /// decimal exponent is in [-4, 16), else `d.ddde±XX`.
    [[nodiscard]] std::string to_python_repr() const;
    /// Appends to_python_repr() to `out` without temporaries.
    void append_python_repr(std::string& out) const;

    /// Parses a decimal time such as `1511106549.91372` exactly (at most nine
    /// fractional digits are kept; more are truncated). Empty on bad text.
    [[nodiscard]] static std::optional<Timestamp> parse(std::string_view text) noexcept;
};

inline std::string Timestamp::to_decimal() const {
    char buf[32];
    return std::string(buf, detail::text::write_decimal(buf, sec, nsec));
}

inline void Timestamp::append_python_repr(std::string& out) const {
    // A correctly rounded parse of the exact decimal, never sec + nsec / 1e9.
    char buf[32];
    const char* end = detail::text::write_decimal(buf, sec, nsec);
    double value = 0.0;
    std::from_chars(buf, end, value);
    detail::text::append_python_repr(out, value);
}

inline std::string Timestamp::to_python_repr() const {
    std::string out;
    append_python_repr(out);
    return out;
}

inline std::optional<Timestamp> Timestamp::parse(std::string_view text) noexcept {
    bool negative = false;
    if (!text.empty() && text.front() == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty() || whole.size() > 18) return std::nullopt;
    std::int64_t s = 0;
    for (char c : whole) {
        if (c < '0' || c > '9') return std::nullopt;
        s = s * 10 + (c - '0');
    }
    std::uint32_t ns = 0;
    std::size_t i = 0;
    for (; i < frac.size(); ++i) {
        const char c = frac[i];
        if (c < '0' || c > '9') return std::nullopt;
        if (i < 9) ns = ns * 10 + static_cast<std::uint32_t>(c - '0');
    }
    for (; i < 9; ++i) ns *= 10;
    if (!negative) return Timestamp{s, ns};
    if (ns == 0) return Timestamp{-s, 0};
    return Timestamp{-s - 1, 1'000'000'000 - ns};
}

TRACEFLOW_NAMESPACE_END

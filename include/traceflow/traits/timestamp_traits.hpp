// SPDX-License-Identifier: MIT
// timestamp_traits: how TraceFlow reads a packet's time field (Timestamp, double seconds, std::chrono).
#pragma once

#include "../version.hpp"

#include "../detail/values/timestamp_from_seconds.hpp"
#include "../fwd.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// How TraceFlow reads a packet's `timestamp` of type `T`. A specialisation
/// provides `static Timestamp to_timestamp(const T&)` (time since the Unix
/// epoch; timers, statistics and output files use it) and may provide
/// `static void append_label(std::string&, const T&)`, the time text of a
/// flow's label (default: Timestamp::append_python_repr of to_timestamp).
/// Provided for Timestamp, `double` (and `float`) seconds, std::chrono
/// durations since the epoch and `std::chrono::system_clock` time points.
template <typename T, typename Enable>
struct timestamp_traits {
    static_assert(sizeof(T) == 0,
                  "traceflow: unsupported timestamp type: use traceflow::Timestamp, double seconds, a "
                  "std::chrono duration since the epoch, a std::chrono::system_clock time_point, or specialise "
                  "traceflow::timestamp_traits<YourTime> (static Timestamp to_timestamp(const YourTime&))");
};

/// Timestamp itself; the label is Python's repr of the double nearest to it.
template <>
struct timestamp_traits<Timestamp> {
    static const Timestamp& to_timestamp(const Timestamp& t) noexcept { return t; }
    static void append_label(std::string& out, const Timestamp& t) { t.append_python_repr(out); }
};

/// Seconds since the epoch as a float, as pcapkit holds them: the label's
/// time is Python's repr of this very double.
template <typename F>
struct timestamp_traits<F, std::enable_if_t<std::is_floating_point_v<F>>> {
    static Timestamp to_timestamp(F t) noexcept {
        return detail::values::timestamp_from_seconds(static_cast<double>(t));
    }
    static void append_label(std::string& out, F t) { detail::text::append_python_repr(out, static_cast<double>(t)); }
};

/// A duration since the Unix epoch. Integral ones are exact to the
/// nanosecond; floating ones are read as double seconds (and labelled so).
template <typename Rep, typename Period>
struct timestamp_traits<std::chrono::duration<Rep, Period>> {
    using duration = std::chrono::duration<Rep, Period>;
    static Timestamp to_timestamp(const duration& d) noexcept {
        if constexpr (std::is_floating_point_v<Rep>) {
            return detail::values::timestamp_from_seconds(std::chrono::duration<double>(d).count());
        } else {
            const auto whole = std::chrono::floor<std::chrono::seconds>(d);
            const auto rest = std::chrono::duration_cast<std::chrono::nanoseconds>(d - whole);
            return Timestamp{static_cast<std::int64_t>(whole.count()), static_cast<std::uint32_t>(rest.count())};
        }
    }
    static void append_label(std::string& out, const duration& d) {
        if constexpr (std::is_floating_point_v<Rep>) {
            detail::text::append_python_repr(out, std::chrono::duration<double>(d).count());
        } else {
            to_timestamp(d).append_python_repr(out);
        }
    }
};

/// A system_clock time point (its epoch is the Unix epoch).
template <typename Duration>
struct timestamp_traits<std::chrono::time_point<std::chrono::system_clock, Duration>> {
    using time_point = std::chrono::time_point<std::chrono::system_clock, Duration>;
    static Timestamp to_timestamp(const time_point& t) noexcept {
        return timestamp_traits<Duration>::to_timestamp(t.time_since_epoch());
    }
    static void append_label(std::string& out, const time_point& t) {
        timestamp_traits<Duration>::append_label(out, t.time_since_epoch());
    }
};

TRACEFLOW_NAMESPACE_END

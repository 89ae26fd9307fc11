// SPDX-License-Identifier: MIT
// make_label: a flow's name, `{src}_{srcport}-{dst}_{dstport}-{ts}`, byte for byte as pcapkit.
#pragma once

#include "version.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>

#include "detail/text/label_prefix.hpp"
#include "detail/values/time_conversion.hpp"
#include "ip_address.hpp"
#include "timestamp.hpp"
#include "traits/address_traits.hpp"
#include "traits/timestamp_traits.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// The label pcapkit gives a flow from its first packet. The time, of any
/// type timestamp_traits knows, is printed as Python's repr of it as a float
/// (a `double` time as Python prints that very double); every `:` (IPv6)
/// becomes `.` so the label is a valid file name everywhere.
template <typename AddressT, typename TimeT>
[[nodiscard]] std::string make_label(const AddressT& src, std::uint16_t srcport, const AddressT& dst,
                                     std::uint16_t dstport, const TimeT& time) {
    std::string out;
    out.reserve(64);
    detail::text::append_label_prefix(out, src, srcport, dst, dstport);
    detail::values::append_label_time(out, time);
    std::replace(out.begin(), out.end(), ':', '.');
    return out;
}

TRACEFLOW_NAMESPACE_END

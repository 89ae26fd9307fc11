// SPDX-License-Identifier: MIT
// append_label_prefix: the part of a flow label that its key fixes, `{src}_{srcport}-{dst}_{dstport}-`.
#pragma once

#include "../../version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "../values/address_ops.hpp"
#include "decimal_text.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::text {

/// Appends `{src}_{srcport}-{dst}_{dstport}-` as make_label writes it (every
/// `:` made `.`); the first packet's time follows it in a label.
template <typename AddressT>
void append_label_prefix(std::string& out, const AddressT& src, std::uint16_t srcport, const AddressT& dst,
                         std::uint16_t dstport) {
    const std::size_t from = out.size();
    values::append_address(out, src);
    out.push_back('_');
    append_decimal(out, srcport);
    out.push_back('-');
    values::append_address(out, dst);
    out.push_back('_');
    append_decimal(out, dstport);
    out.push_back('-');
    std::replace(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(), ':', '.');
}

}  // namespace detail::text
TRACEFLOW_NAMESPACE_END

// SPDX-License-Identifier: MIT
// Address equality, order, hash and text, all through address_traits.
#pragma once

#include "../../version.hpp"

#include <cstdint>
#include <string>

#include "../../traits/address_traits.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::values {

/// Key equality through address_traits (flow keys compare addresses only this way).
template <typename AddressT>
[[nodiscard]] bool address_equal(const AddressT& a, const AddressT& b) {
    return address_traits<AddressT>::equal(a, b);
}

/// Key order through address_traits.
template <typename AddressT>
[[nodiscard]] bool address_less(const AddressT& a, const AddressT& b) {
    return address_traits<AddressT>::less(a, b);
}

/// Hash of an address through address_traits.
template <typename AddressT>
[[nodiscard]] std::uint64_t address_hash(const AddressT& a) {
    return address_traits<AddressT>::hash(a);
}

/// Appends an address's label text through address_traits.
template <typename AddressT>
void append_address(std::string& out, const AddressT& address) {
    address_traits<AddressT>::append_text(out, address);
}

}  // namespace detail::values
TRACEFLOW_NAMESPACE_END

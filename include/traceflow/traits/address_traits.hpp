// SPDX-License-Identifier: MIT
// address_traits: how TraceFlow stores, compares, hashes, orders and prints a packet's address type.
#pragma once

#include "../version.hpp"

#include "../detail/values/plain_address.hpp"
#include "../detail/values/text_address_traits.hpp"
#include "../fwd.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../ip_address.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// How TraceFlow handles a packet's address type `T`. A specialisation
/// provides `key_type` (what flow keys store: `T` itself, or an owning form),
/// `static key_type to_key(const T&)` (may return a reference),
/// `static bool equal(const key_type&, const key_type&)`,
/// `static bool less(const key_type&, const key_type&)` (any strict total
/// order; bidirectional keys put the smaller address first),
/// `static std::uint64_t hash(const key_type&)` and
/// `static void append_text(std::string&, const key_type&)` (the label text).
/// Provided for IpAddress, std::string, std::string_view, const char*,
/// std::array<std::uint8_t, 4 or 16>, and any type with `==`, `<`,
/// `std::hash` and a `to_string()` member. For a type of your own:
///
/// ```cpp
/// #include <traceflow/traceflow.hpp>
///
/// #include <cstdint>
/// #include <string>
/// #include <vector>
///
/// struct HostId {  // an address type with no operators
///     std::uint32_t value = 0;
/// };
///
/// template <>
/// struct traceflow::address_traits<HostId> {
///     using key_type = HostId;
///     static const HostId& to_key(const HostId& a) noexcept { return a; }
///     static bool equal(const HostId& a, const HostId& b) noexcept { return a.value == b.value; }
///     static bool less(const HostId& a, const HostId& b) noexcept { return a.value < b.value; }
///     static std::uint64_t hash(const HostId& a) noexcept { return a.value; }
///     static void append_text(std::string& out, const HostId& a) { out += "host" + std::to_string(a.value); }
/// };
///
/// struct MyPacket {  // pcapkit's ten fields
///     int protocol = 1;
///     std::uint64_t index = 0;
///     std::vector<std::uint8_t> frame;
///     bool syn = false, fin = false;
///     HostId src, dst;
///     std::uint16_t srcport = 0, dstport = 0;
///     double timestamp = 0;
/// };
///
/// int main() {
///     traceflow::TraceFlow<MyPacket> tracer;
///     MyPacket p;
///     p.src = HostId{7};
///     p.timestamp = 1700000000.5;
///     return tracer.trace(p).label == "host7_0-host0_0-1700000000.5" ? 0 : 1;
/// }
/// ```
template <typename T, typename Enable>
struct address_traits {
    static_assert(sizeof(T) == 0,
                  "traceflow: unsupported address type: use traceflow::IpAddress, std::string, std::string_view, "
                  "std::array<std::uint8_t, 4 or 16>, or specialise traceflow::address_traits<YourAddress> "
                  "(key_type, to_key, equal, less, hash, append_text; see address_traits.hpp)");
};

/// IpAddress: keyed as it is, printed as Python's `ipaddress` prints it.
template <>
struct address_traits<IpAddress> {
    using key_type = IpAddress;
    static const IpAddress& to_key(const IpAddress& a) noexcept { return a; }
    static bool equal(const IpAddress& a, const IpAddress& b) noexcept { return a == b; }
    static bool less(const IpAddress& a, const IpAddress& b) noexcept { return a < b; }
    static std::uint64_t hash(const IpAddress& a) noexcept { return a.hash(); }
    static void append_text(std::string& out, const IpAddress& a) { a.append_to(out); }
};

/// Text, keyed and printed as given.
template <>
struct address_traits<std::string> : detail::values::TextAddressTraits {
    static const std::string& to_key(const std::string& a) noexcept { return a; }
};

/// Viewed text: keys own a copy (the caller's buffer may change after the call).
template <>
struct address_traits<std::string_view> : detail::values::TextAddressTraits {
    static std::string to_key(std::string_view a) { return std::string(a); }
};

/// A C string (a null pointer is the empty text): keys own a copy.
template <>
struct address_traits<const char*> : detail::values::TextAddressTraits {
    static std::string to_key(const char* a) { return a != nullptr ? std::string(a) : std::string(); }
};

/// Raw address bytes in network order: 4 (IPv4) or 16 (IPv6), printed as IpAddress prints them.
template <std::size_t N>
struct address_traits<std::array<std::uint8_t, N>, std::enable_if_t<N == 4 || N == 16>> {
    using key_type = std::array<std::uint8_t, N>;
    static const key_type& to_key(const key_type& a) noexcept { return a; }
    static bool equal(const key_type& a, const key_type& b) noexcept { return a == b; }
    static bool less(const key_type& a, const key_type& b) noexcept { return a < b; }
    static std::uint64_t hash(const key_type& a) noexcept {
        std::uint64_t w[2] = {0, 0};
        std::memcpy(w, a.data(), N);
        return detail::bits::mix64(w[0] * 0x9E3779B97F4A7C15ULL ^ detail::bits::mix64(w[1] + N));
    }
    static void append_text(std::string& out, const key_type& a) {
        if constexpr (N == 4)
            IpAddress::v4(a.data()).append_to(out);
        else
            IpAddress::v6(a.data()).append_to(out);
    }
};

/// Any value type with `==`, `<`, `std::hash` and `to_string()`.
template <typename T>
struct address_traits<T,
                      std::enable_if_t<detail::values::is_plain_address<T>::value && !std::is_same_v<T, IpAddress>>> {
    using key_type = T;
    static const T& to_key(const T& a) noexcept { return a; }
    static bool equal(const T& a, const T& b) { return a == b; }
    static bool less(const T& a, const T& b) { return a < b; }
    static std::uint64_t hash(const T& a) { return static_cast<std::uint64_t>(std::hash<T>{}(a)); }
    static void append_text(std::string& out, const T& a) { out += a.to_string(); }
};

TRACEFLOW_NAMESPACE_END

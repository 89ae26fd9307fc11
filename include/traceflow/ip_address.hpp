// SPDX-License-Identifier: MIT
// IpAddress: an IPv4 or IPv6 address value, printed the way Python's ipaddress prints it.
#pragma once

#include "version.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "detail/bits/mix64.hpp"
#include "detail/text/address_parsing.hpp"
#include "detail/text/decimal_text.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// An IPv4 or IPv6 address. Compared and hashed as (family, 16 bytes);
/// an IPv4 address keeps its 4 bytes first and zeros after. No implicit
/// conversions: build one with `v4`, `v6` or `parse`.
class IpAddress {
public:
    enum class Family : std::uint8_t { v4 = 4, v6 = 6 };

    /// 0.0.0.0.
    constexpr IpAddress() noexcept = default;

    /// An IPv4 address from its 4 bytes in network order.
    [[nodiscard]] static IpAddress v4(const std::uint8_t* bytes) noexcept {
        IpAddress a;
        std::memcpy(a.bytes_.data(), bytes, 4);
        return a;
    }
    /// An IPv4 address from its host-order 32-bit value (192.168.0.1 = 0xC0A80001).
    [[nodiscard]] static IpAddress v4(std::uint32_t value) noexcept {
        const std::uint8_t b[4] = {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
                                   static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
        return v4(b);
    }
    /// An IPv6 address from its 16 bytes in network order.
    [[nodiscard]] static IpAddress v6(const std::uint8_t* bytes) noexcept {
        IpAddress a;
        a.family_ = Family::v6;
        std::memcpy(a.bytes_.data(), bytes, 16);
        return a;
    }

    /// Makes this the IPv4 address of 4 bytes in network order, in place.
    /// (Decoders use it: g++ builds a returned address on the stack and
    /// reloads it in one 16-byte load, which stalls on the smaller stores.)
    void assign_v4(const std::uint8_t* bytes) noexcept {
        std::uint32_t word;
        std::memcpy(&word, bytes, 4);
        const std::uint64_t low = word;
        const std::uint64_t high = 0;
        std::memcpy(bytes_.data(), &low, 8);
        std::memcpy(bytes_.data() + 8, &high, 8);
        family_ = Family::v4;
    }
    /// Makes this the IPv6 address of 16 bytes in network order, in place.
    void assign_v6(const std::uint8_t* bytes) noexcept {
        std::memcpy(bytes_.data(), bytes, 16);
        family_ = Family::v6;
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an
    /// embedded IPv4 tail). Empty on anything else.
    [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text) noexcept;

    [[nodiscard]] constexpr Family family() const noexcept { return family_; }
    [[nodiscard]] constexpr bool is_v4() const noexcept { return family_ == Family::v4; }
    [[nodiscard]] constexpr bool is_v6() const noexcept { return family_ == Family::v6; }
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.data(); }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return is_v4() ? 4 : 16; }

    /// Python's `str(ipaddress.ip_address(...))`: dotted quad, or lowercase
    /// hex groups without leading zeros with the longest run (>= 2) of zero
    /// groups compressed to `::`, the first on a tie.
    [[nodiscard]] std::string to_string() const;

    /// Appends `to_string()` to `out` without a temporary.
    void append_to(std::string& out) const;

    friend bool operator==(const IpAddress& a, const IpAddress& b) noexcept {
        // Two words each: the array's == calls memcmp, once per packet in a flow lookup.
        std::uint64_t x[2];
        std::uint64_t y[2];
        std::memcpy(x, a.bytes_.data(), 16);
        std::memcpy(y, b.bytes_.data(), 16);
        return a.family_ == b.family_ && ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
    }
    friend bool operator!=(const IpAddress& a, const IpAddress& b) noexcept { return !(a == b); }
    friend bool operator<(const IpAddress& a, const IpAddress& b) noexcept {
        return a.family_ != b.family_ ? a.family_ < b.family_ : a.bytes_ < b.bytes_;
    }

    /// A well-mixed 64-bit hash of the address.
    [[nodiscard]] std::uint64_t hash() const noexcept;

private:
    std::array<std::uint8_t, 16> bytes_{};
    Family family_ = Family::v4;
};

inline std::uint64_t IpAddress::hash() const noexcept {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    std::memcpy(&lo, bytes_.data(), 8);
    std::memcpy(&hi, bytes_.data() + 8, 8);
    return detail::bits::mix64(lo ^ detail::bits::mix64(hi ^ static_cast<std::uint64_t>(family_)));
}

inline void IpAddress::append_to(std::string& out) const {
    if (is_v4()) {
        // Written backwards into one buffer, appended once.
        char buf[15];
        char* start = buf + sizeof buf;
        for (std::size_t i = 4; i-- > 0;) {
            start = detail::text::write_decimal_backwards(start, bytes_[i]);
            if (i != 0) *--start = '.';
        }
        out.append(start, static_cast<std::size_t>(buf + sizeof buf - start));
        return;
    }
    unsigned groups[8];
    for (std::size_t i = 0; i < 8; ++i) groups[i] = (unsigned{bytes_[2 * i]} << 8) | bytes_[2 * i + 1];
    // Longest run of zero groups, first on a tie; a single zero group stays.
    int best_start = -1;
    int best_len = 0;
    for (int i = 0; i < 8;) {
        if (groups[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && groups[j] == 0) ++j;
        if (j - i > best_len) {
            best_start = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2) best_start = -1;
    static constexpr char hex[] = "0123456789abcdef";
    for (int i = 0; i < 8; ++i) {
        if (i == best_start) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (i != 0 && i != best_start + best_len) out.push_back(':');
        const unsigned g = groups[i];
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const unsigned nibble = (g >> shift) & 0xF;
            if (nibble != 0 || started || shift == 0) {
                out.push_back(hex[nibble]);
                started = true;
            }
        }
    }
}

inline std::string IpAddress::to_string() const {
    std::string out;
    append_to(out);
    return out;
}

inline std::optional<IpAddress> IpAddress::parse(std::string_view text) noexcept {
    std::uint8_t b[16] = {};
    if (text.find(':') == std::string_view::npos) {
        if (!detail::text::parse_ipv4_bytes(text, b)) return std::nullopt;
        return v4(b);
    }
    // Parse groups before and after a single `::`.
    std::uint16_t head[8];
    std::uint16_t tail[8];
    int nhead = 0;
    int ntail = 0;
    bool compressed = false;
    std::size_t i = 0;
    if (text.substr(0, 2) == "::") {
        compressed = true;
        i = 2;
    } else if (!text.empty() && text[0] == ':') {
        return std::nullopt;
    }
    while (i < text.size()) {
        const std::size_t end = std::min(text.find(':', i), text.size());
        const std::string_view group = text.substr(i, end - i);
        const bool last = end == text.size();
        std::uint16_t* dst = compressed ? tail : head;
        int& n = compressed ? ntail : nhead;
        if (last && group.find('.') != std::string_view::npos) {
            std::uint8_t v4b[4];
            if (!detail::text::parse_ipv4_bytes(group, v4b) || n > 6) return std::nullopt;
            dst[n++] = static_cast<std::uint16_t>((v4b[0] << 8) | v4b[1]);
            dst[n++] = static_cast<std::uint16_t>((v4b[2] << 8) | v4b[3]);
            i = end;
            break;
        }
        if (group.empty() || group.size() > 4 || n >= 8) return std::nullopt;
        unsigned value = 0;
        for (char c : group) {
            const int h = detail::text::hex_value(c);
            if (h < 0) return std::nullopt;
            value = value * 16 + static_cast<unsigned>(h);
        }
        dst[n++] = static_cast<std::uint16_t>(value);
        if (last) {
            i = end;
            break;
        }
        i = end + 1;
        if (i < text.size() && text[i] == ':') {
            if (compressed) return std::nullopt;
            compressed = true;
            ++i;
        } else if (i == text.size()) {
            return std::nullopt;  // trailing single ':'
        }
    }
    const int total = nhead + ntail;
    if (compressed ? total > 7 : total != 8) return std::nullopt;
    std::uint16_t groups[8] = {};
    for (int k = 0; k < nhead; ++k) groups[k] = head[k];
    for (int k = 0; k < ntail; ++k) groups[8 - ntail + k] = tail[k];
    for (int k = 0; k < 8; ++k) {
        b[2 * k] = static_cast<std::uint8_t>(groups[k] >> 8);
        b[2 * k + 1] = static_cast<std::uint8_t>(groups[k]);
    }
    return v6(b);
}

TRACEFLOW_NAMESPACE_END

template <>
struct std::hash<traceflow::IpAddress> {
    std::size_t operator()(const traceflow::IpAddress& a) const noexcept { return static_cast<std::size_t>(a.hash()); }
};

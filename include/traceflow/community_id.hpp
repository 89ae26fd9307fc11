// SPDX-License-Identifier: MIT
// community_id: the Community ID v1 flow hash (corelight/community-id-spec).
#pragma once

#include "version.hpp"

#include <cstdint>
#include <cstring>
#include <string>

#include "detail/bits/sha1.hpp"
#include "ip_address.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Community ID v1 of a TCP (proto 6) or other port-based flow, e.g.
/// `1:wCb3OG7yAFWelaUydu0D+125CLM=` for 1.2.3.4:1122 -> 5.6.7.8:3344 TCP,
/// seed 0. The same for both directions of a connection. Empty when the
/// two addresses are of different families.
[[nodiscard]] inline std::string community_id(const IpAddress& src, std::uint16_t srcport, const IpAddress& dst,
                                              std::uint16_t dstport, std::uint8_t protocol = 6,
                                              std::uint16_t seed = 0) {
    if (src.family() != dst.family()) return {};
    const std::size_t n = src.size();
    const int order = std::memcmp(src.data(), dst.data(), n);
    const bool swap = order > 0 || (order == 0 && srcport > dstport);
    const IpAddress& a = swap ? dst : src;
    const IpAddress& b = swap ? src : dst;
    const std::uint16_t pa = swap ? dstport : srcport;
    const std::uint16_t pb = swap ? srcport : dstport;
    std::uint8_t buf[2 + 16 + 16 + 2 + 4];
    std::size_t at = 0;
    buf[at++] = static_cast<std::uint8_t>(seed >> 8);
    buf[at++] = static_cast<std::uint8_t>(seed);
    std::memcpy(buf + at, a.data(), n);
    at += n;
    std::memcpy(buf + at, b.data(), n);
    at += n;
    buf[at++] = protocol;
    buf[at++] = 0;
    buf[at++] = static_cast<std::uint8_t>(pa >> 8);
    buf[at++] = static_cast<std::uint8_t>(pa);
    buf[at++] = static_cast<std::uint8_t>(pb >> 8);
    buf[at++] = static_cast<std::uint8_t>(pb);
    const auto digest = detail::bits::sha1(buf, at);
    std::string id(2 + (digest.size() + 2) / 3 * 4, '\0');  // one allocation
    id[0] = '1';
    id[1] = ':';
    detail::bits::base64_to(id.data() + 2, digest.data(), digest.size());
    return id;
}

TRACEFLOW_NAMESPACE_END

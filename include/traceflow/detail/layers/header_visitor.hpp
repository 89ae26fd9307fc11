// SPDX-License-Identifier: MIT
// The hook through which describe() sees exactly the headers decode_tcp() walks.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::layers {

/// The headers the decoder walks through, in the order it meets them.
enum class HeaderKind : std::uint8_t {
    ethernet,
    vlan,   ///< aux: the tag protocol id (0x8100, 0x88a8, 0x9100)
    mpls,   ///< one label stack entry
    pppoe,  ///< PPPoE session header and the PPP protocol field
    linux_sll,
    linux_sll2,
    loopback,    ///< BSD NULL / LOOP family word; aux: the family
    cisco_hdlc,  ///< Cisco HDLC address, control and protocol; aux: the protocol (an EtherType)
    ipv4,
    ipv6,            ///< the fixed 40-byte header
    ipv6_extension,  ///< aux: the extension header's protocol number
    tcp,             ///< length is what was captured of the header
    udp,             ///< the UDP header of a tunnel (decap only)
    vxlan,           ///< VXLAN header
    geneve,          ///< Geneve header with its options; aux: the protocol type
    gre,             ///< GRE header with its optional fields; aux: the protocol type
    gtp_u,           ///< GTP-U header with its optional fields and extension headers; aux: the message type
};

/// Whether calling a `Visitor` cannot throw: the walk is noexcept exactly then
/// (decode_tcp's visitor does nothing; describe's allocates).
template <typename Visitor>
inline constexpr bool visitor_noexcept = noexcept(std::declval<Visitor&>()(HeaderKind::tcp, std::size_t{},
                                                                           std::size_t{}, 0U));

/// The visitor decode_tcp() uses: it does nothing and compiles away.
struct NullVisitor {
    constexpr void operator()(HeaderKind, std::size_t, std::size_t, unsigned) const noexcept {}
};

}  // namespace detail::layers
TRACEFLOW_NAMESPACE_END

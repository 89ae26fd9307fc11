// SPDX-License-Identifier: MIT
// LinkType: the data-link type of a frame (libpcap LINKTYPE_* values).
#pragma once

#include "version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN

/// A libpcap link-layer header type. Any 32-bit value is valid; the named
/// ones are those the decoder understands.
enum class LinkType : std::uint32_t {
    null = 0,          ///< BSD loopback, host byte order
    ethernet = 1,      ///< Ethernet II / 802.3
    raw_alt12 = 12,    ///< raw IP (OpenBSD's DLT_RAW value)
    raw_alt14 = 14,    ///< raw IP (BSD/OS's DLT_RAW value)
    raw = 101,         ///< raw IP, version from the first nibble
    c_hdlc = 104,      ///< Cisco HDLC: address, control, then an EtherType
    loop = 108,        ///< OpenBSD loopback, network byte order
    linux_sll = 113,   ///< Linux cooked capture v1
    ipv4 = 228,        ///< raw IPv4
    ipv6 = 229,        ///< raw IPv6
    linux_sll2 = 276,  ///< Linux cooked capture v2
};

TRACEFLOW_NAMESPACE_END

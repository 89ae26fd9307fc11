// SPDX-License-Identifier: MIT
// The TCP header decoder: ports, flags, sequence numbers and where the payload starts.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>

#include "../../byte_view.hpp"
#include "../../decode/outcome.hpp"
#include "../../decode/tcp_segment.hpp"
#include "../bits/endian.hpp"
#include "header_visitor.hpp"
#include "ip_layers.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::layers {

using decode::Outcome;
using decode::TcpSegment;

/// Decodes the TCP header that `ip` located. The 20 fixed bytes must be
/// captured and inside the IP length. A data offset reaching past the
/// captured bytes or the IP length is tolerated, as tshark does: the fixed
/// fields are all flow tracing needs. payload_offset may then lie past the
/// captured bytes, and payload_size is 0 when it lies past the IP length.
template <typename Visitor>
[[nodiscard]] Outcome decode_tcp_header(ByteView frame, const IpResult& ip, TcpSegment& out,
                                        Visitor& visit) noexcept(visitor_noexcept<Visitor>) {
    using traceflow::detail::bits::load_be16;
    using traceflow::detail::bits::load_be32;
    const std::size_t offset = ip.offset;
    if (offset > ip.limit || ip.limit - offset < 20) return short_header(offset + 20, frame.size);
    const std::uint8_t* tcp = frame.data + offset;
    const std::size_t header_size = (std::size_t{tcp[12]} >> 4) * 4;
    if (header_size < 20) return Outcome::malformed;
    out.srcport = bits::load_be16(tcp);
    out.dstport = bits::load_be16(tcp + 2);
    out.seq = bits::load_be32(tcp + 4);
    out.ack = bits::load_be32(tcp + 8);
    out.flags = tcp[13];
    out.window = bits::load_be16(tcp + 14);
    const std::size_t payload = offset + header_size;
    out.tcp_offset = static_cast<std::uint32_t>(offset);
    out.payload_offset = static_cast<std::uint32_t>(payload);
    const std::size_t size = ip.declared_end > payload ? ip.declared_end - payload : 0;
    out.payload_size = size > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<std::uint32_t>(size);
    const std::size_t readable = ip.limit - offset;
    visit(HeaderKind::tcp, offset, header_size < readable ? header_size : readable, 0);
    return Outcome::tcp;
}

}  // namespace detail::layers
TRACEFLOW_NAMESPACE_END

// SPDX-License-Identifier: MIT
// CapturePacket: the packet type the capture readers produce, and how a decoded segment fills it.
#pragma once

#include "../version.hpp"

#include <cstdint>

#include "../decode/tcp_segment.hpp"
#include "../frame.hpp"
#include "../io/record.hpp"
#include "../packet.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// The packet type capture readers produce: the frame is a view into the
/// reader's buffer, so nothing is copied or allocated per packet.
using CapturePacket = Packet<FrameView>;

/// Fills `packet` from a decoded segment (pcapkit's Packet fields plus TCP details).
inline void make_capture_packet(const io::Record& record, const decode::TcpSegment& seg, std::uint64_t frame_number,
                                CapturePacket& packet) noexcept {
    packet.protocol = record.linktype;
    packet.index = frame_number;
    packet.frame = record.frame;
    packet.syn = seg.syn();
    packet.fin = seg.fin();
    packet.src = seg.src;
    packet.dst = seg.dst;
    packet.srcport = seg.srcport;
    packet.dstport = seg.dstport;
    packet.timestamp = record.frame.timestamp;
    packet.tcp.rst = seg.rst();
    packet.tcp.ack = seg.ack_flag();
    packet.tcp.flags = seg.flags;
    packet.tcp.seq = seg.seq;
    packet.tcp.ack_number = seg.ack;
    packet.tcp.payload_size = seg.payload_size;
    packet.tcp.payload_offset = seg.payload_offset;
    packet.tcp.payload = ByteView();
    packet.tcp.vlan = seg.vlan_outer;
    packet.tcp.interface_id = record.interface_id;
}

TRACEFLOW_NAMESPACE_END

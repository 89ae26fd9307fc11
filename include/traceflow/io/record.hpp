// SPDX-License-Identifier: MIT
// Record: one packet record as the capture readers hand it out, and the formats they read.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

#include "../detail/text/hex_digits.hpp"
#include "../frame.hpp"
#include "../link_type.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace io {

/// One captured packet record. Its bytes live in the reader's buffer.
struct Record {
    FrameView frame;                 ///< bytes (valid until the reader's next call to next()), wirelen, exact UTC time
    LinkType linktype{};             ///< data-link type of the record's interface
    std::uint32_t interface_id = 0;  ///< pcapng interface index, counted across sections in file order; 0 for pcap
    std::uint64_t number = 0;        ///< 1-based record number; in pcapng only packet blocks (EPB, SPB, PB) count
    std::uint64_t offset = 0;        ///< byte offset of the record (pcap) or block (pcapng) in the input
};

/// The capture file formats the readers understand.
enum class CaptureFormat { pcap, pcapng };

/// Largest record (pcap) or block (pcapng) accepted: anything bigger is damage,
/// not a packet (libpcap's own limit is 256 KiB per packet; we leave room for
/// jumbo and TSO captures). Bounds the reader's memory.
inline constexpr std::size_t max_record_length = std::size_t{256} << 20;

}  // namespace io
TRACEFLOW_NAMESPACE_END

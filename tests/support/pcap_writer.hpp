// SPDX-License-Identifier: MIT
// Test helper: the one pcap file writer of the tests (either byte order, µs or ns, any header field).
#pragma once

#include <cstdint>
#include <vector>

#include <traceflow/byte_view.hpp>
#include <traceflow/detail/bits/endian.hpp>

namespace testutil {

/// Emits a pcap file in memory, record by record; `offsets` holds where each record header starts.
struct PcapWriter {
    using Bytes = std::vector<std::uint8_t>;

    bool big_endian = false;
    Bytes bytes;
    std::vector<std::uint64_t> offsets;

    explicit PcapWriter(bool be = false, bool ns = false, std::uint32_t network = 1, std::uint32_t snaplen = 65535,
                        std::uint16_t major = 2, std::uint16_t minor = 4)
        : big_endian(be) {
        u32(ns ? 0xa1b23c4d : 0xa1b2c3d4);
        u16(major);
        u16(minor);
        u32(0);  // thiszone
        u32(0);  // sigfigs
        u32(snaplen);
        u32(network);
    }
    void u16(std::uint16_t v) {
        bytes.resize(bytes.size() + 2);
        traceflow::detail::bits::store16(bytes.data() + bytes.size() - 2, v, big_endian);
    }
    void u32(std::uint32_t v) {
        bytes.resize(bytes.size() + 4);
        traceflow::detail::bits::store32(bytes.data() + bytes.size() - 4, v, big_endian);
    }
    /// A record whose header claims `wirelen` and `caplen`, followed by `data` as it is.
    PcapWriter& record(std::uint32_t sec, std::uint32_t sub, const Bytes& data, std::uint32_t wirelen,
                       std::uint32_t caplen) {
        offsets.push_back(bytes.size());
        u32(sec);
        u32(sub);
        u32(caplen);
        u32(wirelen);
        bytes.insert(bytes.end(), data.begin(), data.end());
        return *this;
    }
    PcapWriter& record(std::uint32_t sec, std::uint32_t sub, const Bytes& data) {
        const auto n = static_cast<std::uint32_t>(data.size());
        return record(sec, sub, data, n, n);
    }
    /// Appends bytes as they are (trailing garbage, truncated headers).
    PcapWriter& raw(const Bytes& data) {
        bytes.insert(bytes.end(), data.begin(), data.end());
        return *this;
    }
    [[nodiscard]] traceflow::ByteView view() const { return {bytes.data(), bytes.size()}; }
};

/// A pcap holding the records of `pcap` (a whole file) `copies` times over:
/// an input of many batches with the original's mix of frames.
inline std::vector<std::uint8_t> repeated(const std::vector<std::uint8_t>& pcap, int copies) {
    std::vector<std::uint8_t> out(pcap.begin(), pcap.begin() + 24);
    for (int i = 0; i < copies; ++i) out.insert(out.end(), pcap.begin() + 24, pcap.end());
    return out;
}

}  // namespace testutil

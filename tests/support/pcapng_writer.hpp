// SPDX-License-Identifier: MIT
// Test helper: the one pcapng file writer of the tests (any block, either byte order, options).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <traceflow/byte_view.hpp>
#include <traceflow/detail/bits/endian.hpp>

namespace testutil {

/// Emits pcapng blocks in memory; each SHB sets the byte order of what
/// follows, `offsets` holds where each block starts.
struct PcapngWriter {
    using Bytes = std::vector<std::uint8_t>;

    bool big_endian = false;
    Bytes bytes;
    std::vector<std::uint64_t> offsets;
    bool epb_comment = true;         ///< epb() appends an opt_comment (readers must skip it)
    bool idb_end_of_options = true;  ///< idb() ends a non-empty option list with opt_endofopt

    static Bytes option(std::uint16_t code, const Bytes& value, bool be) {
        // Sized once and filled in place: g++ 12 -O3 warns falsely on insert() here.
        Bytes o(4 + (value.size() + 3) / 4 * 4, 0);
        traceflow::detail::bits::store16(o.data(), code, be);
        traceflow::detail::bits::store16(o.data() + 2, static_cast<std::uint16_t>(value.size()), be);
        std::copy(value.begin(), value.end(), o.begin() + 4);
        return o;
    }
    [[nodiscard]] Bytes option(std::uint16_t code, const Bytes& value) const { return option(code, value, big_endian); }
    /// if_tsoffset (code 14) of `seconds`.
    [[nodiscard]] Bytes tsoffset(std::int64_t seconds) const {
        Bytes v(8);
        const auto u = static_cast<std::uint64_t>(seconds);
        traceflow::detail::bits::store32(v.data() + (big_endian ? 4 : 0), static_cast<std::uint32_t>(u), big_endian);
        traceflow::detail::bits::store32(v.data() + (big_endian ? 0 : 4), static_cast<std::uint32_t>(u >> 32),
                                         big_endian);
        return option(14, v);
    }

    static void put16(Bytes& b, std::uint16_t v, bool be) {
        b.resize(b.size() + 2);
        traceflow::detail::bits::store16(b.data() + b.size() - 2, v, be);
    }
    static void put32(Bytes& b, std::uint32_t v, bool be) {
        b.resize(b.size() + 4);
        traceflow::detail::bits::store32(b.data() + b.size() - 4, v, be);
    }
    void put16(Bytes& b, std::uint16_t v) const { put16(b, v, big_endian); }
    void put32(Bytes& b, std::uint32_t v) const { put32(b, v, big_endian); }

    /// Any block: the body is padded to 4 bytes and framed by both lengths.
    PcapngWriter& block(std::uint32_t type, Bytes body) {
        body.resize((body.size() + 3) / 4 * 4, 0);
        offsets.push_back(bytes.size());
        const auto length = static_cast<std::uint32_t>(body.size() + 12);
        put32(bytes, type);
        put32(bytes, length);
        bytes.insert(bytes.end(), body.begin(), body.end());
        put32(bytes, length);
        return *this;
    }
    PcapngWriter& shb(bool be, std::uint16_t major = 1, const Bytes& options = {}) {
        big_endian = be;
        Bytes body;
        put32(body, 0x1A2B3C4D);
        put16(body, major);
        put16(body, 0);
        put32(body, 0xFFFF'FFFF);  // section length -1: unknown
        put32(body, 0xFFFF'FFFF);
        body.insert(body.end(), options.begin(), options.end());
        return block(0x0A0D0D0A, body);
    }
    PcapngWriter& idb(std::uint16_t linktype, std::uint32_t snaplen, const Bytes& options = {}) {
        Bytes body;
        put16(body, linktype);
        put16(body, 0);
        put32(body, snaplen);
        body.insert(body.end(), options.begin(), options.end());
        if (!options.empty() && idb_end_of_options) put32(body, 0);  // opt_endofopt
        return block(1, body);
    }
    PcapngWriter& epb(std::uint32_t iface, std::uint64_t ts, const Bytes& data, std::uint32_t wirelen) {
        Bytes body;
        put32(body, iface);
        put32(body, static_cast<std::uint32_t>(ts >> 32));
        put32(body, static_cast<std::uint32_t>(ts));
        put32(body, static_cast<std::uint32_t>(data.size()));
        put32(body, wirelen);
        body.insert(body.end(), data.begin(), data.end());
        body.resize((body.size() + 3) / 4 * 4, 0);
        if (epb_comment) {
            const Bytes comment = option(1, {'h', 'i'});  // opt_comment, ignored
            body.insert(body.end(), comment.begin(), comment.end());
        }
        return block(6, body);
    }
    PcapngWriter& epb(std::uint32_t iface, std::uint64_t ts, const Bytes& data) {
        return epb(iface, ts, data, static_cast<std::uint32_t>(data.size()));
    }
    PcapngWriter& pb(std::uint16_t iface, std::uint64_t ts, const Bytes& data, std::uint32_t wirelen) {
        Bytes body;
        put16(body, iface);
        put16(body, 0);  // drops
        put32(body, static_cast<std::uint32_t>(ts >> 32));
        put32(body, static_cast<std::uint32_t>(ts));
        put32(body, static_cast<std::uint32_t>(data.size()));
        put32(body, wirelen);
        body.insert(body.end(), data.begin(), data.end());
        return block(2, body);
    }
    PcapngWriter& spb(std::uint32_t wirelen, const Bytes& data) {
        Bytes body;
        put32(body, wirelen);
        body.insert(body.end(), data.begin(), data.end());
        return block(3, body);
    }
    [[nodiscard]] traceflow::ByteView view() const { return {bytes.data(), bytes.size()}; }
    /// Overwrites a 32-bit field `at` bytes into block `index`, in byte order `be`.
    void patch32(std::size_t index, std::size_t at, std::uint32_t v, bool be) {
        traceflow::detail::bits::store32(bytes.data() + offsets[index] + at, v, be);
    }
    /// The same in the current section's byte order.
    void patch32(std::size_t index, std::size_t at, std::uint32_t v) { patch32(index, at, v, big_endian); }
};

}  // namespace testutil

// SPDX-License-Identifier: MIT
// PcapReader: the classic libpcap file format, both byte orders, µs and ns timestamps.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "../detail/bits/endian.hpp"
#include "../errors.hpp"
#include "../link_type.hpp"
#include "../timestamp.hpp"
#include "byte_source.hpp"
#include "record.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace io {

/// Reads a pcap file record by record, handing out views into its buffer.
/// Accepts magics a1b2c3d4 (µs) and a1b23c4d (ns) in either byte order and
/// version 2.x. Damage throws FormatError naming the record and its offset,
/// after every earlier record was delivered; the reader then stays on the
/// damaged record (calling next() again throws again).
///
///     io::PcapReader in(io::ByteSource("trace.pcap"));
///     io::Record r;
///     while (in.next(r)) handle(r.frame.bytes, r.frame.timestamp);
class PcapReader {
public:
    /// Size of the file header.
    static constexpr std::size_t file_header_size = 24;
    /// Size of a record header.
    static constexpr std::size_t record_header_size = 16;

    /// Reads and checks the file header; throws FormatError (record 0, offset 0) when it is bad.
    explicit PcapReader(ByteSource source) : source_(std::move(source)) {
        if (!source_.ensure(file_header_size)) {
            const std::size_t got = source_.available();
            fail(0, 0,
                 got == 0 ? std::string("empty file")
                          : "truncated file header: tried to read 24 bytes, only got " + std::to_string(got));
        }
        const std::uint8_t* p = source_.data();
        const std::uint32_t magic = traceflow::detail::bits::load_be32(p);
        switch (magic) {
            case 0xa1b2c3d4: big_endian_ = true; break;
            case 0xd4c3b2a1: break;
            case 0xa1b23c4d:
                big_endian_ = true;
                nanosecond_ = true;
                break;
            case 0x4d3cb2a1: nanosecond_ = true; break;
            default: fail(0, 0, "not a pcap file (magic 0x" + detail::text::hex32(magic) + ")");
        }
        version_major_ = traceflow::detail::bits::load16(p + 4, big_endian_);
        version_minor_ = traceflow::detail::bits::load16(p + 6, big_endian_);
        if (version_major_ != 2) {
            fail(0, 0,
                 "unsupported pcap version " + std::to_string(version_major_) + "." + std::to_string(version_minor_));
        }
        // libpcap before 2.3 wrote caplen and len the other way round; 2.3 did either.
        length_order_ = version_minor_ < 3    ? LengthOrder::swapped
                        : version_minor_ == 3 ? LengthOrder::maybe_swapped
                                              : LengthOrder::normal;
        snaplen_ = traceflow::detail::bits::load32(p + 16, big_endian_);
        const std::uint32_t network = traceflow::detail::bits::load32(p + 20, big_endian_);
        // The upper 16 bits carry FCS information, not the link type (as libpcap's LT_LINKTYPE).
        link_type_ = static_cast<LinkType>(network & 0xFFFF);
        fcs_bytes_ = (network & 0x0400'0000) != 0 ? ((network >> 28) & 0xF) * 2 : 0;
        source_.consume(file_header_size);
    }

    /// Reads the next record into `out`; false at a clean end of input.
    /// Throws FormatError on a truncated or absurd record, IoError on a read error.
    bool next(Record& out) { return big_endian_ ? next_impl<true>(out) : next_impl<false>(out); }

    /// Reads on from byte `offset` of a seekable input, which must be where a
    /// record starts; record numbers then count from `records_before` + 1.
    /// Used to read a byte range of a file (io::RangeReader). False when the
    /// input cannot seek.
    bool restart_at(std::uint64_t offset, std::uint64_t records_before) {
        if (!source_.seek(offset)) return false;
        records_ = records_before;
        return true;
    }

    /// What a record header holds, lengths in the order this file uses.
    struct Header {
        std::uint32_t ts_sec = 0;
        std::uint32_t ts_sub = 0;
        std::uint32_t caplen = 0;
        std::uint32_t wirelen = 0;
    };
    /// Reads the 16-byte record header at `p` as this file's byte order and version say.
    [[nodiscard]] Header header_at(const std::uint8_t* p) const noexcept {
        Header h;
        h.ts_sec = traceflow::detail::bits::load32(p, big_endian_);
        h.ts_sub = traceflow::detail::bits::load32(p + 4, big_endian_);
        h.caplen = traceflow::detail::bits::load32(p + 8, big_endian_);
        h.wirelen = traceflow::detail::bits::load32(p + 12, big_endian_);
        if (length_order_ != LengthOrder::normal && (length_order_ == LengthOrder::swapped || h.caplen > h.wirelen))
            std::swap(h.caplen, h.wirelen);
        return h;
    }
    /// Units per second of the sub-second field (1e6, or 1e9 with nanosecond()).
    [[nodiscard]] std::uint32_t per_second() const noexcept { return nanosecond_ ? 1'000'000'000 : 1'000'000; }

    /// Data-link type of every record (the low 16 bits of the header's field).
    [[nodiscard]] LinkType link_type() const noexcept { return link_type_; }
    /// Snapshot length from the file header (records may exceed it; they are delivered whole).
    [[nodiscard]] std::uint32_t snaplen() const noexcept { return snaplen_; }
    /// Length of the FCS at the end of each frame when the header announces one, else 0.
    [[nodiscard]] std::uint32_t fcs_bytes() const noexcept { return fcs_bytes_; }
    /// True when the file was written big-endian.
    [[nodiscard]] bool big_endian() const noexcept { return big_endian_; }
    /// True for nanosecond timestamps (magic a1b23c4d), false for microseconds.
    [[nodiscard]] bool nanosecond() const noexcept { return nanosecond_; }
    /// Format version from the file header (always 2 here).
    [[nodiscard]] std::uint16_t version_major() const noexcept { return version_major_; }
    /// Minor format version; below 3, caplen and len are read the other way round, as libpcap does.
    [[nodiscard]] std::uint16_t version_minor() const noexcept { return version_minor_; }

    /// The path, "-" or the name given to ByteSource::from_memory.
    [[nodiscard]] const std::string& path() const noexcept { return source_.name(); }
    /// The input, e.g. to install a wait hook (ByteSource::on_wait) or ask is_stream().
    [[nodiscard]] ByteSource& source() noexcept { return source_; }
    /// Records delivered so far.
    [[nodiscard]] std::uint64_t records_read() const noexcept { return records_; }
    /// Input bytes consumed so far (the file header and every delivered record).
    [[nodiscard]] std::uint64_t bytes_read() const noexcept { return source_.offset(); }

private:
    enum class LengthOrder : std::uint8_t { normal, swapped, maybe_swapped };

    template <bool BigEndian>
    bool next_impl(Record& out) {
        const std::uint64_t offset = source_.offset();
        if (!source_.ensure(record_header_size)) {
            const std::size_t got = source_.available();
            if (got == 0) return false;
            fail(records_ + 1, offset,
                 "truncated record header: tried to read 16 header bytes, only got " + std::to_string(got));
        }
        const std::uint8_t* p = source_.data();
        const std::uint32_t ts_sec = traceflow::detail::bits::load32(p, BigEndian);
        const std::uint32_t ts_sub = traceflow::detail::bits::load32(p + 4, BigEndian);
        std::uint32_t caplen = traceflow::detail::bits::load32(p + 8, BigEndian);
        std::uint32_t wirelen = traceflow::detail::bits::load32(p + 12, BigEndian);
        if (length_order_ != LengthOrder::normal && (length_order_ == LengthOrder::swapped || caplen > wirelen)) {
            std::swap(caplen, wirelen);
        }
        if (caplen > max_record_length) {
            fail(records_ + 1, offset,
                 "invalid captured length " + std::to_string(caplen) + ", bigger than the maximum of " +
                     std::to_string(max_record_length));
        }
        const std::size_t total = record_header_size + caplen;
        if (!source_.ensure(total)) {
            fail(records_ + 1, offset,
                 "truncated record: tried to read " + std::to_string(caplen) + " captured bytes, only got " +
                     std::to_string(source_.available() - record_header_size));
        }
        p = source_.data();
        out.frame.bytes = ByteView(p + record_header_size, caplen);
        out.frame.wirelen = wirelen;
        out.frame.timestamp = to_timestamp(ts_sec, ts_sub);
        out.linktype = link_type_;
        out.interface_id = 0;
        out.number = ++records_;
        out.offset = offset;
        source_.consume(total);
        return true;
    }

    // A sub-second field past one second (a damaged or odd writer) carries
    // into the seconds, as pcapkit's float sum does; the result stays exact.
    Timestamp to_timestamp(std::uint32_t sec, std::uint32_t sub) const noexcept {
        const std::uint32_t per_second = nanosecond_ ? 1'000'000'000 : 1'000'000;
        const std::uint32_t scale = nanosecond_ ? 1 : 1000;
        if (sub < per_second) return Timestamp{std::int64_t{sec}, sub * scale};
        return Timestamp{std::int64_t{sec} + sub / per_second, sub % per_second * scale};
    }

    [[noreturn]] void fail(std::uint64_t record, std::uint64_t offset, const std::string& what) const {
        throw FormatError(source_.name(), record, offset, what);
    }

    ByteSource source_;
    LinkType link_type_{};
    std::uint32_t snaplen_ = 0;
    std::uint32_t fcs_bytes_ = 0;
    std::uint64_t records_ = 0;
    std::uint16_t version_major_ = 0;
    std::uint16_t version_minor_ = 0;
    bool big_endian_ = false;
    bool nanosecond_ = false;
    LengthOrder length_order_ = LengthOrder::normal;
};

}  // namespace io
TRACEFLOW_NAMESPACE_END

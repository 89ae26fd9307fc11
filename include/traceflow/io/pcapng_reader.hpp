// SPDX-License-Identifier: MIT
// PcapngReader: the pcapng file format: sections in either byte order, interfaces, packet blocks.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../detail/bits/endian.hpp"
#include "../errors.hpp"
#include "../link_type.hpp"
#include "../timestamp.hpp"
#include "byte_source.hpp"
#include "capture_metadata.hpp"
#include "record.hpp"
#include "time_resolution.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace io {

/// What an Interface Description Block says about the packets of one interface.
struct InterfaceDescription {
    LinkType link_type{};        ///< data-link type of the interface's packets
    std::uint32_t snaplen = 0;   ///< snapshot length; 0 means none
    TimeResolution resolution;   ///< if_tsresol (option 9); 10^-6 s when absent
    std::int64_t ts_offset = 0;  ///< if_tsoffset (option 14): seconds added to every time
    std::uint32_t section = 0;   ///< 0-based number of the section holding the IDB
};

/// Reads a pcapng file packet by packet, handing out views into its buffer.
/// Delivers Enhanced, Simple and (obsolete) Packet Blocks; reads Section
/// Header and Interface Description Blocks; skips every other block after
/// checking its framing. Interfaces are numbered across sections in file order.
///
/// Damage throws FormatError whose record() is the 1-based number of the
/// damaged *block* (every block counts, the first SHB is block 1) and whose
/// offset() is where that block starts, after every earlier packet was
/// delivered. if_tsresol values that 64-bit math cannot hold (10^-n, n > 19;
/// 2^-n, n > 63, e.g. 0xFF) are FormatErrors rather than a silent clamp.
/// Options are checked in SHBs and IDBs; packet blocks' options are not read.
/// The first SHB's and every IDB's text options are kept (metadata()) for
/// writers that carry them on.
///
///     io::PcapngReader in(io::ByteSource("trace.pcapng"));
///     io::Record r;
///     while (in.next(r)) handle(r.linktype, r.frame.bytes);
class PcapngReader {
public:
    /// Block types the reader interprets; all others are skipped.
    static constexpr std::uint32_t section_header_block = 0x0A0D0D0A;
    static constexpr std::uint32_t interface_description_block = 1;
    static constexpr std::uint32_t packet_block = 2;  ///< obsolete, still written by old tools
    static constexpr std::uint32_t simple_packet_block = 3;
    static constexpr std::uint32_t enhanced_packet_block = 6;

    /// Reads and checks the first Section Header Block; throws FormatError when it is bad.
    explicit PcapngReader(ByteSource source) : source_(std::move(source)) {
        if (!read_block()) fail_at(1, 0, "empty file");
        if (block_.type != section_header_block) fail("file does not start with a section header block");
        read_section_header();
        finish_block();
    }

    /// Reads up to the next packet block and delivers it in `out`; false at a
    /// clean end of input. Throws FormatError on damage, IoError on a read error.
    bool next(Record& out) {
        for (;;) {
            if (!read_block()) return false;
            switch (block_.type) {
                case enhanced_packet_block: read_enhanced_packet(out); return deliver(out);
                case simple_packet_block: read_simple_packet(out); return deliver(out);
                case packet_block: read_obsolete_packet(out); return deliver(out);
                case section_header_block: read_section_header(); break;
                case interface_description_block: read_interface_description(); break;
                default: break;
            }
            finish_block();
        }
    }

    /// Reads on over the blocks that start before byte `offset`, taking in
    /// section headers and interface descriptions and counting packet blocks
    /// without delivering them; the next next() starts at the first block at
    /// or after `offset`. Damage before `offset` throws FormatError as next() would.
    void skip_to(std::uint64_t offset) {
        while (source_.offset() < offset) {
            if (!read_block()) return;
            switch (block_.type) {
                case enhanced_packet_block:
                case simple_packet_block:
                case packet_block: ++records_; break;
                case section_header_block: read_section_header(); break;
                case interface_description_block: read_interface_description(); break;
                default: break;
            }
            finish_block();
        }
    }

    /// Every interface seen so far, in file order (the index is Record::interface_id).
    [[nodiscard]] const std::vector<InterfaceDescription>& interfaces() const noexcept { return interfaces_; }
    /// The first section's options and every interface's, as read so far (index: Record::interface_id).
    [[nodiscard]] const CaptureMetadata& metadata() const noexcept { return metadata_; }
    /// Sections seen so far.
    [[nodiscard]] std::uint32_t sections() const noexcept { return sections_; }
    /// Byte order of the current section.
    [[nodiscard]] bool big_endian() const noexcept { return big_endian_; }

    /// The path, "-" or the name given to ByteSource::from_memory.
    [[nodiscard]] const std::string& path() const noexcept { return source_.name(); }
    /// The input, e.g. to install a wait hook (ByteSource::on_wait) or ask is_stream().
    [[nodiscard]] ByteSource& source() noexcept { return source_; }
    /// Packet blocks delivered so far.
    [[nodiscard]] std::uint64_t records_read() const noexcept { return records_; }
    /// Blocks of every type read so far.
    [[nodiscard]] std::uint64_t blocks_read() const noexcept { return blocks_; }
    /// Input bytes consumed so far (every block read).
    [[nodiscard]] std::uint64_t bytes_read() const noexcept { return source_.offset(); }

private:
    static constexpr std::size_t min_block_length = 12;

    struct Block {
        const std::uint8_t* p = nullptr;  // its first byte, in the source's buffer
        std::uint32_t type = 0;
        std::uint32_t length = 0;
        bool big_endian = false;  // of the block (a new SHB may change it)
    };

    [[nodiscard]] std::uint16_t u16(std::size_t at) const noexcept {
        return traceflow::detail::bits::load16(block_.p + at, block_.big_endian);
    }
    [[nodiscard]] std::uint32_t u32(std::size_t at) const noexcept {
        return traceflow::detail::bits::load32(block_.p + at, block_.big_endian);
    }

    // Frames the next block (type, lengths) and makes all of it readable.
    bool read_block() {
        if (!source_.ensure(min_block_length)) {
            const std::size_t got = source_.available();
            if (got == 0) return false;
            fail("truncated block header: tried to read 12 bytes, only got " + std::to_string(got));
        }
        const std::uint8_t* p = source_.data();
        bool big_endian = big_endian_;
        // The SHB's type reads the same in both byte orders; its byte-order magic decides the rest.
        std::uint32_t type = traceflow::detail::bits::load_be32(p);
        if (type == section_header_block) {
            const std::uint32_t magic = traceflow::detail::bits::load_be32(p + 8);
            if (magic == 0x1A2B3C4D) {
                big_endian = true;
            } else if (magic == 0x4D3C2B1A) {
                big_endian = false;
            } else {
                fail("bad byte-order magic 0x" + detail::text::hex32(magic) + " in section header block");
            }
        } else {
            type = traceflow::detail::bits::load32(p, big_endian);
        }
        const std::uint32_t length = traceflow::detail::bits::load32(p + 4, big_endian);
        if (length < min_block_length) fail("block length " + std::to_string(length) + " is less than 12");
        if (length % 4 != 0) fail("block length " + std::to_string(length) + " is not a multiple of 4");
        if (length > max_record_length) {
            fail("block length " + std::to_string(length) + " is bigger than the maximum of " +
                 std::to_string(max_record_length));
        }
        if (!source_.ensure(length)) {
            fail("truncated block: tried to read " + std::to_string(length) + " bytes, only got " +
                 std::to_string(source_.available()));
        }
        block_ = Block{source_.data(), type, length, big_endian};
        const std::uint32_t trailing = u32(length - 4);
        if (trailing != length) {
            fail("trailing block length " + std::to_string(trailing) + " does not match the leading length " +
                 std::to_string(length));
        }
        return true;
    }

    void finish_block() noexcept {
        source_.consume(block_.length);
        ++blocks_;
    }

    bool deliver(Record& out) {
        out.number = ++records_;
        out.offset = source_.offset();
        finish_block();
        return true;
    }

    void require_length(std::uint32_t min, const char* name) const {
        if (block_.length < min) {
            fail(std::string(name) + " length " + std::to_string(block_.length) + " is less than its minimum " +
                 std::to_string(min));
        }
    }

    // The interface a packet block names, by its index within the current section.
    const InterfaceDescription& interface_for(std::uint32_t local, std::uint32_t& global) const {
        const std::size_t in_section = interfaces_.size() - section_first_;
        if (local >= in_section) {
            fail("packet for interface " + std::to_string(local) + ", but the section has " +
                 std::to_string(in_section) + " interface description block(s)");
        }
        global = static_cast<std::uint32_t>(section_first_ + local);
        return interfaces_[global];
    }

    static Timestamp add_offset(Timestamp t, std::int64_t seconds) noexcept {
        constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
        constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
        if (seconds > 0 && t.sec > max - seconds) {
            t.sec = max;
        } else if (seconds < 0 && t.sec < min - seconds) {
            t.sec = min;
        } else {
            t.sec += seconds;
        }
        return t;
    }

    // EPB and PB share the layout after their interface field.
    void read_timed_packet(Record& out, std::uint32_t local) {
        const std::uint64_t units = (std::uint64_t{u32(12)} << 32) | u32(16);
        const std::uint32_t caplen = u32(20);
        const std::uint32_t wirelen = u32(24);
        if (caplen > block_.length - 32) {
            fail("captured length " + std::to_string(caplen) + " runs past the end of the block");
        }
        const InterfaceDescription& ifc = interface_for(local, out.interface_id);
        Timestamp t = ifc.resolution.to_timestamp(units);
        if (ifc.ts_offset != 0) t = add_offset(t, ifc.ts_offset);
        out.frame.bytes = ByteView(block_.p + 28, caplen);
        out.frame.wirelen = wirelen;
        out.frame.timestamp = t;
        out.linktype = ifc.link_type;
    }

    void read_enhanced_packet(Record& out) {
        require_length(32, "enhanced packet block");
        read_timed_packet(out, u32(8));
    }

    void read_obsolete_packet(Record& out) {
        require_length(32, "packet block");
        read_timed_packet(out, u16(8));
    }

    // No timestamp and no captured length: the data runs to the block's end,
    // cut to the packet's length (padding) and the interface's snaplen.
    void read_simple_packet(Record& out) {
        require_length(16, "simple packet block");
        const std::uint32_t wirelen = u32(8);
        const InterfaceDescription& ifc = interface_for(0, out.interface_id);
        std::uint32_t caplen = block_.length - 16;
        if (wirelen < caplen) caplen = wirelen;
        if (ifc.snaplen != 0 && ifc.snaplen < caplen) caplen = ifc.snaplen;
        out.frame.bytes = ByteView(block_.p + 12, caplen);
        out.frame.wirelen = wirelen;
        out.frame.timestamp = Timestamp{};
        out.linktype = ifc.link_type;
    }

    void read_section_header() {
        require_length(28, "section header block");
        const std::uint16_t major = u16(12);
        const std::uint16_t minor = u16(14);
        if (major != 1) {
            fail("unsupported pcapng version " + std::to_string(major) + "." + std::to_string(minor));
        }
        const bool first = sections_ == 0;
        for_each_option(24, [&](std::uint16_t code, ByteView value) {
            if (first && CaptureMetadata::keeps_section_option(code)) metadata_.section.push_back(option(code, value));
        });
        big_endian_ = block_.big_endian;
        section_first_ = interfaces_.size();
        ++sections_;
    }

    void read_interface_description() {
        require_length(20, "interface description block");
        InterfaceDescription ifc;
        ifc.link_type = static_cast<LinkType>(u16(8));
        ifc.snaplen = u32(12);
        ifc.section = sections_ - 1;
        InterfaceMetadata kept;
        kept.link_type = ifc.link_type;
        kept.snaplen = ifc.snaplen;
        for_each_option(16, [&](std::uint16_t code, ByteView value) {
            if (CaptureMetadata::keeps_interface_option(code, text(value))) {
                kept.options.push_back(option(code, value));
            } else if (code == 9) {
                if (value.size != 1) fail("if_tsresol option of length " + std::to_string(value.size) + ", not 1");
                const auto resolution = TimeResolution::from_if_tsresol(value[0]);
                if (!resolution) fail("if_tsresol 0x" + detail::text::hex32(value[0]).substr(6) + " is out of range");
                ifc.resolution = *resolution;
            } else if (code == 14) {
                if (value.size != 8) fail("if_tsoffset option of length " + std::to_string(value.size) + ", not 8");
                ifc.ts_offset =
                    static_cast<std::int64_t>(traceflow::detail::bits::load64(value.data, block_.big_endian));
            }
        });
        if (interfaces_.size() >= std::numeric_limits<std::uint32_t>::max()) fail("too many interfaces");
        interfaces_.push_back(ifc);
        metadata_.interfaces.push_back(std::move(kept));
    }

    static std::string_view text(ByteView value) noexcept {
        return {reinterpret_cast<const char*>(value.data), value.size};
    }
    static CaptureOption option(std::uint16_t code, ByteView value) { return {code, std::string(text(value))}; }

    // Calls on(code, value) for each option from `begin` up to the trailing
    // length or opt_endofopt; an option running past the block is damage.
    template <typename OnOption>
    void for_each_option(std::size_t begin, OnOption&& on) const {
        const std::size_t end = block_.length - 4;
        std::size_t at = begin;
        while (end - at >= 4) {
            const std::uint16_t code = u16(at);
            const std::uint16_t length = u16(at + 2);
            if (code == 0) return;
            const std::size_t padded = (std::size_t{length} + 3) & ~std::size_t{3};
            if (padded > end - at - 4) {
                fail("option " + std::to_string(code) + " of length " + std::to_string(length) +
                     " runs past the end of the block");
            }
            on(code, ByteView(block_.p + at + 4, length));
            at += 4 + padded;
        }
    }

    // Damage in the block starting at the source's position.
    [[noreturn]] void fail(const std::string& what) const { fail_at(blocks_ + 1, source_.offset(), what); }
    [[noreturn]] void fail_at(std::uint64_t block, std::uint64_t offset, const std::string& what) const {
        throw FormatError(source_.name(), block, offset,
                          "pcapng block " + std::to_string(block) + " (after packet record " +
                              std::to_string(records_) + "): " + what);
    }

    ByteSource source_;
    Block block_;
    std::vector<InterfaceDescription> interfaces_;
    CaptureMetadata metadata_;       // interfaces in step with interfaces_
    std::size_t section_first_ = 0;  // index in interfaces_ of the current section's interface 0
    std::uint64_t records_ = 0;
    std::uint64_t blocks_ = 0;
    std::uint32_t sections_ = 0;
    bool big_endian_ = false;
};

}  // namespace io
TRACEFLOW_NAMESPACE_END

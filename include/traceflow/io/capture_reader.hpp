// SPDX-License-Identifier: MIT
// CaptureReader: opens a pcap or pcapng capture, recognised by its magic, and reads its records.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "../byte_view.hpp"
#include "../detail/bits/endian.hpp"
#include "../errors.hpp"
#include "byte_source.hpp"
#include "capture_metadata.hpp"
#include "pcap_reader.hpp"
#include "pcapng_reader.hpp"
#include "record.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace io {

/// Reads the packet records of a pcap or pcapng capture, whichever its magic
/// says. Records are views into a 1 MiB buffer (grown only for a bigger
/// record): no allocation per record, constant memory on any file size.
/// Damage throws FormatError after every earlier record was delivered.
/// Times are exact UTC as the file holds them: no local-timezone shift
/// (pcapkit adds one to pcapng times), pcapng if_tsoffset applied.
///
///     io::CaptureReader in("trace.pcapng");  // "-" reads stdin
///     io::Record r;
///     while (in.next(r)) std::printf("%llu %u\n", (unsigned long long)r.number, r.frame.wirelen);
class CaptureReader {
public:
    /// Opens `path` ("-" = stdin). Throws IoError when it cannot be opened,
    /// FormatError (record 0, offset 0 for a bad pcap or unknown header) when its header is bad.
    explicit CaptureReader(const std::string& path) : CaptureReader(ByteSource(path)) {}

    /// Reads from any ByteSource (e.g. one with a smaller buffer).
    explicit CaptureReader(ByteSource source) : reader_(open(std::move(source))) {}

    /// Reads a capture held in memory; `bytes` must outlive the reader. `name` is used in errors.
    [[nodiscard]] static CaptureReader from_memory(ByteView bytes, std::string name) {
        return CaptureReader(ByteSource::from_memory(bytes, std::move(name)));
    }

    /// Reads the next packet record into `out`; its bytes stay valid until the
    /// next call. False at a clean end of input; throws FormatError on damage.
    bool next(Record& out) {
        if (auto* pcap = std::get_if<PcapReader>(&reader_)) return pcap->next(out);
        return std::get_if<PcapngReader>(&reader_)->next(out);
    }

    /// Which format the magic announced.
    [[nodiscard]] CaptureFormat format() const noexcept {
        return reader_.index() == 0 ? CaptureFormat::pcap : CaptureFormat::pcapng;
    }
    /// The path, "-" or the name given to from_memory().
    [[nodiscard]] const std::string& path() const noexcept {
        return std::visit([](const auto& r) -> const std::string& { return r.path(); }, reader_);
    }
    /// Packet records delivered so far.
    [[nodiscard]] std::uint64_t records_read() const noexcept {
        return std::visit([](const auto& r) { return r.records_read(); }, reader_);
    }
    /// Input bytes consumed so far.
    [[nodiscard]] std::uint64_t bytes_read() const noexcept {
        return std::visit([](const auto& r) { return r.bytes_read(); }, reader_);
    }

    /// The input, e.g. to install a wait hook (ByteSource::on_wait) or ask is_stream().
    [[nodiscard]] ByteSource& source() noexcept {
        return std::visit([](auto& r) -> ByteSource& { return r.source(); }, reader_);
    }

    /// A copy of what the input said so far about its section and interfaces
    /// (PcapngReader::metadata()), for DumpOptions::metadata; null for pcap.
    [[nodiscard]] std::shared_ptr<const CaptureMetadata> metadata() const {
        const PcapngReader* ng = pcapng();
        if (ng == nullptr) return nullptr;
        return std::make_shared<const CaptureMetadata>(ng->metadata());
    }

    /// The pcap reader (link type, snaplen, ...), or null for pcapng.
    [[nodiscard]] const PcapReader* pcap() const noexcept { return std::get_if<PcapReader>(&reader_); }
    /// The pcapng reader (interfaces, sections, ...), or null for pcap.
    [[nodiscard]] const PcapngReader* pcapng() const noexcept { return std::get_if<PcapngReader>(&reader_); }
    /// The pcap reader, to reposition it (PcapReader::restart_at), or null for pcapng.
    [[nodiscard]] PcapReader* pcap() noexcept { return std::get_if<PcapReader>(&reader_); }
    /// The pcapng reader, to move it on (PcapngReader::skip_to), or null for pcap.
    [[nodiscard]] PcapngReader* pcapng() noexcept { return std::get_if<PcapngReader>(&reader_); }

private:
    using Reader = std::variant<PcapReader, PcapngReader>;

    static Reader open(ByteSource source) {
        if (!source.ensure(4)) {
            const std::size_t got = source.available();
            throw FormatError(
                source.name(), 0, 0,
                got == 0 ? std::string("empty file") : "truncated file header: only " + std::to_string(got) + " bytes");
        }
        const std::uint32_t magic = traceflow::detail::bits::load_be32(source.data());
        switch (magic) {
            case 0xa1b2c3d4:
            case 0xd4c3b2a1:
            case 0xa1b23c4d:
            case 0x4d3cb2a1: return Reader(std::in_place_type<PcapReader>, std::move(source));
            case PcapngReader::section_header_block: return Reader(std::in_place_type<PcapngReader>, std::move(source));
            default:
                throw FormatError(source.name(), 0, 0,
                                  "not a pcap or pcapng file (magic 0x" + detail::text::hex32(magic) + ")");
        }
    }

    Reader reader_;
};

/// The metadata a capture file gives before its first packet: the SHB and
/// the IDBs ahead of it (where capture tools put them); null for pcap. Reads
/// only that far, through a small buffer (a tool may ask this of many inputs
/// before reading them). Damage after the SHB leaves what came before it;
/// throws as CaptureReader's constructor does.
[[nodiscard]] inline std::shared_ptr<const CaptureMetadata> read_leading_metadata(const std::string& path) {
    CaptureReader reader(ByteSource(path, std::size_t{64} << 10));
    if (reader.pcapng() == nullptr) return nullptr;
    try {
        Record first;
        reader.next(first);
    } catch (const FormatError&) {
        // Reading the capture reports it; the blocks before the damage stand.
    }
    return reader.metadata();
}

}  // namespace io
TRACEFLOW_NAMESPACE_END

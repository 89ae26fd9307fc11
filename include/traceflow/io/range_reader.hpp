// SPDX-License-Identifier: MIT
// RangeReader: the records of one byte range of a capture file, its first record found exactly.
#pragma once

#include "../version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../detail/bits/endian.hpp"
#include "../errors.hpp"
#include "capture_reader.hpp"
#include "record.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace io {

/// Bytes [begin, end) of a capture file. A range holds the records whose
/// first byte lies in it, so ranges that tile a file hold each record once.
struct ByteRange {
    std::uint64_t begin = 0;                                        ///< first byte
    std::uint64_t end = std::numeric_limits<std::uint64_t>::max();  ///< one past the last byte
};

/// How a RangeReader found the first record of its range.
enum class RangeStart : std::uint8_t {
    file_start,  ///< the range begins at or before the first record
    resync,      ///< pcap: the one chain of plausible record headers starting in the range's first bytes
    walk,        ///< record headers followed from the file's first record (pcapng always: its
                 ///< section and interface blocks before the range are needed)
};

/// Reads the records of one byte range of a pcap or pcapng file (not a
/// stream). The first record is found exactly or not at all: in pcap by
/// following every chain of plausible record headers that starts in the
/// range's first bytes (RAPCAP's method) and taking the first when all the
/// others die or join it; when more than one chain lives on, or none does,
/// by walking the record headers from the file's first record. pcapng is
/// always walked from the start (block type and lengths only, payloads
/// passed over), which also reads the section and interface blocks the range needs.
///
/// Record numbers and offsets: `Record::offset` is the byte offset in the
/// file; `Record::number` counts from records_before() + 1, where
/// records_before() is exact when numbers_known(), else 0 (a resynced pcap
/// range cannot know how many records came before it).
///
///     io::RangeReader part(io::ByteSource("big.pcap"), {1 << 20, 2 << 20});
///     io::Record r;
///     while (part.next(r)) handle(r);
///     // part.start() .. part.stop(): the bytes its records cover
class RangeReader {
public:
    /// Header chains are followed this many records before they count as alive.
    static constexpr unsigned chain_records = 16;

    /// Opens the capture on `source` (which must be seekable: IoError
    /// otherwise) and finds the first record of `range`. A bad file header
    /// throws FormatError as CaptureReader does. Damage before the range
    /// leaves it unreachable(); damage in the first record of the range is
    /// thrown by the first next().
    /// `known_start`, when given, is where the first record at or after the
    /// range's beginning starts (the stop() of the range before, in pcap): it is used as it is.
    RangeReader(ByteSource source, ByteRange range, std::optional<std::uint64_t> known_start = std::nullopt)
        : reader_(check_seekable(std::move(source))) {
        size_ = reader_.source().size();
        first_record_ = reader_.source().offset();
        begin(range, known_start);
    }

    /// Moves on to another range of the same pcap file, keeping the open
    /// file and its buffer (feed_parallel() reads range after range so).
    /// False for pcapng, whose walk needs a reader opened anew.
    bool restart(ByteRange range, std::optional<std::uint64_t> known_start = std::nullopt) {
        PcapReader* pcap = reader_.pcap();
        if (pcap == nullptr) return false;
        start_ = stop_ = records_before_ = 0;
        pending_ = nullptr;
        beyond_.reset();
        how_ = RangeStart::file_start;
        numbers_known_ = delivered_ = done_ = unreachable_ = false;
        pcap->restart_at(first_record_, 0);
        begin(range, known_start);
        return true;
    }

    /// Opens `path` and reads `range` of it, as above.
    RangeReader(const std::string& path, ByteRange range) : RangeReader(ByteSource(path), range) {}

    /// The next record starting in the range; false after its last one.
    /// Throws FormatError on damage (every earlier record delivered).
    bool next(Record& out) {
        if (done_) return false;
        if (pending_) {
            done_ = true;
            std::rethrow_exception(std::exchange(pending_, nullptr));
        }
        if (!reader_.next(out)) {
            done_ = true;
            stop_ = size_;
            if (!delivered_) start_ = stop_;
            return false;
        }
        if (out.offset >= range_.end) {
            done_ = true;
            stop_ = out.offset;
            if (!delivered_) start_ = stop_;
            beyond_ = out;
            return false;
        }
        if (!delivered_) start_ = out.offset;
        delivered_ = true;
        return true;
    }

    /// After next() returned false: the records after the range, the one at
    /// stop() first; false at the end of the file. Throws FormatError on damage.
    bool next_beyond(Record& out) {
        if (!done_ || unreachable_) return false;
        if (beyond_) {
            out = *beyond_;
            beyond_.reset();
            return true;
        }
        if (stop_ >= size_) return false;
        return reader_.next(out);
    }

    /// How far past a range's end the next range's first record may depend
    /// on the bytes (its resync follows header chains that far): damage
    /// within this many bytes after stop() may make the next range start
    /// past it. 0 when ranges start by walking (pcapng).
    [[nodiscard]] std::uint64_t lookahead() const noexcept {
        const PcapReader* pcap = reader_.pcap();
        return pcap == nullptr ? 0 : 3 * largest_record(*pcap) + (std::uint64_t{64} << 10);
    }

    /// The range as read (its end at most the file's size).
    [[nodiscard]] ByteRange range() const noexcept { return range_; }
    /// Size of the file.
    [[nodiscard]] std::uint64_t file_size() const noexcept { return size_; }
    /// Where the range's first record starts: the first record boundary at or
    /// after range().begin (the file's size when none is). Final once next() returned a record or false.
    [[nodiscard]] std::uint64_t start() const noexcept { return start_; }
    /// Where reading stopped, after next() returned false: the first record
    /// boundary at or after range().end (the file's size when none is). The
    /// next range's start() must be this.
    [[nodiscard]] std::uint64_t stop() const noexcept { return stop_; }
    /// How the first record was found.
    [[nodiscard]] RangeStart how_started() const noexcept { return how_; }
    /// True when the records before the range are counted (records_before() is exact).
    [[nodiscard]] bool numbers_known() const noexcept { return numbers_known_; }
    /// Records of the file before the range, when numbers_known().
    [[nodiscard]] std::uint64_t records_before() const noexcept { return records_before_; }
    /// True when the file is damaged before the range: it holds no record
    /// that one pass over the file would read (the range before reports the damage).
    [[nodiscard]] bool unreachable() const noexcept { return unreachable_; }
    /// The capture reader (format, link type, interfaces).
    [[nodiscard]] const CaptureReader& capture() const noexcept { return reader_; }

private:
    static ByteSource check_seekable(ByteSource source) {
        if (!source.seekable())
            throw IoError(source.name(), std::make_error_code(std::errc::invalid_seek),
                          "a byte range needs a regular file");
        return source;
    }

    void begin(ByteRange range, std::optional<std::uint64_t> known_start) {
        range_ = range;
        if (range_.end > size_) range_.end = size_;
        if (range_.begin > range_.end) range_.begin = range_.end;
        if (known_start && reader_.pcap() != nullptr && *known_start >= first_record_) {
            how_ = RangeStart::resync;
            start_ = stop_ = *known_start;
            reader_.pcap()->restart_at(*known_start, 0);
            return;
        }
        position();
    }

    void position() {
        const std::uint64_t first = first_record_;
        start_ = stop_ = range_.begin;
        if (range_.begin <= first) {
            how_ = RangeStart::file_start;
            numbers_known_ = true;
            return;
        }
        if (range_.begin >= size_) {
            how_ = RangeStart::file_start;
            numbers_known_ = false;
            done_ = true;
            start_ = stop_ = size_;
            return;
        }
        if (const PcapReader* pcap = reader_.pcap()) {
            if (const auto found = resync(*pcap, first)) {
                how_ = RangeStart::resync;
                reader_.pcap()->restart_at(*found, 0);
                return;
            }
            walk_pcap(first);
            return;
        }
        how_ = RangeStart::walk;
        PcapngReader* pcapng = reader_.pcapng();
        try {
            pcapng->skip_to(range_.begin);
            records_before_ = pcapng->records_read();
            numbers_known_ = true;
        } catch (const FormatError& e) {
            settle_walk_error(e);
        }
    }

    // Follows record headers from the file's first record up to the first at
    // or after the range (read in full: the same checks as one pass makes).
    void walk_pcap(std::uint64_t first) {
        how_ = RangeStart::walk;
        PcapReader* pcap = reader_.pcap();
        pcap->restart_at(first, 0);
        Record r;
        try {
            for (;;) {
                if (!pcap->next(r)) {
                    done_ = true;
                    start_ = stop_ = size_;
                    numbers_known_ = true;
                    records_before_ = pcap->records_read();
                    return;
                }
                if (r.offset >= range_.begin) {
                    records_before_ = r.number - 1;
                    numbers_known_ = true;
                    pcap->restart_at(r.offset, records_before_);
                    return;
                }
            }
        } catch (const FormatError& e) {
            settle_walk_error(e);
        }
    }

    // Damage met while walking: before the range, the range is unreachable;
    // in it, its first next() reports it.
    void settle_walk_error(const FormatError& e) {
        if (e.offset() < range_.begin) {
            unreachable_ = true;
            done_ = true;
            start_ = stop_ = range_.begin;
        } else {
            pending_ = std::current_exception();
            numbers_known_ = true;
            records_before_ = e.record() == 0 ? 0 : e.record() - 1;
            start_ = e.offset();
        }
    }

    // What resync takes for a record header: the time from one record to the
    // next steps at most a day (either way), a frame is at most 16 MiB on the
    // wire. A capture beyond these is read by walking: slower, as exact.
    static constexpr std::uint32_t max_second_step = 86400;
    static constexpr std::uint32_t max_wire_length = std::uint32_t{16} << 20;

    // The largest record resync takes for one: a header and the snapshot length (at least 64 KiB; 256 KiB when unset).
    static std::uint64_t largest_record(const PcapReader& pcap) noexcept {
        const std::uint32_t snaplen = pcap.snaplen();
        const std::uint64_t limit =
            snaplen != 0 && snaplen <= max_record_length ? std::max<std::uint64_t>(snaplen, 0xFFFF) : 262144;
        return PcapReader::record_header_size + limit;
    }

    // The first offset in [at, end) whose 16 bytes could be a record header as
    // far as its sub-second field and its lengths tell (one of them, in any
    // length order, is the captured length: 1 to `limit`); `end` when none.
    template <bool BigEndian>
    static std::uint64_t next_candidate(const std::uint8_t* window, std::uint64_t at, std::uint64_t end,
                                        std::uint32_t per_second, std::uint64_t limit) noexcept {
        const auto load = [](const std::uint8_t* p) {
            return BigEndian ? traceflow::detail::bits::load_be32(p) : traceflow::detail::bits::load_le32(p);
        };
        for (; at < end; ++at) {
            const std::uint8_t* h = window + at;
            if (load(h + 4) >= per_second) continue;
            const std::uint32_t length_a = load(h + 8) - 1;  // 0 wraps to the largest: not a length
            const std::uint32_t length_b = load(h + 12) - 1;
            if (length_a < limit || length_b < limit) return at;
        }
        return end;
    }

    // RAPCAP's resync, made certain: the offset of the first record at or
    // after the range's beginning, or nothing when the headers cannot tell it.
    // Chains of plausible headers are followed from one largest record
    // before the range (so a false header inside the record that holds the
    // range's first byte, such as a capture carried in a packet, whose chain
    // joins the true one there, is passed by a chain that began before it);
    // the first chain that lives is taken when every other one that starts
    // within one largest record of it dies or joins it.
    std::optional<std::uint64_t> resync(const PcapReader& pcap, std::uint64_t first_record) {
        ByteSource& source = reader_.source();
        const std::uint64_t largest = largest_record(pcap);
        const std::uint64_t limit = largest - PcapReader::record_header_size;
        const std::uint64_t back = std::min<std::uint64_t>(range_.begin - first_record, largest);
        const std::uint64_t from = range_.begin - back;
        const std::uint64_t left = size_ - from;  // bytes from `from` to the end of the file
        const std::uint64_t want = std::min<std::uint64_t>(left, back + 3 * largest + (std::uint64_t{64} << 10));
        if (!source.seek(from)) return std::nullopt;
        (void)source.ensure(static_cast<std::size_t>(want));
        const std::uint8_t* window = source.data();
        const std::uint64_t have = std::min<std::uint64_t>(source.available(), want);
        const std::uint32_t per_second = pcap.per_second();
        enum class Fate { dies, lives, joins, uncertain };
        // The record starts of the first live chain, in order.
        std::vector<std::uint64_t> chain;
        // Follows the chain from `at` until it dies, passes `until` alive (or
        // reaches the end of the file or of the window), or meets `chain`.
        auto follow = [&](std::uint64_t at, std::uint64_t until, std::vector<std::uint64_t>* starts) {
            std::optional<std::uint32_t> last_second;
            unsigned records = 0;
            for (;;) {
                if (at == left) return Fate::lives;  // ends exactly at the end of the file
                if (at >= until) return Fate::lives;
                if (at + PcapReader::record_header_size > have) return have == left ? Fate::dies : Fate::lives;
                const PcapReader::Header h = pcap.header_at(window + at);
                // An empty record is legal but never seen; counting it would let runs of zeros pass for records.
                // (Every header of the live chain passed this, so a header that fails it is not on the
                // chain: asked first, it spares almost every candidate the search below.)
                if (h.ts_sub >= per_second || h.caplen == 0 || h.caplen > limit || h.caplen > h.wirelen ||
                    h.wirelen > max_wire_length)
                    return Fate::dies;
                if (starts == nullptr && std::binary_search(chain.begin(), chain.end(), at)) return Fate::joins;
                // Headers read a few bytes off the true ones (sub-seconds as seconds, lengths as
                // times) chain on beside them; their "seconds" jump by days from record to record.
                if (last_second &&
                    (h.ts_sec > *last_second ? h.ts_sec - *last_second : *last_second - h.ts_sec) > max_second_step) {
                    // After many steady records, a true jump in time (captures joined end to end): the
                    // chain lived this far. After a few, it cannot be told: walk.
                    if (records >= 8) return Fate::lives;
                    return records >= 1 ? Fate::uncertain : Fate::dies;
                }
                last_second = h.ts_sec;
                ++records;
                if (starts != nullptr) starts->push_back(at);
                at += PcapReader::record_header_size + h.caplen;
                if (at > left) return Fate::dies;  // runs past the end of the file
            }
        };
        const std::uint64_t scan_end = std::min<std::uint64_t>(have, largest);
        std::uint64_t reach = 0;  // how far the first live chain was followed
        bool found = false;
        std::vector<std::uint64_t> starts;
        std::size_t on_chain = 0;  // the first record of `chain` at or after the candidate
        // Almost every candidate dies at its sub-second field or its lengths: those are passed over
        // without following (all but the last few bytes, where a header does not fit).
        const std::uint64_t quick_end =
            have >= PcapReader::record_header_size ? std::min(scan_end, have - PcapReader::record_header_size + 1) : 0;
        const auto skip_to_candidate = [&](std::uint64_t at) {
            return pcap.big_endian() ? next_candidate<true>(window, at, quick_end, per_second, limit)
                                     : next_candidate<false>(window, at, quick_end, per_second, limit);
        };
        for (std::uint64_t at = 0; at < scan_end; ++at) {
            if (at < quick_end) {
                at = skip_to_candidate(at);
                if (at == quick_end) {
                    at = quick_end - 1;
                    continue;
                }
            }
            if (!found) {
                starts.clear();
                reach = std::min<std::uint64_t>(have, back + 2 * largest);
                const Fate fate = follow(at, reach, &starts);
                if (fate == Fate::uncertain) return std::nullopt;
                if (fate == Fate::lives) {
                    chain = std::move(starts);
                    found = true;
                }
                continue;
            }
            // Candidates come in order: the chain's next record is found by stepping, not searching.
            while (on_chain != chain.size() && chain[on_chain] < at) ++on_chain;
            if (on_chain != chain.size() && chain[on_chain] == at) continue;
            // Another candidate: it must die or join the first chain before passing its end.
            const Fate fate = follow(at, reach, nullptr);
            if (fate == Fate::lives || fate == Fate::uncertain) return std::nullopt;  // two chains: cannot tell
        }
        if (!found) return std::nullopt;
        const auto first_in_range = std::lower_bound(chain.begin(), chain.end(), back);
        if (first_in_range == chain.end()) return std::nullopt;  // records larger than the window: walk
        return from + *first_in_range;
    }

    CaptureReader reader_;
    ByteRange range_;
    std::uint64_t size_ = 0;
    std::uint64_t first_record_ = 0;  // where the file's first record (or block after the first SHB) starts
    std::uint64_t start_ = 0;
    std::uint64_t stop_ = 0;
    std::uint64_t records_before_ = 0;
    std::exception_ptr pending_;
    std::optional<Record> beyond_;  // the record at stop(), read to find it
    RangeStart how_ = RangeStart::file_start;
    bool numbers_known_ = false;
    bool delivered_ = false;
    bool done_ = false;
    bool unreachable_ = false;
};

}  // namespace io
TRACEFLOW_NAMESPACE_END

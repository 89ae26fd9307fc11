// SPDX-License-Identifier: MIT
// FragmentJoiner: IPv4 and IPv6 fragments held until their packet is whole, then fed frame by frame.
#pragma once

#include "../version.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <vector>

#include "../byte_view.hpp"
#include "../decode/decode_options.hpp"
#include "../decode/ip_protocol.hpp"
#include "../decode/outcome.hpp"
#include "../decode/tcp_segment.hpp"
#include "../detail/bits/endian.hpp"
#include "../detail/layers/decode_walk.hpp"
#include "../frame.hpp"
#include "../io/record.hpp"
#include "../link_type.hpp"
#include "../timestamp.hpp"
#include "capture_packet.hpp"
#include "extract_stats.hpp"

TRACEFLOW_NAMESPACE_BEGIN

namespace detail::ingest {
// Finds the outermost IP header that is a fragment (IPv4: offset or MF set;
// IPv6: a Fragment header with offset or M set) as the decoder walks a frame.
struct FragmentFinder {
    const std::uint8_t* frame = nullptr;
    bool found = false;
    bool v6 = false;
    std::size_t ip = 0;         // the IP header
    std::size_t extension = 0;  // IPv6: the Fragment header
    std::size_t last_v6 = 0;

    void operator()(layers::HeaderKind kind, std::size_t offset, std::size_t, unsigned aux) noexcept {
        if (found) return;
        if (kind == layers::HeaderKind::ipv4) {
            if ((bits::load_be16(frame + offset + 6) & 0x3FFFu) != 0) {
                found = true;
                ip = offset;
            }
        } else if (kind == layers::HeaderKind::ipv6) {
            last_v6 = offset;
        } else if (kind == layers::HeaderKind::ipv6_extension && aux == decode::ip_protocol::fragment) {
            if ((bits::load_be16(frame + offset + 2) & 0xFFF9u) != 0) {
                found = true;
                v6 = true;
                ip = last_v6;
                extension = offset;
            }
        }
    }
};
}  // namespace detail::ingest

/// Joins IP fragments (IPv4, and IPv6 Fragment headers) into whole packets
/// before TCP is decoded, as a receiving host would, for the feeds. Give it
/// each frame takes() accepts; when a packet's last
/// missing fragment comes, the joined packet is decoded and, when it is TCP,
/// every one of its frames is handed to `emit` as a CapturePacket in frame
/// order: all with the joined segment's addresses and ports (and SYN/ACK),
/// the last one (the frame that completed it) also with its FIN/RST, its
/// sequence number and its whole payload (`tcp.payload`). So each fragment's
/// frame is in its flow's index and files, and the segment is counted once.
///
/// Memory is bounded (`DecodeOptions::fragment_memory`, frames copied in);
/// a packet whose fragments do not all come within
/// `fragment_timeout_ns` of capture time is given up, as is one with
/// overlapping fragments (RFC 5722: the whole packet, and its later
/// fragments until the timeout), a truncated fragment, or one held at the
/// end of input (finish()). Given-up packets are counted in
/// ExtractStats::fragmented_incomplete, their frames stay counted as
/// `fragment`. An identical repeated fragment is a duplicate: its frame
/// joins the packet, its bytes are not used again.
///
/// Decisions depend only on the fragments in order and their capture
/// times, so every feed (one thread, threaded, parallel, map/merge) joins
/// the same packets.
class FragmentJoiner {
public:
    explicit FragmentJoiner(const decode::DecodeOptions& options = {}) : options_(options) {}

    /// Whether a frame decoded to `outcome` and `seg` goes to add(): a
    /// fragment of a packet that can hold TCP (TCP, IP in IP, and with
    /// `options.decap` UDP and GRE, which may be tunnels). Fragments of other
    /// packets (UDP of NFS, DNS, ...) are not joined: they stay `fragment`
    /// (a first one by what it holds, e.g. `not-tcp`), costing nothing.
    [[nodiscard]] static bool takes(decode::Outcome outcome, const decode::TcpSegment& seg,
                                    const decode::DecodeOptions& options) noexcept {
        if (!options.join_fragments || (outcome != decode::Outcome::fragment && !seg.more_fragments)) return false;
        switch (seg.fragment_protocol) {
            case decode::ip_protocol::tcp:
            case decode::ip_protocol::ipv4:
            case decode::ip_protocol::ipv6: return true;
            case decode::ip_protocol::udp:
            case decode::ip_protocol::gre: return options.decap;
            default: return false;
        }
    }

    /// Takes the fragment frame `record` (its frame number `number`); the
    /// caller counted it as Outcome::fragment in `stats`. When it completes
    /// its packet, the counts of the packet's frames move to the joined
    /// packet's outcome, and TCP frames go to `emit(const CapturePacket&)`
    /// (their bytes valid during the call).
    template <typename Emit>
    void add(const io::Record& record, std::uint64_t number, ExtractStats& stats, Emit&& emit) {
        const ByteView bytes = record.frame.bytes;
        detail::ingest::FragmentFinder finder;
        finder.frame = bytes.data;
        decode::TcpSegment seg;
        (void)detail::layers::walk(record.linktype, bytes, seg, finder, options_);
        Piece piece;
        Key key{};
        if (!finder.found || !read_piece(bytes, finder, piece, key)) return;  // no joinable fragment: stays counted
        const std::int64_t now = record.frame.timestamp.total_nanoseconds();
        if (now > clock_) clock_ = now;
        expire(stats);
        auto [it, fresh] = packets_.try_emplace(key);
        Held& held = it->second;
        if (fresh) {
            held.deadline = now + options_.fragment_timeout_ns;
            held.order = opened_++;
            next_deadline_ = std::min(next_deadline_, held.deadline);
        }
        if (held.given_up) return;
        if (piece.truncated || !fits(held, piece, bytes)) {
            give_up(held, stats);
            return;
        }
        piece.number = number;
        piece.link = record.linktype;
        piece.interface_id = record.interface_id;
        piece.vlan = seg.vlan_outer;
        piece.frame.timestamp = record.frame.timestamp;
        piece.frame.wirelen = record.frame.wirelen;
        piece.stored_at = held.bytes.size();
        piece.stored_size = bytes.size;
        held.bytes.insert(held.bytes.end(), bytes.data, bytes.data + bytes.size);
        held_bytes_ += bytes.size + sizeof(Piece);
        if (piece.begin == 0 && !piece.duplicate) held.header.assign(bytes.data + piece.ip, bytes.data + piece.data_at);
        if (!piece.more && !piece.duplicate) {
            held.total = piece.end;
            held.has_last = true;
        }
        held.pieces.push_back(piece);
        if (complete(held)) {
            join(held, stats, emit);
            forget(it);
        }
        while (held_bytes_ > options_.fragment_memory && evict_oldest(stats)) {}
    }

    /// Gives up every packet still missing fragments (the end of an input).
    void finish(ExtractStats& stats) {
        for (auto& entry : packets_)
            if (!entry.second.given_up) ++stats.fragmented_incomplete;
        packets_.clear();
        held_bytes_ = 0;
    }

    /// Bytes of fragment frames held now.
    [[nodiscard]] std::size_t held_bytes() const noexcept { return held_bytes_; }

private:
    // (version, src, dst, identification, protocol): RFC 791 / RFC 8200's packet identity.
    using Key = std::array<std::uint8_t, 1 + 16 + 16 + 4 + 1>;

    struct Piece {
        std::uint32_t begin = 0;  // the fragment's bytes in the joined payload
        std::uint32_t end = 0;
        bool more = false;
        bool truncated = false;
        bool duplicate = false;
        std::size_t ip = 0;       // in the frame: the fragmented IP header
        std::size_t data_at = 0;  // in the frame: the fragment's bytes (after the header, and IPv6's Fragment header)
        std::size_t extension = 0;
        bool v6 = false;
        std::uint64_t number = 0;
        LinkType link{};
        std::uint32_t interface_id = 0;
        std::uint16_t vlan = 0;
        FrameView frame;
        std::size_t stored_at = 0;  // the frame's copy in Held::bytes
        std::size_t stored_size = 0;
    };
    struct Held {
        std::vector<std::uint8_t> bytes;   // the fragments' frames, copied in
        std::vector<Piece> pieces;         // in arrival order
        std::vector<std::uint8_t> header;  // the first fragment's IP header (IPv6: through its Fragment header)
        std::uint32_t total = 0;           // the joined payload's length, known from the last fragment
        bool has_last = false;
        bool given_up = false;  // kept until its deadline, so its later fragments are refused too
        std::int64_t deadline = 0;
        std::uint64_t order = 0;
    };
    using Packets = std::map<Key, Held>;

    // Reads the fragment's identity and place; false when it cannot be joined at all.
    static bool read_piece(ByteView bytes, const detail::ingest::FragmentFinder& f, Piece& piece, Key& key) noexcept {
        using detail::bits::load_be16;
        using detail::bits::load_be32;
        const std::uint8_t* ip = bytes.data + f.ip;
        std::size_t declared_end = 0;
        key[0] = f.v6 ? 6 : 4;
        piece.ip = f.ip;
        piece.v6 = f.v6;
        if (!f.v6) {
            const std::size_t header = std::size_t{ip[0] & 0x0Fu} * 4;
            const std::size_t total = load_be16(ip + 2);
            if (total < header) return false;
            const unsigned field = load_be16(ip + 6);
            piece.begin = (field & 0x1FFFu) * 8u;
            piece.more = (field & 0x2000u) != 0;
            std::memcpy(key.data() + 1, ip + 12, 4);
            std::memcpy(key.data() + 17, ip + 16, 4);
            std::memcpy(key.data() + 33, ip + 4, 2);
            key[37] = ip[9];
            piece.data_at = f.ip + header;
            declared_end = f.ip + total;
        } else {
            const std::uint8_t* ext = bytes.data + f.extension;
            const std::size_t payload = load_be16(ip + 4);
            if (payload == 0) return false;  // a jumbogram is never fragmented (RFC 2675)
            const unsigned field = load_be16(ext + 2);
            piece.begin = field & 0xFFF8u;
            piece.more = (field & 1u) != 0;
            std::memcpy(key.data() + 1, ip + 8, 16);
            std::memcpy(key.data() + 17, ip + 24, 16);
            const std::uint32_t id = load_be32(ext + 4);
            std::memcpy(key.data() + 33, &id, 4);
            piece.extension = f.extension;
            piece.data_at = f.extension + 8;
            declared_end = f.ip + 40 + payload;
        }
        if (declared_end < piece.data_at) return false;
        piece.end = piece.begin + static_cast<std::uint32_t>(declared_end - piece.data_at);
        piece.truncated = declared_end > bytes.size;
        // Every fragment but the last holds a multiple of 8 bytes; none is empty but an empty last one.
        if ((piece.more && (piece.end - piece.begin) % 8 != 0) || (piece.more && piece.end == piece.begin))
            piece.truncated = true;  // refused below as a packet that cannot be joined
        return true;
    }

    // Whether `piece` can join `held`: a new range, or an identical copy of one held (a duplicate).
    static bool fits(const Held& held, Piece& piece, ByteView bytes) noexcept {
        if (held.has_last && piece.end > held.total) return false;
        if (!piece.more && held.has_last && piece.end != held.total) return false;
        if (!piece.more) {
            for (const Piece& p : held.pieces)
                if (!p.duplicate && p.end > piece.end) return false;
        }
        for (const Piece& p : held.pieces) {
            if (p.duplicate || piece.end <= p.begin || p.end <= piece.begin) continue;
            const std::size_t length = piece.end - piece.begin;
            if (p.begin != piece.begin || p.end != piece.end || p.more != piece.more ||
                std::memcmp(held.bytes.data() + p.stored_at + p.data_at, bytes.data + piece.data_at, length) != 0)
                return false;  // RFC 5722: overlapping fragments end the whole packet
            piece.duplicate = true;
            return true;
        }
        return true;
    }

    static bool complete(const Held& held) {
        if (!held.has_last || held.header.empty()) return false;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
        for (const Piece& p : held.pieces)
            if (!p.duplicate) ranges.emplace_back(p.begin, p.end);
        std::sort(ranges.begin(), ranges.end());
        std::uint32_t covered = 0;
        for (const auto& r : ranges) {
            if (r.first != covered) return false;
            covered = r.second;
        }
        return covered == held.total;
    }

    // Builds the joined packet (its first fragment's header, the bytes in
    // order), decodes it and hands its frames on.
    template <typename Emit>
    void join(Held& held, ExtractStats& stats, Emit& emit) {
        const bool v6 = held.pieces.front().v6;
        std::size_t header = held.header.size();
        joined_.assign(held.header.begin(), held.header.end());
        joined_.resize(header + held.total);
        for (const Piece& p : held.pieces)
            if (!p.duplicate)
                std::memcpy(joined_.data() + header + p.begin, held.bytes.data() + p.stored_at + p.data_at,
                            p.end - p.begin);
        decode::Outcome outcome = decode::Outcome::malformed;
        decode::TcpSegment seg;
        const std::size_t length = v6 ? header - 40 + held.total : header + held.total;
        if (length <= 0xFFFF) {
            if (v6) {
                detail::bits::store16(joined_.data() + 4, static_cast<std::uint16_t>(length), true);
                // The Fragment header stays, as an atomic fragment (RFC 6946): offset 0, no more.
                std::uint8_t* ext = joined_.data() + (header - 8);
                ext[2] = 0;
                ext[3] = 0;
            } else {
                detail::bits::store16(joined_.data() + 2, static_cast<std::uint16_t>(length), true);
                joined_[6] &= 0x40;  // DF stays; MF and the offset go
                joined_[7] = 0;
            }
            detail::layers::NullVisitor none;
            outcome =
                detail::layers::walk(LinkType::raw, ByteView(joined_.data(), joined_.size()), seg, none, options_);
            if (outcome == decode::Outcome::tcp && seg.more_fragments) outcome = decode::Outcome::fragment;
        }
        const std::uint64_t frames = held.pieces.size();
        if (outcome == decode::Outcome::fragment) {
            ++stats.fragmented_incomplete;
            return;
        }
        stats.outcomes[static_cast<std::size_t>(decode::Outcome::fragment)] -= frames;
        stats.outcomes[static_cast<std::size_t>(outcome)] += frames;
        ++stats.fragmented_joined;
        if (outcome != decode::Outcome::tcp) return;
        stats.tcp_frames += frames;
        std::vector<Piece>& pieces = held.pieces;
        std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.number < b.number; });
        const Piece& last = pieces.back();
        CapturePacket packet;
        packet.src = seg.src;
        packet.dst = seg.dst;
        packet.srcport = seg.srcport;
        packet.dstport = seg.dstport;
        packet.syn = seg.syn();
        packet.tcp.ack = seg.ack_flag();
        packet.tcp.seq = seg.seq;
        packet.tcp.ack_number = seg.ack;
        packet.tcp.vlan = last.vlan;  // one key for every frame of the packet
        for (const Piece& p : pieces) {
            const bool carrier = &p == &last;
            packet.protocol = p.link;
            packet.index = p.number;
            packet.frame = p.frame;
            packet.frame.bytes = ByteView(held.bytes.data() + p.stored_at, p.stored_size);
            packet.timestamp = p.frame.timestamp;
            packet.tcp.interface_id = p.interface_id;
            packet.fin = carrier && seg.fin();
            packet.tcp.rst = carrier && seg.rst();
            packet.tcp.flags =
                carrier ? seg.flags
                        : static_cast<std::uint8_t>(seg.flags & (decode::tcp_flag::syn | decode::tcp_flag::ack));
            packet.tcp.payload_size = carrier ? seg.payload_size : 0;
            packet.tcp.payload_offset = 0;
            packet.tcp.payload =
                carrier ? ByteView(joined_.data(), joined_.size()).subview(seg.payload_offset) : ByteView();
            emit(static_cast<const CapturePacket&>(packet));
        }
    }

    void give_up(Held& held, ExtractStats& stats) {
        if (held.given_up) return;
        ++stats.fragmented_incomplete;
        held.given_up = true;
        release(held);
    }

    void release(Held& held) {
        held_bytes_ -= held.bytes.size() + held.pieces.size() * sizeof(Piece);
        held.bytes = {};
        held.pieces = {};
        held.header = {};
    }

    void forget(Packets::iterator it) {
        release(it->second);
        packets_.erase(it);
    }

    // Packets whose time is up: given up (counted once), and forgotten.
    void expire(ExtractStats& stats) {
        if (clock_ < next_deadline_) return;
        next_deadline_ = std::numeric_limits<std::int64_t>::max();
        for (auto it = packets_.begin(); it != packets_.end();) {
            if (it->second.deadline < clock_) {
                if (!it->second.given_up) ++stats.fragmented_incomplete;
                forget(it++);
            } else {
                next_deadline_ = std::min(next_deadline_, it->second.deadline);
                ++it;
            }
        }
    }

    // Over the memory bound: the packet whose first fragment came first is given up.
    bool evict_oldest(ExtractStats& stats) {
        auto oldest = packets_.end();
        for (auto it = packets_.begin(); it != packets_.end(); ++it)
            if (!it->second.given_up && !it->second.pieces.empty() &&
                (oldest == packets_.end() || it->second.order < oldest->second.order))
                oldest = it;
        if (oldest == packets_.end()) return false;
        give_up(oldest->second, stats);
        return true;
    }

    decode::DecodeOptions options_;
    Packets packets_;
    std::vector<std::uint8_t> joined_;  // the last joined packet: emitted payloads point into it
    std::size_t held_bytes_ = 0;
    std::int64_t clock_ = std::numeric_limits<std::int64_t>::min();
    std::int64_t next_deadline_ = std::numeric_limits<std::int64_t>::max();
    std::uint64_t opened_ = 0;
};

TRACEFLOW_NAMESPACE_END

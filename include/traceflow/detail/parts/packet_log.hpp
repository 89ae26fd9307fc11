// SPDX-License-Identifier: MIT
// PacketLog: the TCP packets of a part, packed: what a tracer needs of each, the frame bytes when carried.
#pragma once

#include "../../version.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../../errors.hpp"
#include "../../feed/capture_packet.hpp"
#include "../../io/record.hpp"
#include "../bits/varint.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::parts {

// Bits of a packet's head byte.
inline constexpr std::uint8_t head_v6 = 0x01;
inline constexpr std::uint8_t head_link = 0x02;       // link type differs from the previous packet's
inline constexpr std::uint8_t head_interface = 0x04;  // interface id not 0
inline constexpr std::uint8_t head_vlan = 0x08;       // VLAN id not 0
inline constexpr std::uint8_t head_fragment = 0x10;   // an IP fragment's record, joined when replayed
inline constexpr std::uint8_t head_known = 0x1F;

inline std::uint64_t zigzag(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

/// Appends packets to a log: numbers and times as deltas, addresses and
/// ports as they are, the frame's bytes only when `carry_frames`.
class PacketLogWriter {
public:
    PacketLogWriter(std::vector<std::uint8_t>& out, bool carry_frames)
        : out_(out), carry_(carry_frames), used_(out.size()) {}
    PacketLogWriter(const PacketLogWriter&) = delete;
    PacketLogWriter& operator=(const PacketLogWriter&) = delete;
    /// Cuts the log to what was written (it grows in steps ahead of it).
    ~PacketLogWriter() { out_.resize(used_); }

    /// Makes room for about `bytes` more without moving the log again.
    void reserve(std::size_t bytes) { out_.reserve(used_ + bytes); }

    /// Appends `p`, whose frame number within its part is `number` (increasing).
    void add(const CapturePacket& p, std::uint64_t number) {
        const bool v6 = !p.src.is_v4();
        const std::size_t frame = carry_ ? p.frame.bytes.size : 0;
        const std::size_t need = 2 + 5 * bits::max_varint_bytes + 2 * (v6 ? 16 : 4) + 4 + 8 + 3 * 5 + frame + 8;
        if (out_.size() - used_ < need) out_.resize(std::max(out_.size() + (std::size_t{256} << 10), used_ + need));
        std::uint8_t* o = out_.data() + used_;
        std::uint8_t head = v6 ? head_v6 : 0;
        if (p.protocol != link_) head |= head_link;
        if (p.tcp.interface_id != 0) head |= head_interface;
        if (p.tcp.vlan != 0) head |= head_vlan;
        *o++ = head;
        *o++ = p.tcp.flags;
        o = bits::write_varint(o, number - number_);
        if (head & head_link) o = bits::write_varint(o, static_cast<std::uint16_t>(p.protocol));
        if (head & head_interface) o = bits::write_varint(o, p.tcp.interface_id);
        if (head & head_vlan) o = bits::write_varint(o, p.tcp.vlan);
        const std::size_t width = v6 ? 16 : 4;
        std::memcpy(o, p.src.data(), width);
        std::memcpy(o + width, p.dst.data(), width);
        o += 2 * width;
        std::memcpy(o, &p.srcport, 2);
        std::memcpy(o + 2, &p.dstport, 2);
        o += 4;
        o = bits::write_varint(o, zigzag(p.timestamp.sec - sec_));
        o = bits::write_varint(o, p.timestamp.nsec);
        std::memcpy(o, &p.tcp.seq, 4);
        std::memcpy(o + 4, &p.tcp.ack_number, 4);
        o += 8;
        o = bits::write_varint(o, p.tcp.payload_size);
        o = bits::write_varint(o, p.frame.wirelen);
        o = bits::write_varint(o, p.frame.bytes.size);
        if (carry_) o = bits::write_varint(o, p.tcp.payload_offset);  // streams are followed from the frame
        if (frame != 0) {
            std::memcpy(o, p.frame.bytes.data, frame);
            o += frame;
        }
        used_ = static_cast<std::size_t>(o - out_.data());
        number_ = number;
        sec_ = p.timestamp.sec;
        link_ = p.protocol;
    }

    /// Appends the fragment frame `r` (its number within its part `number`),
    /// always with its bytes: the fragments are joined when the log is replayed.
    void add_fragment(const io::Record& r, std::uint64_t number) {
        const std::size_t frame = r.frame.bytes.size;
        const std::size_t need = 1 + 7 * bits::max_varint_bytes + frame + 8;
        if (out_.size() - used_ < need) out_.resize(std::max(out_.size() + (std::size_t{256} << 10), used_ + need));
        std::uint8_t* o = out_.data() + used_;
        std::uint8_t head = head_fragment;
        if (r.linktype != link_) head |= head_link;
        if (r.interface_id != 0) head |= head_interface;
        *o++ = head;
        o = bits::write_varint(o, number - number_);
        if (head & head_link) o = bits::write_varint(o, static_cast<std::uint16_t>(r.linktype));
        if (head & head_interface) o = bits::write_varint(o, r.interface_id);
        o = bits::write_varint(o, zigzag(r.frame.timestamp.sec - sec_));
        o = bits::write_varint(o, r.frame.timestamp.nsec);
        o = bits::write_varint(o, r.frame.wirelen);
        o = bits::write_varint(o, frame);
        if (frame != 0) {
            std::memcpy(o, r.frame.bytes.data, frame);
            o += frame;
        }
        used_ = static_cast<std::size_t>(o - out_.data());
        number_ = number;
        sec_ = r.frame.timestamp.sec;
        link_ = r.linktype;
    }

private:
    std::vector<std::uint8_t>& out_;
    bool carry_;
    std::size_t used_;
    std::uint64_t number_ = 0;
    std::int64_t sec_ = 0;
    LinkType link_ = LinkType::ethernet;
};

/// Reads a log back, packet by packet, as the writer was given them (frame
/// bytes empty unless carried: then views into the log).
class PacketLogReader {
public:
    PacketLogReader(const std::uint8_t* data, std::size_t size, bool carried)
        : p_(data), end_(data + size), carried_(carried) {}

    /// The next packet into `out`, its number `base` + its number in the part;
    /// false at the end. The log must be whole (checked before: a checksum).
    bool next(CapturePacket& out, std::uint64_t base) {
        if (p_ >= end_) return false;
        if (end_ - p_ < static_cast<std::ptrdiff_t>(max_fixed) && !in_tail_) {
            // The last bytes, copied where reading a whole record's fields stays in bounds.
            const auto n = static_cast<std::size_t>(end_ - p_);
            std::memcpy(tail_, p_, n);
            p_ = tail_;
            end_ = tail_ + n;
            in_tail_ = true;
        }
        const std::uint8_t head = *p_++;
        fragment_ = (head & head_fragment) != 0;
        const std::uint8_t flags = fragment_ ? 0 : *p_++;
        number_ += bits::read_varint(p_);
        if (head & head_link) link_ = static_cast<LinkType>(bits::read_varint(p_));
        out.protocol = link_;
        out.index = base + number_;
        out.tcp.interface_id = (head & head_interface) ? static_cast<std::uint32_t>(bits::read_varint(p_)) : 0;
        if (fragment_) return read_fragment(out);
        out.tcp.vlan = (head & head_vlan) ? static_cast<std::uint16_t>(bits::read_varint(p_)) : 0;
        if (head & head_v6) {
            out.src.assign_v6(p_);
            out.dst.assign_v6(p_ + 16);
            p_ += 32;
        } else {
            out.src.assign_v4(p_);
            out.dst.assign_v4(p_ + 4);
            p_ += 8;
        }
        std::memcpy(&out.srcport, p_, 2);
        std::memcpy(&out.dstport, p_ + 2, 2);
        p_ += 4;
        sec_ += unzigzag(bits::read_varint(p_));
        out.timestamp.sec = sec_;
        out.timestamp.nsec = static_cast<std::uint32_t>(bits::read_varint(p_));
        std::memcpy(&out.tcp.seq, p_, 4);
        std::memcpy(&out.tcp.ack_number, p_ + 4, 4);
        p_ += 8;
        out.tcp.payload_size = static_cast<std::uint32_t>(bits::read_varint(p_));
        out.frame.wirelen = static_cast<std::uint32_t>(bits::read_varint(p_));
        const auto caplen = static_cast<std::size_t>(bits::read_varint(p_));
        out.tcp.payload_offset = carried_ ? static_cast<std::uint32_t>(bits::read_varint(p_)) : 0;
        out.frame.timestamp = out.timestamp;
        if (p_ > end_ || (carried_ && caplen > static_cast<std::size_t>(end_ - p_)))
            throw Error("a part's packet log is damaged");
        if (carried_) {
            out.frame.bytes = ByteView(p_, caplen);
            p_ += caplen;
        } else {
            out.frame.bytes = ByteView(nullptr, 0);
        }
        out.tcp.flags = flags;
        out.syn = (flags & 0x02) != 0;
        out.fin = (flags & 0x01) != 0;
        out.tcp.rst = (flags & 0x04) != 0;
        out.tcp.ack = (flags & 0x10) != 0;
        return true;
    }

    /// True when the record next() gave is an IP fragment's (add_fragment()):
    /// only its link type, number, interface and frame are set.
    [[nodiscard]] bool fragment() const noexcept { return fragment_; }

private:
    bool read_fragment(CapturePacket& out) {
        sec_ += unzigzag(bits::read_varint(p_));
        out.frame.timestamp.sec = sec_;
        out.frame.timestamp.nsec = static_cast<std::uint32_t>(bits::read_varint(p_));
        out.timestamp = out.frame.timestamp;
        out.frame.wirelen = static_cast<std::uint32_t>(bits::read_varint(p_));
        const auto caplen = static_cast<std::size_t>(bits::read_varint(p_));
        if (p_ > end_ || caplen > static_cast<std::size_t>(end_ - p_)) throw Error("a part's packet log is damaged");
        out.frame.bytes = ByteView(p_, caplen);
        p_ += caplen;
        return true;
    }

    // Most bytes a packet's fields (all but its frame) can take.
    static constexpr std::size_t max_fixed = 2 + 7 * bits::max_varint_bytes + 32 + 4 + 8;

    const std::uint8_t* p_;
    const std::uint8_t* end_;
    bool carried_;
    bool in_tail_ = false;
    bool fragment_ = false;
    std::uint8_t tail_[2 * max_fixed] = {};
    std::uint64_t number_ = 0;
    std::int64_t sec_ = 0;
    LinkType link_ = LinkType::ethernet;
};

}  // namespace detail::parts
TRACEFLOW_NAMESPACE_END

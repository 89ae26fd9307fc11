// SPDX-License-Identifier: MIT
// The packet concept: TraceFlow reads a caller's packet type through packet_traits, required fields checked, optional ones detected.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "../../byte_view.hpp"
#include "../../frame.hpp"
#include "../../link_type.hpp"
#include "../../traits/address_traits.hpp"
#include "../../traits/frame_traits.hpp"
#include "../../traits/packet_traits.hpp"
#include "../../traits/timestamp_traits.hpp"
#include "../values/time_conversion.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::meta {

// What packet_traits<P> gives: a required field must be readable, an
// optional one is used when it is (else its default below).
#define TRACEFLOW_DETAIL_HAS_FIELD(name)    \
    template <typename P, typename = void>  \
    struct has_##name : std::false_type {}; \
    template <typename P>                   \
    struct has_##name<P, std::void_t<decltype(packet_traits<P>::name(std::declval<const P&>()))>> : std::true_type {};
#define TRACEFLOW_DETAIL_HAS_OPTIONAL(name) \
    TRACEFLOW_DETAIL_HAS_FIELD(name)        \
    template <typename P>                   \
    inline constexpr bool packet_has_##name = has_##name<P>::value;

TRACEFLOW_DETAIL_HAS_FIELD(protocol)
TRACEFLOW_DETAIL_HAS_FIELD(index)
TRACEFLOW_DETAIL_HAS_FIELD(frame)
TRACEFLOW_DETAIL_HAS_FIELD(syn)
TRACEFLOW_DETAIL_HAS_FIELD(fin)
TRACEFLOW_DETAIL_HAS_FIELD(src)
TRACEFLOW_DETAIL_HAS_FIELD(dst)
TRACEFLOW_DETAIL_HAS_FIELD(srcport)
TRACEFLOW_DETAIL_HAS_FIELD(dstport)
TRACEFLOW_DETAIL_HAS_FIELD(timestamp)
TRACEFLOW_DETAIL_HAS_OPTIONAL(rst)
TRACEFLOW_DETAIL_HAS_OPTIONAL(ack)
TRACEFLOW_DETAIL_HAS_OPTIONAL(seq)
TRACEFLOW_DETAIL_HAS_OPTIONAL(payload_size)
TRACEFLOW_DETAIL_HAS_OPTIONAL(vlan)
TRACEFLOW_DETAIL_HAS_OPTIONAL(interface_id)
TRACEFLOW_DETAIL_HAS_OPTIONAL(payload)
TRACEFLOW_DETAIL_HAS_OPTIONAL(payload_offset)

#undef TRACEFLOW_DETAIL_HAS_OPTIONAL
#undef TRACEFLOW_DETAIL_HAS_FIELD

/// Whether `P` has the ten fields of pcapkit's Packet (types are checked by check_packet).
template <typename P>
inline constexpr bool has_packet_fields =
    has_protocol<P>::value&& has_index<P>::value&& has_frame<P>::value&& has_syn<P>::value&& has_fin<P>::value&&
        has_src<P>::value&& has_dst<P>::value&& has_srcport<P>::value&& has_dstport<P>::value&& has_timestamp<P>::value;

/// The type packet_traits<P> gives a field as, without reference or const/volatile.
#define TRACEFLOW_DETAIL_MEMBER_TYPE(P, name) \
    std::remove_cv_t<std::remove_reference_t<decltype(packet_traits<P>::name(std::declval<const P&>()))>>

template <typename P, typename = void>
struct packet_address {
    using type = IpAddress;  // only reached when `src` is missing; check_packet reports that
};
template <typename P>
struct packet_address<P, std::void_t<decltype(packet_traits<P>::src(std::declval<const P&>()))>> {
    using type = typename address_traits<TRACEFLOW_DETAIL_MEMBER_TYPE(P, src)>::key_type;
};

template <typename T>
inline constexpr bool is_flag_v = std::is_same_v<T, bool> || std::is_integral_v<T>;

/// Checks the packet concept with one readable message per problem; true
/// when `P` can be traced. TraceFlow<P> static_asserts it first thing.
template <typename P>
constexpr bool check_packet() {
    static_assert(has_protocol<P>::value,
                  "traceflow: the packet type needs a member `protocol` (or a member function protocol(), or "
                  "traceflow::packet_traits<P>::protocol: the data-link type: traceflow::LinkType "
                  "or an integer LINKTYPE_ value)");
    static_assert(has_index<P>::value,
                  "traceflow: the packet type needs a member `index` (or a member function index(), or "
                  "traceflow::packet_traits<P>::index: the frame number, an integer)");
    static_assert(has_frame<P>::value,
                  "traceflow: the packet type needs a member `frame` (or a member function frame(), or "
                  "traceflow::packet_traits<P>::frame: the captured bytes: Frame, FrameView, a "
                  "byte container, or a type with a traceflow::frame_traits specialisation)");
    static_assert(has_syn<P>::value,
                  "traceflow: the packet type needs a member `syn` (or a member function syn(), or "
                  "traceflow::packet_traits<P>::syn: the SYN flag, bool)");
    static_assert(has_fin<P>::value,
                  "traceflow: the packet type needs a member `fin` (or a member function fin(), or "
                  "traceflow::packet_traits<P>::fin: the FIN flag, bool)");
    static_assert(has_src<P>::value,
                  "traceflow: the packet type needs a member `src` (or a member function src(), or "
                  "traceflow::packet_traits<P>::src: the source address: IpAddress, text, a 4- or "
                  "16-byte std::array, or a type with a traceflow::address_traits specialisation)");
    static_assert(has_dst<P>::value,
                  "traceflow: the packet type needs a member `dst` (or a member function dst(), or "
                  "traceflow::packet_traits<P>::dst: the destination address, of the same type "
                  "as `src`)");
    static_assert(has_srcport<P>::value,
                  "traceflow: the packet type needs a member `srcport` (or a member function srcport(), or "
                  "traceflow::packet_traits<P>::srcport: the TCP source port, an integer)");
    static_assert(has_dstport<P>::value,
                  "traceflow: the packet type needs a member `dstport` (or a member function dstport(), or "
                  "traceflow::packet_traits<P>::dstport: the TCP destination port, an integer)");
    static_assert(has_timestamp<P>::value,
                  "traceflow: the packet type needs a member `timestamp` (or a member function timestamp(), or "
                  "traceflow::packet_traits<P>::timestamp: the capture time: Timestamp, double "
                  "seconds, a std::chrono duration or system_clock time_point)");
    if constexpr (has_packet_fields<P>) {
        static_assert(std::is_same_v<TRACEFLOW_DETAIL_MEMBER_TYPE(P, src), TRACEFLOW_DETAIL_MEMBER_TYPE(P, dst)>,
                      "traceflow: the packet's `src` and `dst` must have the same type");
        static_assert(std::is_integral_v<TRACEFLOW_DETAIL_MEMBER_TYPE(P, srcport)> &&
                          std::is_integral_v<TRACEFLOW_DETAIL_MEMBER_TYPE(P, dstport)>,
                      "traceflow: the packet's `srcport` and `dstport` must be integers");
        static_assert(std::is_integral_v<TRACEFLOW_DETAIL_MEMBER_TYPE(P, index)>,
                      "traceflow: the packet's `index` must be an integer");
        static_assert(
            is_flag_v<TRACEFLOW_DETAIL_MEMBER_TYPE(P, syn)> && is_flag_v<TRACEFLOW_DETAIL_MEMBER_TYPE(P, fin)>,
            "traceflow: the packet's `syn` and `fin` must be bool");
    }
    if constexpr (has_ack<P>::value) {
        static_assert(std::is_same_v<TRACEFLOW_DETAIL_MEMBER_TYPE(P, ack), bool>,
                      "traceflow: a packet member `ack` must be the ACK flag (bool); name the acknowledgement "
                      "number `ack_number` (or give packet_traits<P>::ack)");
    }
    return has_packet_fields<P>;
}

template <typename P>
struct checked_packet_address {
    static_assert(check_packet<P>(), "traceflow: TraceFlow<P> needs a packet type (see packet.hpp)");
    using type = typename packet_address<P>::type;
};

/// The address type flow keys store for packets of type `P` (the packet's own
/// address type, or its owning form: std::string for std::string_view). Naming
/// it checks the packet concept first, so TraceFlow<P> reports a missing field
/// before anything else.
template <typename P>
using packet_address_t = typename checked_packet_address<P>::type;

// --- Required fields ---------------------------------------------------

/// The packet's capture time as a Timestamp.
template <typename P>
[[nodiscard]] Timestamp packet_time(const P& p) {
    return timestamp_traits<TRACEFLOW_DETAIL_MEMBER_TYPE(P, timestamp)>::to_timestamp(packet_traits<P>::timestamp(p));
}

/// Appends the label's time text: Python's repr of the packet's time as a
/// float (for a double timestamp, of that very double).
template <typename P>
void packet_label_time(const P& p, std::string& out) {
    values::append_label_time(out, packet_traits<P>::timestamp(p));
}

/// The source address as flow keys store it.
template <typename P>
[[nodiscard]] decltype(auto) packet_src(const P& p) {
    using traits = address_traits<TRACEFLOW_DETAIL_MEMBER_TYPE(P, src)>;
    // A trait that makes the address (returns it by value) gives a key by value, never one into a temporary.
    if constexpr (std::is_reference_v<decltype(packet_traits<P>::src(p))>)
        return traits::to_key(packet_traits<P>::src(p));
    else
        return typename traits::key_type(traits::to_key(packet_traits<P>::src(p)));
}

/// The destination address as flow keys store it.
template <typename P>
[[nodiscard]] decltype(auto) packet_dst(const P& p) {
    using traits = address_traits<TRACEFLOW_DETAIL_MEMBER_TYPE(P, dst)>;
    // A trait that makes the address (returns it by value) gives a key by value, never one into a temporary.
    if constexpr (std::is_reference_v<decltype(packet_traits<P>::dst(p))>)
        return traits::to_key(packet_traits<P>::dst(p));
    else
        return typename traits::key_type(traits::to_key(packet_traits<P>::dst(p)));
}

/// The data-link type (`protocol` may be LinkType, another enum, or an integer).
template <typename P>
[[nodiscard]] LinkType packet_protocol(const P& p) noexcept {
    using T = TRACEFLOW_DETAIL_MEMBER_TYPE(P, protocol);
    const T protocol = packet_traits<P>::protocol(p);
    if constexpr (std::is_same_v<T, LinkType>) {
        return protocol;
    } else if constexpr (std::is_enum_v<T>) {
        return static_cast<LinkType>(static_cast<std::uint32_t>(static_cast<std::underlying_type_t<T>>(protocol)));
    } else {
        static_assert(std::is_integral_v<T>, "traceflow: the packet's `protocol` must be LinkType or an integer");
        return static_cast<LinkType>(static_cast<std::uint32_t>(protocol));
    }
}

/// The SYN flag.
template <typename P>
[[nodiscard]] constexpr bool packet_syn(const P& p) noexcept {
    return static_cast<bool>(packet_traits<P>::syn(p));
}

/// The FIN flag.
template <typename P>
[[nodiscard]] constexpr bool packet_fin(const P& p) noexcept {
    return static_cast<bool>(packet_traits<P>::fin(p));
}

/// The frame number (`index` may be any integer type).
template <typename P>
[[nodiscard]] constexpr std::uint64_t packet_index(const P& p) noexcept {
    return static_cast<std::uint64_t>(packet_traits<P>::index(p));
}

/// The TCP source port (`srcport` may be any integer type).
template <typename P>
[[nodiscard]] constexpr std::uint16_t packet_srcport(const P& p) noexcept {
    return static_cast<std::uint16_t>(packet_traits<P>::srcport(p));
}

/// The TCP destination port.
template <typename P>
[[nodiscard]] constexpr std::uint16_t packet_dstport(const P& p) noexcept {
    return static_cast<std::uint16_t>(packet_traits<P>::dstport(p));
}

/// The packet's key as a `Key` (BufferID): (src, srcport, dst, dstport), or
/// with `reversed` as the other side sends it.
template <typename Key, typename P>
[[nodiscard]] Key packet_id(const P& p, bool reversed) {
    return reversed ? Key{packet_dst(p), packet_dstport(p), packet_src(p), packet_srcport(p)}
                    : Key{packet_src(p), packet_srcport(p), packet_dst(p), packet_dstport(p)};
}

/// The captured bytes of the packet's frame.
template <typename P>
[[nodiscard]] ByteView packet_bytes(const P& p) {
    return frame_traits<TRACEFLOW_DETAIL_MEMBER_TYPE(P, frame)>::bytes(packet_traits<P>::frame(p));
}

/// The frame's length on the wire.
template <typename P>
[[nodiscard]] std::uint32_t packet_wirelen(const P& p) {
    return frame_traits<TRACEFLOW_DETAIL_MEMBER_TYPE(P, frame)>::wirelen(packet_traits<P>::frame(p));
}

// --- Optional fields: a default when absent (see packet_has_*) -----------

#define TRACEFLOW_DETAIL_OPTIONAL_READ(name, type, fallback) \
    if constexpr (has_##name<P>::value) {                    \
        return static_cast<type>(packet_traits<P>::name(p)); \
    } else {                                                 \
        (void)p;                                             \
        return fallback;                                     \
    }

/// The RST flag; false when the packet type has none (packet_has_rst).
template <typename P>
[[nodiscard]] constexpr bool packet_rst(const P& p) noexcept {
    TRACEFLOW_DETAIL_OPTIONAL_READ(rst, bool, false)
}

/// The ACK flag; false when the packet type has none (packet_has_ack).
template <typename P>
[[nodiscard]] constexpr bool packet_ack(const P& p) noexcept {
    TRACEFLOW_DETAIL_OPTIONAL_READ(ack, bool, false)
}

/// The sequence number; 0 when the packet type has none (packet_has_seq).
template <typename P>
[[nodiscard]] constexpr std::uint32_t packet_seq(const P& p) noexcept {
    TRACEFLOW_DETAIL_OPTIONAL_READ(seq, std::uint32_t, 0U)
}

/// TCP payload bytes; 0 when the packet type has none (packet_has_payload_size).
template <typename P>
[[nodiscard]] constexpr std::uint32_t packet_payload_size(const P& p) noexcept {
    TRACEFLOW_DETAIL_OPTIONAL_READ(payload_size, std::uint32_t, 0U)
}

/// The VLAN id; 0 when the packet type has none (packet_has_vlan).
template <typename P>
[[nodiscard]] constexpr std::uint32_t packet_vlan(const P& p) noexcept {
    TRACEFLOW_DETAIL_OPTIONAL_READ(vlan, std::uint32_t, 0U)
}

/// The capture interface; 0 when the packet type has none (packet_has_interface_id).
template <typename P>
[[nodiscard]] constexpr std::uint32_t packet_interface(const P& p) noexcept {
    TRACEFLOW_DETAIL_OPTIONAL_READ(interface_id, std::uint32_t, 0U)
}

/// Whether streams of `P` can be followed: it gives `seq` and the payload's bytes (`payload` or `payload_offset`).
template <typename P>
inline constexpr bool packet_has_stream_fields = packet_has_seq<P> &&
                                                 (packet_has_payload<P> || packet_has_payload_offset<P>);

/// The payload bytes of `frame` from `payload_offset`, at most `payload_size` of them.
template <typename P>
[[nodiscard]] ByteView packet_payload_from_offset(const P& p) {
    const auto offset = static_cast<std::size_t>(packet_traits<P>::payload_offset(p));
    if (offset == 0) return {};
    ByteView bytes = packet_bytes(p).subview(offset);
    if constexpr (has_payload_size<P>::value) {
        const auto wire = static_cast<std::size_t>(packet_traits<P>::payload_size(p));
        if (bytes.size > wire) bytes.size = wire;
    }
    return bytes;
}

/// The TCP payload's captured bytes: `payload`, else the frame's bytes from
/// `payload_offset`, at most `payload_size` of them (the rest of a frame is
/// link-layer padding). Empty when the packet type gives neither. A type
/// giving both has its payload read from `payload` when that holds bytes,
/// else from `payload_offset` (CapturePacket: a joined packet's payload is
/// not in its frame).
template <typename P>
[[nodiscard]] ByteView packet_payload(const P& p) {
    if constexpr (has_payload<P>::value) {
        using Bytes = std::decay_t<decltype(packet_traits<P>::payload(p))>;
        const ByteView given = frame_traits<Bytes>::bytes(packet_traits<P>::payload(p));
        if constexpr (has_payload_offset<P>::value) {
            if (given.data == nullptr) return packet_payload_from_offset(p);
        }
        return given;
    } else if constexpr (has_payload_offset<P>::value) {
        return packet_payload_from_offset(p);
    } else {
        (void)p;
        return {};
    }
}

/// The TCP payload's length on the wire: `payload_size`, else the bytes packet_payload() gives.
template <typename P>
[[nodiscard]] std::uint32_t packet_payload_wire(const P& p) {
    if constexpr (has_payload_size<P>::value)
        return static_cast<std::uint32_t>(packet_traits<P>::payload_size(p));
    else
        return static_cast<std::uint32_t>(packet_payload(p).size);
}

#undef TRACEFLOW_DETAIL_OPTIONAL_READ
#undef TRACEFLOW_DETAIL_MEMBER_TYPE

/// Same as packet_has_interface_id.
template <typename P>
inline constexpr bool packet_has_interface = packet_has_interface_id<P>;

}  // namespace detail::meta
TRACEFLOW_NAMESPACE_END

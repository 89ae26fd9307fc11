// SPDX-License-Identifier: MIT
// packet_traits<P>: how TraceFlow reads a packet of a caller's type, customisable like the other traits.
#pragma once

#include "../version.hpp"

#include <type_traits>
#include <utility>

TRACEFLOW_NAMESPACE_BEGIN

namespace detail::meta {
// Reading a field by name: a data member, else a member function of that
// name, else (optional fields) a data member of the packet's `tcp` member.
template <int N>
struct priority : priority<N - 1> {};
template <>
struct priority<0> {};

#define TRACEFLOW_DETAIL_READ_FIELD(name)                                     \
    template <typename P>                                                     \
    constexpr auto read_##name(const P& p, priority<2>)->decltype((p.name)) { \
        return (p.name);                                                      \
    }                                                                         \
    template <typename P>                                                     \
    constexpr auto read_##name(const P& p, priority<1>)->decltype(p.name()) { \
        return p.name();                                                      \
    }
#define TRACEFLOW_DETAIL_READ_OPTIONAL(name)                                      \
    TRACEFLOW_DETAIL_READ_FIELD(name)                                             \
    template <typename P>                                                         \
    constexpr auto read_##name(const P& p, priority<0>)->decltype((p.tcp.name)) { \
        return (p.tcp.name);                                                      \
    }

TRACEFLOW_DETAIL_READ_FIELD(protocol)
TRACEFLOW_DETAIL_READ_FIELD(index)
TRACEFLOW_DETAIL_READ_FIELD(frame)
TRACEFLOW_DETAIL_READ_FIELD(syn)
TRACEFLOW_DETAIL_READ_FIELD(fin)
TRACEFLOW_DETAIL_READ_FIELD(src)
TRACEFLOW_DETAIL_READ_FIELD(dst)
TRACEFLOW_DETAIL_READ_FIELD(srcport)
TRACEFLOW_DETAIL_READ_FIELD(dstport)
TRACEFLOW_DETAIL_READ_FIELD(timestamp)
TRACEFLOW_DETAIL_READ_OPTIONAL(rst)
TRACEFLOW_DETAIL_READ_OPTIONAL(ack)
TRACEFLOW_DETAIL_READ_OPTIONAL(seq)
TRACEFLOW_DETAIL_READ_OPTIONAL(payload_size)
TRACEFLOW_DETAIL_READ_OPTIONAL(vlan)
TRACEFLOW_DETAIL_READ_OPTIONAL(interface_id)
TRACEFLOW_DETAIL_READ_OPTIONAL(payload)
TRACEFLOW_DETAIL_READ_OPTIONAL(payload_offset)

#undef TRACEFLOW_DETAIL_READ_OPTIONAL
#undef TRACEFLOW_DETAIL_READ_FIELD
}  // namespace detail::meta

#define TRACEFLOW_DETAIL_TRAIT(name)                                                                              \
    template <typename Q = P>                                                                                     \
    static constexpr auto name(const Q& p)->decltype(detail::meta::read_##name(p, detail::meta::priority<2>{})) { \
        return detail::meta::read_##name(p, detail::meta::priority<2>{});                                         \
    }

/// How TraceFlow<P> reads a packet of type `P`: static functions named after
/// pcapkit's fields, each taking `const P&`:
/// - required: `protocol` (LinkType or an integer LINKTYPE_ value), `index`
///   (frame number, an integer), `frame` (the bytes: anything frame_traits
///   accepts), `syn`, `fin` (bool), `src`, `dst` (anything address_traits
///   accepts, both of one type), `srcport`, `dstport` (integers),
///   `timestamp` (anything timestamp_traits accepts);
/// - optional, for the tcp lifecycle, statistics and keys: `rst`, `ack`
///   (bool), `seq`, `payload_size`, `vlan`, `interface_id` (integers);
/// - for following streams (StreamFollower): `seq` and either `payload` (the
///   TCP payload's captured bytes: anything frame_traits accepts) or
///   `payload_offset` (where the payload starts in `frame`).
/// This default reads members of those names, or calls member functions of
/// those names (`bool syn() const`), and takes the optional ones from a
/// `tcp` member too (as Packet<> keeps them). For a struct you cannot
/// change, specialise it:
///
/// ```cpp
/// #include <traceflow/trace_flow.hpp>
/// #include <cstdint>
/// #include <string>
///
/// struct Decoded {  // a decoder's struct: its own names, left as it is
///     std::uint64_t number;
///     std::string bytes, from, to;
///     std::uint16_t sport, dport;
///     std::uint8_t flags;
///     double seconds;
/// };
///
/// template <>
/// struct traceflow::packet_traits<Decoded> {
///     static int protocol(const Decoded&) { return 1; }  // LINKTYPE_ETHERNET
///     static std::uint64_t index(const Decoded& d) { return d.number; }
///     static const std::string& frame(const Decoded& d) { return d.bytes; }
///     static bool syn(const Decoded& d) { return (d.flags & 0x02) != 0; }
///     static bool fin(const Decoded& d) { return (d.flags & 0x01) != 0; }
///     static const std::string& src(const Decoded& d) { return d.from; }
///     static const std::string& dst(const Decoded& d) { return d.to; }
///     static std::uint16_t srcport(const Decoded& d) { return d.sport; }
///     static std::uint16_t dstport(const Decoded& d) { return d.dport; }
///     static double timestamp(const Decoded& d) { return d.seconds; }
/// };
///
/// int main() {
///     traceflow::TraceFlow<Decoded> tracer;
///     tracer.dump(Decoded{1, "", "192.0.2.1", "198.51.100.7", 40000, 443, 0x02, 1700000000.5});
///     return tracer.index().size() == 1 ? 0 : 1;
/// }
/// ```
///
/// A specialisation gives every required function and any optional ones.
template <typename P, typename = void>
struct packet_traits {
    TRACEFLOW_DETAIL_TRAIT(protocol)
    TRACEFLOW_DETAIL_TRAIT(index)
    TRACEFLOW_DETAIL_TRAIT(frame)
    TRACEFLOW_DETAIL_TRAIT(syn)
    TRACEFLOW_DETAIL_TRAIT(fin)
    TRACEFLOW_DETAIL_TRAIT(src)
    TRACEFLOW_DETAIL_TRAIT(dst)
    TRACEFLOW_DETAIL_TRAIT(srcport)
    TRACEFLOW_DETAIL_TRAIT(dstport)
    TRACEFLOW_DETAIL_TRAIT(timestamp)
    TRACEFLOW_DETAIL_TRAIT(rst)
    TRACEFLOW_DETAIL_TRAIT(ack)
    TRACEFLOW_DETAIL_TRAIT(seq)
    TRACEFLOW_DETAIL_TRAIT(payload_size)
    TRACEFLOW_DETAIL_TRAIT(vlan)
    TRACEFLOW_DETAIL_TRAIT(interface_id)
    TRACEFLOW_DETAIL_TRAIT(payload)
    TRACEFLOW_DETAIL_TRAIT(payload_offset)
};

#undef TRACEFLOW_DETAIL_TRAIT

TRACEFLOW_NAMESPACE_END

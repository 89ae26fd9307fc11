// SPDX-License-Identifier: MIT
// Test helper: a pcapng capture whose SHB and IDBs carry text options (names, descriptions, ...), in either byte order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "pcapng_writer.hpp"

namespace testutil {

/// An option's value from text (may hold '\0').
inline Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

/// The SHB options metadata_capture() writes first, as (code, value): what readers keep.
inline std::vector<std::pair<std::uint16_t, std::string>> metadata_capture_section() {
    return {{2, "x86_64 test rig"}, {3, "Linux 6.1"}, {4, "dumpcap (traceflow test)"}, {1, "first section"}};
}

/// Per interface, the options readers keep, as (code, value), in file order.
inline std::vector<std::vector<std::pair<std::uint16_t, std::string>>> metadata_capture_interfaces() {
    return {
        {{2, "eth0"},
         {3, "wired uplink"},
         {11, std::string("\0tcp port 80", 12)},
         {12, "Linux 6.1"},
         {15, "Intel i210"},
         {1, "first nic"}},
        {{2, "wlan0"}, {3, "wireless"}},
        {{2, "lo"}},
    };
}

/// The TCP ports of the flows on each interface: eth0 1000<->80, wlan0 2000<->443, lo 3000<->22.
inline std::uint16_t metadata_capture_port(std::size_t interface) {
    static const std::uint16_t ports[] = {1000, 2000, 3000};
    return ports[interface];
}

/// A TCP frame (Ethernet, IPv4) from 10.0.0.<host>:sport to 10.0.0.<host+1>:dport, or back when `reply`.
inline Bytes metadata_capture_frame(std::uint8_t host, std::uint16_t sport, std::uint16_t dport, bool reply) {
    const Bytes a{10, 0, 0, host};
    const Bytes b{10, 0, 0, static_cast<std::uint8_t>(host + 1)};
    return reply ? ethernet(0x0800, ipv4(6, tcp(dport, sport, 0x12), 5, 0, b, a))
                 : ethernet(0x0800, ipv4(6, tcp(sport, dport, 0x02), 5, 0, a, b));
}

/// Section 1 (options above plus ones readers drop: a custom option), IDBs
/// eth0 (µs, if_tsoffset, if_speed, dropped) and wlan0 (ns, a BPF if_filter,
/// dropped), two packets each way on each; then section 2 (other options,
/// ignored) with IDB lo and two packets. Every option length that needs padding is there.
inline Bytes metadata_capture(bool big_endian) {
    PcapngWriter w;
    w.epb_comment = false;
    Bytes shb_options;
    for (const auto& [code, value] : metadata_capture_section()) {
        const Bytes o = PcapngWriter::option(code, text_bytes(value), big_endian);
        shb_options.insert(shb_options.end(), o.begin(), o.end());
    }
    const Bytes custom = PcapngWriter::option(2988, {0, 0, 0x7f, 0xfe, 'x'}, big_endian);
    shb_options.insert(shb_options.end(), custom.begin(), custom.end());
    w.shb(big_endian, 1, shb_options);

    const auto interfaces = metadata_capture_interfaces();
    const auto options_of = [&](std::size_t i, const std::vector<Bytes>& extra) {
        Bytes out;
        for (const auto& [code, value] : interfaces[i]) {
            const Bytes o = w.option(code, text_bytes(value));
            out.insert(out.end(), o.begin(), o.end());
        }
        for (const Bytes& o : extra) out.insert(out.end(), o.begin(), o.end());
        return out;
    };
    Bytes speed(8, 0);
    speed[big_endian ? 7 : 0] = 100;
    w.idb(1, 65535, options_of(0, {w.option(9, {6}), w.tsoffset(0), w.option(8, speed)}));
    w.idb(1, 1500, options_of(1, {w.option(9, {9}), w.option(11, {1, 0x28, 0, 0, 0, 0, 0, 0, 0x0c})}));
    // eth0 counts µs, wlan0 ns.
    w.epb(0, 1'700'000'000'000'001ull, metadata_capture_frame(1, 1000, 80, false));
    w.epb(1, 1'700'000'000'000'000'002ull, metadata_capture_frame(3, 2000, 443, false));
    w.epb(0, 1'700'000'000'000'003ull, metadata_capture_frame(1, 1000, 80, true));
    w.epb(1, 1'700'000'000'000'000'004ull, metadata_capture_frame(3, 2000, 443, true));

    w.shb(big_endian, 1, PcapngWriter::option(2, text_bytes("other hardware"), big_endian));
    w.idb(1, 262144, options_of(2, {}));
    w.epb(0, 1'700'000'000'000'005ull, metadata_capture_frame(5, 3000, 22, false));
    w.epb(0, 1'700'000'000'000'006ull, metadata_capture_frame(5, 3000, 22, true));
    return w.bytes;
}

}  // namespace testutil

// SPDX-License-Identifier: MIT
// Hints on stderr for a run that found no TCP where the captures hold some:
// TCP hidden inside VXLAN, Geneve, GRE or GTP-U tunnels (try --decap).
#pragma once

#include <traceflow/traceflow.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "listing.hpp"
#include "options.hpp"
#include "process.hpp"

namespace cli {

/// Frames of tunnels (VXLAN, Geneve, GRE, GTP-U), as --decap decodes them.
struct TunnelCount {
    std::uint64_t tunnels = 0;     ///< frames that are tunnels, TCP inside or not
    std::uint64_t tcp_inside = 0;  ///< of them, frames with TCP inside
};

/// Decodes the first `frames` frames of the regular files among `inputs`
/// (not standard input or pipes: they cannot be read twice) as --decap would,
/// and counts the tunnels. Inputs that cannot be read are left out quietly:
/// the run has reported them.
inline TunnelCount count_tunnels(const std::vector<std::string>& inputs, std::uint64_t frames) {
    using traceflow::decode::Outcome;
    TunnelCount count;
    std::uint64_t read = 0;
    traceflow::decode::DecodeOptions decap;
    decap.decap = true;
    for (const std::string& path : inputs) {
        std::error_code ec;
        if (path == "-" || !std::filesystem::is_regular_file(path, ec)) continue;
        try {
            traceflow::io::CaptureReader reader(path);
            traceflow::io::Record record;
            traceflow::decode::TcpSegment seg;
            while (read < frames && !stop_reading && reader.next(record)) {
                ++read;
                switch (traceflow::decode::decode_tcp(record.linktype, record.frame.bytes, seg, decap)) {
                    case Outcome::tcp:  // no TCP outside tunnels (the caller checks): this is inside one
                        ++count.tcp_inside;
                        ++count.tunnels;
                        break;
                    case Outcome::vxlan_not_tcp:
                    case Outcome::vxlan_malformed:
                    case Outcome::geneve_not_tcp:
                    case Outcome::geneve_malformed:
                    case Outcome::gre_not_tcp:
                    case Outcome::gre_malformed:
                    case Outcome::gtp_not_tcp:
                    case Outcome::gtp_malformed: ++count.tunnels; break;
                    default: break;
                }
            }
        } catch (const traceflow::Error&) {}
    }
    return count;
}

/// A run without --decap that traced no TCP frame at all, over captures
/// whose tunnels hold TCP: says so on stderr, also under -q, and suggests
/// --decap. The captures are read a second time only then (no TCP frame, some
/// frames not TCP), up to the frames the run read.
inline void hint_tunnels(const Options& options, const traceflow::ExtractStats& stats) {
    if (options.decap || options.command != Command::run || stop_signal != 0) return;
    if (stats.tcp_frames != 0 || stats.count(traceflow::decode::Outcome::not_tcp) == 0) return;
    const TunnelCount count = count_tunnels(options.inputs, stats.frames);
    if (count.tcp_inside == 0) return;  // --decap would find no TCP either
    std::fprintf(stderr,
                 "traceflow: warning: %s %s (%llu with TCP inside) and no "
                 "TCP was found outside them: try --decap\n",
                 count_of(count.tunnels, "frame").c_str(),
                 count.tunnels == 1 ? "is a VXLAN/Geneve/GRE tunnel" : "are VXLAN/Geneve/GRE tunnels",
                 static_cast<unsigned long long>(count.tcp_inside));
}

}  // namespace cli

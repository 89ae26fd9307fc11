// SPDX-License-Identifier: MIT
// TcpFacts: the TCP facts a flow remembers to derive its history and conn_state.
#pragma once

#include "../../version.hpp"

#include <array>
#include <cstdint>
#include <string>

#include "../../flow_stats.hpp"
#include "../../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// The TCP facts a flow remembers to derive history and conn_state.
struct TcpFacts {
    std::uint16_t seen = 0;  // bit per history letter and direction

    enum Letter : int { syn = 0, synack, ack, data, fin, rst, letters };

    [[nodiscard]] static std::uint16_t bit(Letter letter, int dir) noexcept {
        return static_cast<std::uint16_t>(1u << (letter * 2 + dir));
    }
    [[nodiscard]] bool has(Letter letter, int dir) const noexcept { return (seen & bit(letter, dir)) != 0; }

    /// Records one packet; `append(char)` gets the history letters seen for
    /// the first time (each letter once per direction: 12 at most).
    template <typename Append>
    void add(int dir, bool syn_flag, bool ack_flag, bool fin_flag, bool rst_flag, bool has_payload, Append&& append) {
        static constexpr char names[letters][2] = {{'S', 's'}, {'H', 'h'}, {'A', 'a'},
                                                   {'D', 'd'}, {'F', 'f'}, {'R', 'r'}};
        const auto mark = [&](Letter letter) {
            if (has(letter, dir)) return;
            seen = static_cast<std::uint16_t>(seen | bit(letter, dir));
            append(names[letter][dir]);
        };
        if (syn_flag) mark(ack_flag ? synack : syn);
        if (rst_flag) mark(rst);
        if (fin_flag) mark(fin);
        if (has_payload)
            mark(data);
        else if (ack_flag && !syn_flag && !fin_flag && !rst_flag)
            mark(ack);
    }

    /// Zeek's conn_state from what was seen (0 = originator, 1 = responder).
    [[nodiscard]] const char* conn_state() const noexcept {
        const bool s = has(syn, 0);
        const bool h = has(synack, 1);
        const bool orig_fin = has(fin, 0);
        const bool resp_fin = has(fin, 1);
        const bool orig_rst = has(rst, 0);
        const bool resp_rst = has(rst, 1);
        const bool established = s && h;
        if (!s && !h) return "OTH";
        if (orig_rst || resp_rst) {
            if (!established) {
                if (s && !h && resp_rst) return "REJ";
                if (s && !h && orig_rst) return "RSTOS0";
                if (!s && h && resp_rst) return "RSTRH";
            }
            return orig_rst ? "RSTO" : "RSTR";
        }
        if (!established) {
            if (s && orig_fin) return "SH";
            if (h && resp_fin) return "SHR";
            return s ? "S0" : "OTH";
        }
        if (orig_fin && resp_fin) return "SF";
        if (orig_fin) return "S2";
        if (resp_fin) return "S3";
        return "S1";
    }
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END

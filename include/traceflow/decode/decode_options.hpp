// SPDX-License-Identifier: MIT
// DecodeOptions: what the decoder may do beyond pcapkit's view of a frame.
#pragma once

#include "../version.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

/// Choices of decode_tcp() and of the feeds around it; the defaults decode as
/// pcapkit does, except that IP fragments are joined (pcapkit traces a first
/// fragment alone and feeds the others as TCP with garbage ports).
struct DecodeOptions {
    bool decap = false;  ///< unwrap VXLAN (UDP 4789), Geneve (UDP 6081), GRE and GTP-U (UDP 2152) to the inner TCP
    /// The feeds (feed(), feed_threaded(), feed_parallel(), replay_parts())
    /// join IPv4 and IPv6 fragments before decoding TCP (FragmentJoiner);
    /// off: a first fragment is traced alone, the others counted as `fragment`.
    bool join_fragments = true;
    /// Capture time after a packet's first fragment when its missing fragments are given up.
    long long fragment_timeout_ns = 30'000'000'000LL;
    /// Most bytes of fragments held at once; beyond it the oldest packets are given up.
    unsigned long long fragment_memory = 64ULL << 20;
};

}  // namespace decode
TRACEFLOW_NAMESPACE_END

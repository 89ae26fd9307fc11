// SPDX-License-Identifier: MIT
// describe(): the headers of one frame as named text fields, for human-readable dumps.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../byte_view.hpp"
#include "../detail/layers/describe_text.hpp"
#include "../ip_address.hpp"
#include "../link_type.hpp"
#include "decoder.hpp"
#include "layer.hpp"
#include "outcome.hpp"
#include "tcp_segment.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace decode {

/// The headers of `frame` as decode_tcp() walks them, each as a named layer
/// of text fields, e.g. Ethernet, IPv4, TCP. When the walk stops short of
/// TCP, a last "Undecoded" layer gives the outcome and the bytes left.
/// For per-frame dumps; allocates, unlike decode_tcp(). With
/// `options.decap`, the tunnel headers and the inner frame's follow.
[[nodiscard]] inline std::vector<Layer> describe(LinkType link, ByteView frame, const DecodeOptions& options = {}) {
    detail::layers::RecordingVisitor visit;
    TcpSegment segment;
    const Outcome outcome = detail::layers::walk(link, frame, segment, visit, options);
    std::vector<Layer> layers;
    layers.reserve(visit.headers.size() + 1);
    std::size_t end = 0;
    for (const detail::layers::VisitedHeader& header : visit.headers) {
        layers.push_back(detail::layers::describe_header(header, frame, segment));
        end = header.offset + header.size;
    }
    if (outcome != Outcome::tcp) {
        layers.push_back(
            {"Undecoded", {{"outcome", to_string(outcome)}, detail::layers::number_field("length", frame.size - end)}});
    }
    return layers;
}

}  // namespace decode
TRACEFLOW_NAMESPACE_END

// SPDX-License-Identifier: MIT
// extract: read capture files, decode every frame, trace the TCP ones
// (pcapkit's `extract(fin=..., tcp=True, trace=True)`).
#pragma once

#include "../version.hpp"

#include <string>
#include <utility>
#include <vector>

#include "../index.hpp"
#include "../options.hpp"
#include "../output/file_output.hpp"  // extract() writes flows to files
#include "../trace_flow.hpp"
#include "capture_packet.hpp"
#include "extract_stats.hpp"
#include "feed.hpp"
#include "feed_options.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// The result of extract(): every flow and the frame counts.
struct ExtractResult {
    std::vector<Index> index;
    ExtractStats stats;
    FeedStatus status = FeedStatus::complete;  ///< stopped when FeedOptions::stop ended reading
};

/// Traces every TCP frame of `inputs`, in order, into one tracer and returns
/// its index (in the `tcp` lifecycle every flow is ended first, so each
/// carries its end reason). Throws FormatError / IoError unless
/// `feed_options.on_error` takes them (use feed() to keep the flows traced
/// before a thrown error).
inline ExtractResult extract(const std::vector<std::string>& inputs, TraceFlowOptions options,
                             const FeedOptions& feed_options) {
    ExtractResult result;
    TraceFlow<CapturePacket> tracer(std::move(options));
    result.status = feed(inputs, tracer, result.stats, feed_options);
    if (tracer.options().lifecycle == Lifecycle::tcp) tracer.end_of_input();
    tracer.finish();
    result.index = tracer.index();
    return result;
}

/// Same, throwing at the first error.
inline ExtractResult extract(const std::vector<std::string>& inputs, TraceFlowOptions options = {}) {
    return extract(inputs, std::move(options), FeedOptions{});
}

TRACEFLOW_NAMESPACE_END

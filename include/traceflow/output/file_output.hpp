// SPDX-License-Identifier: MIT
// Writing flows to files: include this (or <traceflow/traceflow.hpp>) where a tracer is given an output folder.
#pragma once

#include "../version.hpp"

#include "../detail/output/file_output.hpp"
#include "../detail/output/flow_output.hpp"
#include "process_registry.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Lets tracers write flows to files (TraceFlowOptions::fout) in every
/// program that includes this header. <traceflow/trace_flow.hpp> alone does
/// not compile the file machinery (folders, name templates, formats, the
/// open-file cache), so that tracing is cheap to compile; a tracer given an
/// output folder then throws std::logic_error naming this header.
///
/// ```cpp
/// #include <traceflow/output/file_output.hpp>
/// #include <traceflow/trace_flow.hpp>
/// traceflow::TraceFlowOptions options;
/// options.fout = "flows";
/// traceflow::TraceFlow<> tracer(options);  // one .pcap per flow under flows/
/// ```
inline const bool file_output_enabled = [] {
    detail::output::file_output_factory = &detail::output::FileOutput::make;
    return true;
}();

TRACEFLOW_NAMESPACE_END

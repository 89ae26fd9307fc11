// SPDX-License-Identifier: MIT
// compile_filter: tcpdump filter text (a pcap-filter(7) subset) to a Program.
#pragma once

#include "../version.hpp"

#include <string_view>

#include "../detail/filtering/filter_parser.hpp"
#include "filter_error.hpp"
#include "program.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace filter {

/// Compiles a tcpdump-style filter (see Filter). Throws FilterError.
[[nodiscard]] inline Program compile_filter(std::string_view text) { return detail::filtering::Parser(text).compile(); }

}  // namespace filter
TRACEFLOW_NAMESPACE_END

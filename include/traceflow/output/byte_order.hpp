// SPDX-License-Identifier: MIT
// ByteOrder: the byte order of a written pcap file.
#pragma once

#include "../version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN

/// Byte order of binary output (pcap).
enum class ByteOrder : std::uint8_t { little, big, native };

TRACEFLOW_NAMESPACE_END

// SPDX-License-Identifier: MIT
// Forward declarations of traceflow's public types.
#pragma once

#include "version.hpp"

#include <cstdint>

TRACEFLOW_NAMESPACE_BEGIN

class IpAddress;
struct Timestamp;
struct ByteView;
struct Frame;
struct FrameView;
class FrameNumbers;
template <typename T, typename = void>
struct frame_traits;
template <typename T, typename = void>
struct address_traits;
template <typename T, typename = void>
struct timestamp_traits;
template <typename FrameT = Frame, typename AddressT = IpAddress>
struct Packet;
template <typename AddressT = IpAddress>
struct BufferID;
template <typename AddressT = IpAddress>
struct BasicBuffer;
template <typename AddressT = IpAddress>
struct BasicIndex;
using Buffer = BasicBuffer<IpAddress>;
using Index = BasicIndex<IpAddress>;
enum class EndReason : std::uint8_t;
enum class LinkType : std::uint32_t;
enum class ByteOrder : std::uint8_t;
class Dumper;
class OutputSink;
struct DumpOptions;
struct DumpFrame;
struct OutputFormat;
class FormatRegistry;
class FlowWriter;
struct TraceFlowOptions;
template <typename PacketT = Packet<>>
class TraceFlow;
class Error;
class FormatError;
class IoError;
struct ExtractStats;
struct ExtractResult;
struct FlowStats;
enum class FlowKeying : std::uint8_t;
enum class Lifecycle : std::uint8_t;

namespace io {
struct Record;
class CaptureReader;
}  // namespace io

namespace decode {
enum class Outcome : std::uint8_t;
struct TcpSegment;
struct Field;
struct Layer;
}  // namespace decode

TRACEFLOW_NAMESPACE_END

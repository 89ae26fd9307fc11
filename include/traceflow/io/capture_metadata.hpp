// SPDX-License-Identifier: MIT
// CaptureMetadata: what a pcapng input says about its section and interfaces, for writers to carry on.
#pragma once

#include "../version.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../link_type.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace io {

/// The pcapng option codes CaptureMetadata keeps (the SHB's and the IDB's share numbers).
namespace option_code {
inline constexpr std::uint16_t comment = 1;         ///< opt_comment, in any block
inline constexpr std::uint16_t shb_hardware = 2;    ///< SHB: the capturing machine's hardware
inline constexpr std::uint16_t shb_os = 3;          ///< SHB: its operating system
inline constexpr std::uint16_t shb_userappl = 4;    ///< SHB: the program that wrote the section
inline constexpr std::uint16_t if_name = 2;         ///< IDB: the interface's name, e.g. "eth0"
inline constexpr std::uint16_t if_description = 3;  ///< IDB: its description
inline constexpr std::uint16_t if_filter = 11;      ///< IDB: the capture filter (kept as a string, type 0, only)
inline constexpr std::uint16_t if_os = 12;          ///< IDB: the operating system of the capturing machine
inline constexpr std::uint16_t if_hardware = 15;    ///< IDB: the interface's hardware
}  // namespace option_code

/// One pcapng option as the input held it.
struct CaptureOption {
    std::uint16_t code = 0;  ///< option code, e.g. option_code::if_name
    std::string value;       ///< the value's bytes, without padding (text for every option kept)

    friend bool operator==(const CaptureOption& a, const CaptureOption& b) {
        return a.code == b.code && a.value == b.value;
    }
    friend bool operator!=(const CaptureOption& a, const CaptureOption& b) { return !(a == b); }
};

/// The first value of option `code` in `options`, or empty.
[[nodiscard]] inline std::string_view option_value(const std::vector<CaptureOption>& options,
                                                   std::uint16_t code) noexcept {
    for (const CaptureOption& o : options)
        if (o.code == code) return o.value;
    return {};
}

/// What an Interface Description Block says that a writer may carry on.
struct InterfaceMetadata {
    LinkType link_type{};                ///< data-link type of the interface's packets
    std::uint32_t snaplen = 0;           ///< snapshot length; 0 means none
    std::vector<CaptureOption> options;  ///< opt_comment, if_name, if_description, if_filter, if_os, if_hardware

    /// if_name, or empty.
    [[nodiscard]] std::string_view name() const noexcept { return option_value(options, option_code::if_name); }

    friend bool operator==(const InterfaceMetadata& a, const InterfaceMetadata& b) {
        return a.link_type == b.link_type && a.snaplen == b.snaplen && a.options == b.options;
    }
    friend bool operator!=(const InterfaceMetadata& a, const InterfaceMetadata& b) { return !(a == b); }
};

/// What a pcapng capture says about itself beyond its packets: the first
/// section's SHB options and each interface's IDB options, in file order.
/// Only text options are kept, so a writer copies their bytes into either
/// byte order; if_tsresol and if_tsoffset never are (a writer states its own
/// times). PcapngDumper writes them when DumpOptions::metadata is set. pcap
/// input has none.
///
///     io::CaptureReader in("trace.pcapng");
///     DumpOptions o;
///     o.metadata = in.metadata();  // what was read so far: the SHB, the IDBs before the packets
struct CaptureMetadata {
    std::vector<CaptureOption> section;         ///< the first SHB's opt_comment, shb_hardware, shb_os, shb_userappl
    std::vector<InterfaceMetadata> interfaces;  ///< every interface, counted across sections (Record::interface_id)

    /// The interface `id` names (Record::interface_id, DumpFrame::interface_id), or null.
    [[nodiscard]] const InterfaceMetadata* interface(std::uint32_t id) const noexcept {
        return id < interfaces.size() ? &interfaces[id] : nullptr;
    }

    /// Whether an SHB option of `code` is kept.
    [[nodiscard]] static constexpr bool keeps_section_option(std::uint16_t code) noexcept {
        return code == option_code::comment || code == option_code::shb_hardware || code == option_code::shb_os ||
               code == option_code::shb_userappl;
    }
    /// Whether an IDB option of `code` with `value` is kept: text only (an
    /// if_filter holding BPF byte code is in the input's byte order).
    [[nodiscard]] static bool keeps_interface_option(std::uint16_t code, std::string_view value) noexcept {
        switch (code) {
            case option_code::comment:
            case option_code::if_name:
            case option_code::if_description:
            case option_code::if_os:
            case option_code::if_hardware: return true;
            case option_code::if_filter: return !value.empty() && value[0] == '\0';
            default: return false;
        }
    }

    friend bool operator==(const CaptureMetadata& a, const CaptureMetadata& b) {
        return a.section == b.section && a.interfaces == b.interfaces;
    }
    friend bool operator!=(const CaptureMetadata& a, const CaptureMetadata& b) { return !(a == b); }
};

}  // namespace io
TRACEFLOW_NAMESPACE_END

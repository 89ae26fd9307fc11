// SPDX-License-Identifier: MIT
// libFuzzer target: pcap files through CaptureReader::from_memory, every record read and every byte touched.
#include <cstddef>
#include <cstdint>

#include <traceflow/detail/bits/endian.hpp>

#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Stay on pcap: inputs with a 4-byte magic that is not pcap's are left to
    // the pcapng target (shorter ones still test the empty/short-file paths).
    if (size >= 4) {
        switch (traceflow::detail::bits::load_be32(data)) {
            case 0xa1b2c3d4:
            case 0xd4c3b2a1:
            case 0xa1b23c4d:
            case 0x4d3cb2a1: break;
            default: return -1;  // not kept in the corpus
        }
    }
    fuzzutil::read_capture(data, size);
    return 0;
}

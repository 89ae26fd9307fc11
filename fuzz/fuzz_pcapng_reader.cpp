// SPDX-License-Identifier: MIT
// libFuzzer target: pcapng files through CaptureReader::from_memory, every record read and every byte touched.
#include <cstddef>
#include <cstdint>

#include <traceflow/detail/bits/endian.hpp>

#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Stay on pcapng: inputs that do not open with a section header block are
    // left to the pcap target (shorter ones still test the short-file paths).
    if (size >= 4 && traceflow::detail::bits::load_be32(data) != 0x0A0D0D0A) return -1;
    fuzzutil::read_capture(data, size);
    return 0;
}

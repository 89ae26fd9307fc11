// SPDX-License-Identifier: MIT
// Seeds for fuzz_decoder: frames from real captures, each prefixed with the
// 4-byte big-endian position of its link type in fuzz_decoder's list.
// Usage: make_decoder_seeds OUT_DIR CAPTURE...
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <traceflow/decode/decoder.hpp>
#include <traceflow/io/capture_reader.hpp>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s OUT_DIR CAPTURE...\n", argv[0]);
        return 2;
    }
    using traceflow::LinkType;
    const LinkType supported[] = {
        LinkType::null, LinkType::ethernet,  LinkType::raw_alt12, LinkType::raw_alt14, LinkType::raw,
        LinkType::loop, LinkType::linux_sll, LinkType::ipv4,      LinkType::ipv6,      LinkType::linux_sll2,
    };
    const std::string out_dir = argv[1];
    std::size_t written = 0;
    for (int a = 2; a < argc; ++a) {
        // Per file: the first frame of each (link type, outcome, length class), at most 16.
        std::set<std::uint64_t> seen;
        try {
            traceflow::io::CaptureReader reader(argv[a]);
            traceflow::io::Record r;
            traceflow::decode::TcpSegment seg;
            std::size_t kept = 0;
            while (kept < 16 && reader.next(r)) {
                std::uint32_t position = 0xFFFFFFFF;
                for (std::uint32_t i = 0; i < sizeof supported / sizeof supported[0]; ++i)
                    if (supported[i] == r.linktype) position = i;
                if (position == 0xFFFFFFFF) break;
                const auto outcome = traceflow::decode::decode_tcp(r.linktype, r.frame.bytes, seg);
                const std::uint64_t kind =
                    (std::uint64_t{position} << 32) | (std::uint64_t(outcome) << 16) | (r.frame.bytes.size / 64);
                if (!seen.insert(kind).second) continue;
                const std::string name = out_dir + "/frame-" + std::to_string(written++);
                std::ofstream out(name, std::ios::binary);
                const char prefix[4] = {0, 0, 0, static_cast<char>(position)};
                out.write(prefix, 4);
                out.write(reinterpret_cast<const char*>(r.frame.bytes.data),
                          static_cast<std::streamsize>(r.frame.bytes.size));
                ++kept;
            }
        } catch (const traceflow::Error&) {
            // Damaged reference captures still gave their frames before the damage.
        }
    }
    std::printf("%zu decoder seeds in %s\n", written, out_dir.c_str());
    return 0;
}

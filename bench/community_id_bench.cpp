// SPDX-License-Identifier: MIT
// community_id_bench: the cost of one Community ID (SHA-1 of the flow's key,
// base64), which --stats, --json and --csv pay per flow, against a baseline
// of the same run: the key's 64-bit table hash.
//
//   community_id_bench [--keys N] [--repeat R]
#include <traceflow/community_id.hpp>
#include <traceflow/detail/tracer/flow_store.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Key {
    traceflow::IpAddress src, dst;
    std::uint16_t srcport, dstport;
};

template <typename Fn>
double median_seconds(int repeat, Fn&& fn) {
    std::vector<double> runs;
    for (int r = 0; r < repeat; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        runs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t count = 1000000;
    int repeat = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--keys") == 0)
            count = std::strtoull(argv[i + 1], nullptr, 10);
        else if (std::strcmp(argv[i], "--repeat") == 0)
            repeat = std::max(1, std::atoi(argv[i + 1]));
    }
    std::mt19937_64 rng(1);
    std::vector<Key> keys(count);
    for (std::size_t i = 0; i < count; ++i) {
        Key& k = keys[i];
        if (i % 4 == 3) {  // a quarter IPv6
            std::uint8_t a[16], b[16];
            for (std::size_t j = 0; j < 16; ++j)
                a[j] = static_cast<std::uint8_t>(rng()), b[j] = static_cast<std::uint8_t>(rng());
            k.src = traceflow::IpAddress::v6(a);
            k.dst = traceflow::IpAddress::v6(b);
        } else {
            k.src = traceflow::IpAddress::v4(static_cast<std::uint32_t>(rng()));
            k.dst = traceflow::IpAddress::v4(static_cast<std::uint32_t>(rng()));
        }
        k.srcport = static_cast<std::uint16_t>(rng());
        k.dstport = 80;
    }
    std::size_t sink = 0;
    const double ids = median_seconds(repeat, [&] {
        for (const Key& k : keys) sink += traceflow::community_id(k.src, k.srcport, k.dst, k.dstport)[7];
    });
    const double hashes = median_seconds(repeat, [&] {
        for (const Key& k : keys) {
            bool from_a = true;
            const auto key = traceflow::detail::tracer::make_flow_key(k.src, k.srcport, k.dst, k.dstport, 0,
                                                                      traceflow::FlowKeying::bidirectional, from_a);
            sink += static_cast<std::size_t>(traceflow::detail::tracer::hash_value(key));
        }
    });
    const double n = static_cast<double>(count);
    std::printf("| figure (%zu keys, a quarter IPv6; median of %d) | ns per key | x baseline |\n", count, repeat);
    std::printf("|---|---:|---:|\n");
    std::printf("| baseline: the key's table hash | %.1f | 1.00 |\n", hashes / n * 1e9);
    std::printf("| community_id() | %.1f | %.1f |\n", ids / n * 1e9, ids / hashes);
    std::fprintf(stderr, "(checksum %zu)\n", sink);
    return 0;
}

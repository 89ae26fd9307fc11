// SPDX-License-Identifier: MIT
// bench/latency_floor.hpp: the memory-latency floor of the core figure (trace_batch on many live flows).
#pragma once

#include "common.hpp"

#include <traceflow/detail/bits/prefetch.hpp>  // as trace_batch() prefetches, so g++ keeps every hint

namespace bench {

// A flow key as the floor stores it: IPv4 addresses and ports in 24 bytes.
struct SynthKeyView {
    std::uint64_t words[3];
};

// What trace_batch() cannot avoid per packet on `flows` live flows in random
// order, with its prefetch distances: the flow's key read from the packet
// source, a hash, one open-addressing table probe by hash bits (8-byte slot
// prefetched 16 packets ahead), the flow record (8 ahead), the end of its
// frame list (4 after that), then the key compared with the record's, the
// record updated and the frame number appended. Table, record and frame-list
// sizes are TraceFlow's (load <= 1/2, `record_bytes` per flow, one frame list
// per flow). No labels, no lifecycle, no branches on flags.
class LatencyFloor {
public:
    LatencyFloor(const std::vector<SynthKeyView>& keys, std::size_t record_bytes, std::size_t frames_per_flow)
        : keys_(keys), record_words_((std::max<std::size_t>(record_bytes, 64) + 7) / 8) {  // >= 8 words
        std::size_t capacity = 16;
        while (capacity < 2 * keys.size()) capacity *= 2;
        mask_ = capacity - 1;
        slots_.assign(capacity, Slot{});
        records_.assign(keys.size() * record_words_, 0);
        frames_.resize(keys.size());
        for (std::uint32_t id = 0; id < keys.size(); ++id) {
            frames_[id].reserve(frames_per_flow);
            const std::uint64_t h = hash(keys[id]);
            std::size_t i = h & mask_;
            while (slots_[i].tag != 0) i = (i + 1) & mask_;
            slots_[i] = Slot{tag(h), id};
            std::uint64_t* record = &records_[std::size_t{id} * record_words_];
            for (int w = 0; w < 3; ++w) record[2 + w] = keys[id].words[w];  // the key lives in the record
        }
    }

    // Traces seq.size() packets; returns a checksum so nothing is optimised away.
    std::uint64_t run(const std::vector<std::uint32_t>& seq) {
        constexpr std::size_t ahead = 16, record_ahead = 8, frames_ahead = 4, ring_size = 2 * ahead;
        struct Pending {
            std::uint64_t hash;
            std::uint32_t flow;  // the packet's key (index into keys_), as the packet would carry it
            std::uint32_t id;
        };
        Pending ring[ring_size];
        std::uint64_t sum = 0;
        const std::size_t count = seq.size();
        for (std::size_t i = 0; i < count + ahead; ++i) {
            if (i < count) {
                Pending& p = ring[i % ring_size];
                p.flow = seq[i];
                p.hash = hash(keys_[p.flow]);
                traceflow::detail::bits::prefetch(&slots_[p.hash & mask_]);
            }
            if (i >= record_ahead && i - record_ahead < count) {
                Pending& p = ring[(i - record_ahead) % ring_size];
                p.id = candidate(p.hash);
                traceflow::detail::bits::prefetch(&records_[std::size_t{p.id} * record_words_], true);
            }
            if (i >= frames_ahead + record_ahead && i - frames_ahead - record_ahead < count) {
                const Pending& p = ring[(i - frames_ahead - record_ahead) % ring_size];
                const std::vector<std::uint64_t>& f = frames_[p.id];
                traceflow::detail::bits::prefetch(f.data() + f.size(), true);
            }
            if (i >= ahead) {
                Pending& p = ring[(i - ahead) % ring_size];
                if (!matches(p.id, keys_[p.flow])) p.id = find(keys_[p.flow], p.hash);
                std::uint64_t* record = &records_[std::size_t{p.id} * record_words_];
                record[0] = i;  // `last`
                ++record[1];
                frames_[p.id].push_back(i);
                sum += record[1];
            }
        }
        return sum;
    }

private:
    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t value = 0;
    };
    static std::uint64_t hash(const SynthKeyView& k) {
        std::uint64_t x = k.words[0] * 0x9E3779B97F4A7C15ULL ^ k.words[1] * 0xC2B2AE3D27D4EB4FULL ^ k.words[2];
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDULL;
        x ^= x >> 33;
        return x;
    }
    static std::uint32_t tag(std::uint64_t h) { return static_cast<std::uint32_t>(h >> 32) | 1u; }
    bool matches(std::uint32_t id, const SynthKeyView& k) const {
        const std::uint64_t* record = &records_[std::size_t{id} * record_words_];
        return record[2] == k.words[0] && record[3] == k.words[1] && record[4] == k.words[2];
    }
    // The first slot whose hash bits match (what TraceFlow prefetches).
    std::uint32_t candidate(std::uint64_t h) const {
        const std::uint32_t t = tag(h);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_)
            if (slots_[i].tag == t) return slots_[i].value;
    }
    std::uint32_t find(const SynthKeyView& k, std::uint64_t h) const {
        const std::uint32_t t = tag(h);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.tag == t && matches(s.value, k)) return s.value;
        }
    }

    const std::vector<SynthKeyView>& keys_;
    std::size_t record_words_;
    std::size_t mask_ = 0;
    std::vector<Slot> slots_;
    std::vector<std::uint64_t> records_;
    std::vector<std::vector<std::uint64_t>> frames_;
};

}  // namespace bench

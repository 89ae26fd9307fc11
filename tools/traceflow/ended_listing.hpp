// SPDX-License-Identifier: MIT
// The listing of ended flows, in ending order, made on one thread or two.
#pragma once

#include <traceflow/traceflow.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "listing.hpp"

namespace cli {

/// How the listing of ended flows is cut up and handed over.
struct EndedListingPlan {
    bool two_threads = false;
    // Small bounds: the text waiting adds to the run's peak memory, which is
    // ~200 B per flow; 64 chunks of 512 or 32 MiB ahead added 26 MB to a
    // --json run (and each slot's string keeps its room).
    std::size_t chunk_records = 128;       // records a thread formats at a time
    std::size_t chunks_ahead = 4;          // chunks formatted and not yet emitted, at most
    std::size_t bytes_ahead = 256u << 10;  // their text, at most (about: one chunk more)
    std::size_t flush_bytes = 64u << 10;   // text handed to `emit` at a time (about)
};

/// Runs `list_before()` (the open flows, which it lists itself), then lists
/// `flows` in their order: each record's line (append_flow_line) goes to
/// `emit(const std::string&)` in pieces, and is counted in `counts`. `emit`
/// runs on this thread only, in order, so the output is the same either way.
///
/// With two threads, both format chunks of records, each taking the next
/// not yet taken: a helper from the first on (while `list_before()` runs),
/// into texts this thread emits in order; this thread while the next chunk
/// is not ready. What is formatted ahead is bounded by `plan`. Reading the
/// ended flows back (labels, frame numbers) was the serial tail of a CLI
/// run, ~10 % of it.
template <typename Before, typename Emit>
void list_ended_flows(Before&& list_before, const traceflow::EndedFlows& flows, Listing listing, bool stats,
                      std::size_t width, ReasonCounts& counts, const EndedListingPlan& plan, Emit&& emit,
                      const ListingChoices& choices = {}) {
    const std::size_t n = flows.size();
    const std::size_t chunk = std::max<std::size_t>(plan.chunk_records, 1);
    const std::size_t chunks = (n + chunk - 1) / chunk;
    // Formats chunk `c` into `out`; on this thread (`flush`), emitting as it goes.
    auto format = [&](std::size_t c, traceflow::Index& rec, std::string& out, ReasonCounts& c_counts, bool flush) {
        for (std::size_t i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) {
            flows.read(i, rec);
            append_flow_line(out, rec, listing, stats, width, choices);
            count_reason(c_counts, rec);
            if (flush && out.size() >= plan.flush_bytes) {
                emit(static_cast<const std::string&>(out));
                out.clear();
            }
        }
    };
    traceflow::Index record;
    std::string text;
    if (!plan.two_threads || chunks == 0) {
        list_before();
        for (std::size_t c = 0; c < chunks; ++c) format(c, record, text, counts, true);
        if (!text.empty()) emit(static_cast<const std::string&>(text));
        return;
    }

    struct Slot {
        std::string text;
        ReasonCounts counts{};
        bool ready = false;
    };
    const std::size_t ring = std::max<std::size_t>(plan.chunks_ahead, 1);
    std::vector<Slot> slots(ring);  // chunk c formatted ahead goes into slots[c % ring]
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t claimed = 0;          // chunks taken by either thread
    std::size_t emitted = 0;          // chunks emitted
    std::size_t bytes_ready = 0;      // text of the slots ready
    bool quit = false;                // this thread failed: the helper stops
    std::exception_ptr helper_error;  // the helper failed: this thread rethrows
    // Under `mutex`: whether the next chunk may be taken (its slot is free, the text ahead within bounds).
    auto may_claim = [&] { return claimed < chunks && claimed < emitted + ring && bytes_ready < plan.bytes_ahead; };
    // Formats chunk `c` into its slot and marks it ready.
    auto format_ahead = [&](std::size_t c, traceflow::Index& rec) {
        Slot& slot = slots[c % ring];
        slot.text.clear();
        slot.counts = ReasonCounts{};
        format(c, rec, slot.text, slot.counts, false);
        {
            std::lock_guard<std::mutex> lock(mutex);
            slot.ready = true;
            bytes_ready += slot.text.size();
        }
        changed.notify_all();
    };
    std::thread helper([&] {
        traceflow::Index rec;
        try {
            for (;;) {
                std::size_t c = 0;
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    changed.wait(lock, [&] { return quit || claimed == chunks || may_claim(); });
                    if (quit || claimed == chunks) return;
                    c = claimed++;
                }
                format_ahead(c, rec);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            helper_error = std::current_exception();
            changed.notify_all();
        }
    });
    // This thread emits the chunks in order; while the next is not ready, it
    // formats the next chunk not taken (emitting it at once when it is the next).
    try {
        list_before();
        while (emitted < chunks) {
            Slot& next = slots[emitted % ring];
            // Decided under the lock: the helper may make `next` ready just after.
            bool take_ready = false;
            std::size_t c = 0;
            {
                // The next chunk, when not taken, is emitted as it is formatted: no bound holds it back.
                std::unique_lock<std::mutex> lock(mutex);
                auto can_take = [&] { return claimed == emitted || may_claim(); };
                changed.wait(lock, [&] { return next.ready || can_take() || helper_error; });
                take_ready = next.ready;
                if (!take_ready && !can_take()) std::rethrow_exception(helper_error);
                if (!take_ready) c = claimed++;
            }
            if (take_ready) {
                emit(static_cast<const std::string&>(next.text));
                for (std::size_t r = 0; r < counts.size(); ++r) counts[r] += next.counts[r];
            } else if (c != emitted) {
                format_ahead(c, record);
                continue;
            } else {
                format(c, record, text, counts, true);
                if (!text.empty()) emit(static_cast<const std::string&>(text));
                text.clear();
            }
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (take_ready) {
                    bytes_ready -= next.text.size();
                    next.ready = false;
                }
                ++emitted;
            }
            changed.notify_all();
        }
    } catch (...) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            quit = true;
        }
        changed.notify_all();
        helper.join();
        throw;
    }
    helper.join();
}

}  // namespace cli

// SPDX-License-Identifier: MIT
// FlowHandoff: how ended flows leave the tracer: the kept records, the callbacks, and the deferred completion of dump().
#pragma once

#include "../../version.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../../ended_flows.hpp"
#include "../../frame_numbers.hpp"
#include "../../output/flow_writer.hpp"
#include "callback_list.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::tracer {

/// How a flow ended by the packet being traced is handed back.
enum class Ending : std::uint8_t {
    silent,       ///< ended by time, eviction, reuse: complete it now
    keep_buffer,  ///< trace(): also copy the flow into the returned Buffer
    deferred,     ///< dump(): keep its writer for the frame, complete it afterwards
};

/// Hands ended flows over: their record is kept (or only the last one, in
/// streaming mode), their file completed, then the callbacks run. dump()
/// ends a flow before writing its last frame, so its completion can be
/// deferred until that frame is written.
template <typename IndexT, typename BufferT>
class FlowHandoff {
public:
    using Callback = typename CallbackList<IndexT>::Callback;
    using OpenCallback = typename CallbackList<BufferT>::Callback;

    /// Kept records whose path is `path_prefix + label + path_suffix` store it as one bit.
    explicit FlowHandoff(bool keep_closed = true, std::string path_prefix = {}, std::string path_suffix = {})
        : keep_closed_(keep_closed) {
        closed_.set_path_pattern(std::move(path_prefix), std::move(path_suffix));
    }

    void add_callback(Callback callback) { callbacks_.add(std::move(callback)); }
    void add_open_callback(OpenCallback callback) { open_callbacks_.add(std::move(callback)); }

    /// Tells the open callbacks about a new flow.
    void opened(const BufferT& buffer) const { open_callbacks_(buffer); }

    /// True when callbacks see each ended flow's record whole: its `index`
    /// filled and its statistics' Community ID made. Otherwise only the
    /// kept record needs them, and it takes the frame numbers as they are
    /// and makes the Community ID when read.
    [[nodiscard]] bool shows_records() const noexcept { return !callbacks_.empty(); }

    /// Hands over an ended flow: `record` (its `index` filled only when
    /// shows_records()) and what was its open Buffer (its frames, label and
    /// writer are taken; `ending` says what the caller gets back in
    /// just_closed()). The record is kept; the writer is completed and the
    /// callbacks run now, or for `Ending::deferred` at the next settle()
    /// (after dump() wrote the ending frame through just_closed().fpout).
    void ended(IndexT&& record, BufferT&& buffer, Ending ending) {
        FrameNumbers frames;
        const FrameNumbers* kept = &frames;
        // dump() and trace() hand back the ended flow's number and key (FlowHandle, Buffer).
        just_closed_.number = buffer.number;
        just_closed_.id = buffer.id;
        if (ending == Ending::keep_buffer) {
            record.label = buffer.label;
            just_closed_.index = std::move(buffer.index);
            just_closed_.label = std::move(buffer.label);
            kept = &just_closed_.index;
        } else {
            frames = std::move(buffer.index);
            record.label = std::move(buffer.label);
        }
        // Kept compactly; the callbacks see the whole record (the last one).
        last_ = std::move(record);
        if (keep_closed_) closed_.push_back(last_, *kept);
        if (ending == Ending::deferred) {
            just_closed_.fpout = std::move(buffer.fpout);
            pending_ = true;
        } else {
            complete(std::move(buffer.fpout));
        }
    }

    /// Completes the flow dump() ended, once its last frame is written.
    void settle() {
        if (!pending_) return;
        pending_ = false;
        complete(std::move(just_closed_.fpout));
    }

    /// The Buffer trace() / dump() hand back for a flow they ended.
    [[nodiscard]] BufferT& just_closed() noexcept { return just_closed_; }
    [[nodiscard]] const BasicEndedFlows<IndexT>& closed() const noexcept { return closed_; }

    void clear_closed() noexcept { closed_.clear(); }
    [[nodiscard]] bool keep_closed() const noexcept { return keep_closed_; }

private:
    // Completes an ended flow's file, then tells the callbacks about it. The
    // record is kept even when completing the file throws; the error
    // propagates after the callbacks.
    void complete(std::unique_ptr<FlowWriter> writer) {
        if (writer) {
            try {
                writer->finish();
            } catch (...) {
                callbacks_(last_);
                throw;  // (a rethrow here, not a std::exception_ptr: fewer instantiations in every user's TU)
            }
        }
        callbacks_(last_);
    }

    bool keep_closed_;
    bool pending_ = false;
    BasicEndedFlows<IndexT> closed_;
    IndexT last_;          // the last ended flow, whole, for the callbacks
    BufferT just_closed_;  // the Buffer trace() / dump() returned for a flow they ended
    CallbackList<IndexT> callbacks_;
    CallbackList<BufferT> open_callbacks_;
};

}  // namespace detail::tracer
TRACEFLOW_NAMESPACE_END

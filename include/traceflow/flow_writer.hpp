// SPDX-License-Identifier: MIT
// FlowWriter: one flow's output file, written by its format's Dumper through
// the shared open-file cache.
#pragma once

#include <memory>
#include <string>

#include "detail/file_cache.hpp"
#include "dumper.hpp"

namespace traceflow {

/// The output of one flow (pcapkit's `fpout` of a Buffer). The file is
/// created with its header at the first frame; it may be closed and reopened
/// in append mode between frames, so no descriptor is held per flow.
class FlowWriter final : private OutputSink {
public:
    FlowWriter(detail::FileCache& cache, std::string path, std::unique_ptr<Dumper> dumper)
        : cache_(&cache), path_(std::move(path)), id_(cache.add(&path_)), dumper_(std::move(dumper)) {}

    FlowWriter(const FlowWriter&) = delete;
    FlowWriter& operator=(const FlowWriter&) = delete;

    ~FlowWriter() {
        if (!finished_) {
            try {
                cache_->release(id_);
            } catch (...) {  // destructors must not throw; finish() reports errors
            }
        }
    }

    /// Path of the output file.
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

    /// Writes one frame (the header first if this is the first).
    void write(const DumpFrame& frame) {
        if (!started_) {
            started_ = true;
            dumper_->header(*this);
        }
        dumper_->frame(*this, frame);
    }

    /// Writes the footer, flushes and closes the file. Idempotent. Throws IoError.
    void finish() {
        if (finished_) return;
        finished_ = true;
        if (!started_) {  // a flow with no frame written still gets a complete file
            started_ = true;
            dumper_->header(*this);
        }
        dumper_->footer(*this);
        cache_->release(id_);
    }

    [[nodiscard]] bool finished() const noexcept { return finished_; }

private:
    void write(const void* data, std::size_t size) override { cache_->write(id_, data, size); }

    detail::FileCache* cache_;
    std::string path_;
    detail::FileCache::Id id_;
    std::unique_ptr<Dumper> dumper_;
    bool started_ = false;
    bool finished_ = false;
};

}  // namespace traceflow

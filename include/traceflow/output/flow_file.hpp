// SPDX-License-Identifier: MIT
// FlowFile: one output file written by its format's Dumper through the shared
// open-file cache; FlowFileWriter: a flow's hold on its file, its own or shared.
#pragma once

#include "../version.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "../detail/output/file_cache.hpp"
#include "../errors.hpp"
#include "dumper.hpp"
#include "flow_writer.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// One output file, written by its format's Dumper through the shared
/// open-file cache. The file is created with its header at the first frame;
/// it may be closed and reopened in append mode between frames, so no
/// descriptor is held per file.
class FlowFile final : private OutputSink {
public:
    FlowFile(detail::output::FileCache& cache, std::string path, std::unique_ptr<Dumper> dumper)
        : cache_(&cache), path_(std::move(path)), id_(cache.add(&path_)), dumper_(std::move(dumper)) {}

    FlowFile(const FlowFile&) = delete;
    FlowFile& operator=(const FlowFile&) = delete;

    ~FlowFile() {
        if (!finished_) {
            try {
                cache_->release(id_);
            } catch (...) {  // destructors must not throw; finish() reports errors
            }
        }
    }

    /// Path of the output file.
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

    /// Writes one frame (the header first if this is the first). When the
    /// format refuses the frame (a pcap file and another link type), the file
    /// is rewritten in the format's successor (pcapng) and goes on in it.
    void write(const DumpFrame& frame) {
        if (!started_) {
            started_ = true;
            dumper_->header(*this);
        }
        if (!dumper_->accepts(frame)) hand_over();
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

    // Reads back what was written, empties the file and lets the successor rewrite it.
    void hand_over() {
        cache_->release(id_);  // flushed and closed; the next write creates the file anew
        id_ = cache_->add(&path_);
        std::vector<std::uint8_t> written;
        errno = 0;
        if (std::FILE* f = std::fopen(path_.c_str(), "rb")) {
            std::uint8_t buffer[1 << 14];
            std::size_t n = 0;
            while ((n = std::fread(buffer, 1, sizeof buffer, f)) != 0)
                written.insert(written.end(), buffer, buffer + n);
            const bool failed = std::ferror(f) != 0;
            std::fclose(f);
            if (failed) throw IoError(path_, std::error_code(EIO, std::generic_category()), "cannot read back");
        } else {
            const int err = errno != 0 ? errno : EIO;
            throw IoError(path_, std::error_code(err, std::generic_category()), "cannot read back");
        }
        if (std::unique_ptr<Dumper> next = dumper_->successor(path_, written, *this))
            dumper_ = std::move(next);
        else
            cache_->write(id_, written.data(), written.size());  // no successor: keep the file as it was
    }

    detail::output::FileCache* cache_;
    std::string path_;
    detail::output::FileCache::Id id_;
    std::unique_ptr<Dumper> dumper_;
    bool started_ = false;
    bool finished_ = false;
};

/// The FlowWriter of a flow written to a file: the flow's own file (held in
/// the writer: no allocation of its own) or one it shares with other flows.
class FlowFileWriter final : public FlowWriter {
public:
    /// A file of the flow's own.
    FlowFileWriter(detail::output::FileCache& cache, std::string path, std::unique_ptr<Dumper> dumper)
        : FlowWriter(nullptr, false), own_(std::in_place, cache, std::move(path), std::move(dumper)) {
        file_ = &*own_;
        set_path(&file_->path());
    }
    /// A file shared with other flows: finish() leaves it to its owner.
    explicit FlowFileWriter(std::shared_ptr<FlowFile> shared)
        : FlowWriter(&shared->path(), true), shared_(std::move(shared)), file_(shared_.get()) {}

    /// Writes one of the flow's frames (see FlowFile::write()).
    void write(const DumpFrame& frame) override { file_->write(frame); }

private:
    void complete() override {
        if (own_) own_->finish();
    }

    std::optional<FlowFile> own_;
    std::shared_ptr<FlowFile> shared_;
    FlowFile* file_ = nullptr;  // own_ or shared_
};

TRACEFLOW_NAMESPACE_END

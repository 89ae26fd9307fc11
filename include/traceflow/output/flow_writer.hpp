// SPDX-License-Identifier: MIT
// FlowWriter: the output of one flow (pcapkit's `fpout`), as the tracer sees it.
#pragma once

#include "../version.hpp"

#include <string>

#include "dump_frame.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// The output of one flow (pcapkit's `fpout` of a Buffer): its own file,
/// completed when the flow ends, or a file it shares with the other flows
/// whose names coincide (a name template that groups flows), completed by
/// the tracer's finish(). Made by the file output
/// (<traceflow/output/file_output.hpp>; FlowFileWriter in output/flow_file.hpp),
/// so that the tracer does not compile file writing.
class FlowWriter {
public:
    FlowWriter(const FlowWriter&) = delete;
    FlowWriter& operator=(const FlowWriter&) = delete;
    virtual ~FlowWriter() = default;

    /// Path of the output file.
    [[nodiscard]] const std::string& path() const noexcept { return *path_; }
    /// Writes one of the flow's frames (the file's header first). Throws IoError.
    virtual void write(const DumpFrame& frame) = 0;
    /// Completes the file when it is the flow's own. Idempotent. Throws IoError.
    void finish() {
        if (finished_) return;
        finished_ = true;
        complete();
    }
    [[nodiscard]] bool finished() const noexcept { return finished_; }
    /// True when other flows may write to the same file.
    [[nodiscard]] bool shared() const noexcept { return shared_; }

protected:
    /// `path` must outlive the writer.
    FlowWriter(const std::string* path, bool shared) noexcept : path_(path), shared_(shared) {}
    /// Completes the flow's own file (footer, flush, close); nothing for a shared one.
    virtual void complete() = 0;
    void set_path(const std::string* path) noexcept { path_ = path; }

private:
    const std::string* path_;
    bool shared_;
    bool finished_ = false;
};

TRACEFLOW_NAMESPACE_END

// SPDX-License-Identifier: MIT
// FlowOutput: what a tracer asks of its file output, and the hook through which <traceflow/output/file_output.hpp> provides it.
#pragma once

#include "../../version.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "../../fwd.hpp"
#include "../../options.hpp"
#include "../../output/flow_writer.hpp"
#include "../../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::output {

/// The path of a flow's file, none without a writer.
[[nodiscard]] inline std::optional<std::string> writer_path(const std::unique_ptr<FlowWriter>& writer) {
    if (!writer) return std::nullopt;
    return writer->path();
}

/// What a flow's file name is made from (the name template's placeholders).
struct FlowNaming {
    const std::string& label;
    std::string src;  ///< the source address as the label writes it; empty unless the names use addresses
    std::uint16_t srcport = 0;
    std::string dst;  ///< as `src`
    std::uint16_t dstport = 0;
    Timestamp first;  ///< the flow's first packet's time
};

/// A tracer's file output, resolved once (pcapkit's `make_fout`). This base
/// writes nothing; the tracer holds one per call of make_flow_output(), and
/// `<traceflow/output/file_output.hpp>` derives the one that writes files, so
/// that a tracer without files does not compile the file machinery (folders,
/// name templates, the format registry). One virtual call per opened flow.
class FlowOutput {
public:
    FlowOutput() = default;
    FlowOutput(const FlowOutput&) = delete;
    FlowOutput& operator=(const FlowOutput&) = delete;
    virtual ~FlowOutput() = default;

    /// True when frames are written to files.
    [[nodiscard]] bool writing() const noexcept { return writing_; }
    /// The output extension with its dot, or empty.
    [[nodiscard]] const std::string& extension() const noexcept { return extension_; }
    /// The output folder with one trailing '/', or empty.
    [[nodiscard]] const std::string& root() const noexcept { return root_; }
    /// True when file names need FlowNaming::src and dst.
    [[nodiscard]] bool names_use_addresses() const noexcept { return names_use_addresses_; }

    /// The writer of a new flow (null when no file is written).
    [[nodiscard]] virtual std::unique_ptr<FlowWriter> make_writer(const TraceFlowOptions& /*options*/,
                                                                  const FlowNaming& /*name*/, LinkType /*linktype*/) {
        return nullptr;
    }
    /// Completes the files that flows share and closes every file still open
    /// (after the writers finished). Throws IoError.
    virtual void close_all() {}

protected:
    std::string extension_;
    std::string root_;
    bool writing_ = false;
    bool names_use_addresses_ = false;
};

/// Owns a tracer's FlowOutput. Not std::unique_ptr: this one class is all a
/// user's TU compiles for it (a unique_ptr compiles about 30 functions at -O0).
class OwnedOutput {
public:
    explicit OwnedOutput(FlowOutput* output) noexcept : output_(output) {}
    OwnedOutput(const OwnedOutput&) = delete;
    OwnedOutput& operator=(const OwnedOutput&) = delete;
    OwnedOutput(OwnedOutput&& other) noexcept : output_(std::exchange(other.output_, nullptr)) {}
    OwnedOutput& operator=(OwnedOutput&& other) noexcept {
        if (this != &other) {
            delete output_;
            output_ = std::exchange(other.output_, nullptr);
        }
        return *this;
    }
    ~OwnedOutput() { delete output_; }

    [[nodiscard]] FlowOutput* operator->() const noexcept { return output_; }
    explicit operator bool() const noexcept { return output_ != nullptr; }

private:
    FlowOutput* output_;
};

/// Makes the FlowOutput of a tracer with an output folder (new; the caller
/// owns it): set by `<traceflow/output/file_output.hpp>` in every program
/// that includes it.
using FlowOutputFactory = FlowOutput* (*)(const TraceFlowOptions& options);
inline FlowOutputFactory file_output_factory = nullptr;

/// The output a tracer with `options` writes through. Throws
/// std::logic_error when `options.fout` is set and no file output was
/// compiled in (rather than write nothing).
[[nodiscard]] inline OwnedOutput make_flow_output(const TraceFlowOptions& options) {
    if (options.fout.empty()) return OwnedOutput(new FlowOutput());
    if (file_output_factory == nullptr)
        throw std::logic_error("TraceFlowOptions::fout is '" + options.fout +
                               "' but no file output is compiled in: include <traceflow/output/file_output.hpp> "
                               "(or <traceflow/traceflow.hpp>) to write flows to files");
    return OwnedOutput(file_output_factory(options));
}

/// Adds a format to the process-wide registry (TraceFlow::register_format).
/// `register_format` is found where this is instantiated, by argument-dependent
/// lookup, so the tracer does not include the registry and its formats; the
/// caller includes <traceflow/output/process_registry.hpp> (file_output.hpp does).
template <typename Format>
void add_format(std::string name, Format format) {
    register_format(std::move(name), std::move(format));
}

}  // namespace detail::output
TRACEFLOW_NAMESPACE_END

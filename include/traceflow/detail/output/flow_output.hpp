// SPDX-License-Identifier: MIT
// FlowOutput: where a tracer writes flows: the format, the output root, file names and the shared file cache.
#pragma once

#include "../../version.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "../../buffer_id.hpp"
#include "../../errors.hpp"
#include "../../options.hpp"
#include "../../output/dumper.hpp"
#include "../../output/flow_writer.hpp"
#include "../../output/name_template.hpp"
#include "../../output/process_registry.hpp"
#include "../../timestamp.hpp"
#include "file_cache.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::output {

/// The path of a flow's file, none without a writer.
[[nodiscard]] inline std::optional<std::string> writer_path(const std::unique_ptr<FlowWriter>& writer) {
    if (!writer) return std::nullopt;
    return writer->path();
}

/// Resolves the format and output root once (pcapkit's `make_fout`) and makes
/// each flow's writer. The file cache is held by pointer, so writers (which
/// point at it) stay valid when the tracer moves.
class FlowOutput {
public:
    /// Throws std::invalid_argument for a bad name template, IoError for the output root.
    explicit FlowOutput(const TraceFlowOptions& options)
        : names_(options.name_template),
          files_(std::make_unique<FileCache>(options.max_open_files, options.output_buffer_bytes)) {
        if (options.fout.empty()) return;
        const OutputFormat* format = format_registry().find(options.format);
        if (format == nullptr) {
            if (options.warning)
                options.warning("unsupported output format '" + options.format +
                                "': no files will be written (json, plist, tree and text need "
                                "<traceflow/formats/builtin.hpp> or <traceflow/traceflow.hpp>)");
            return;
        }
        format_ = *format;
        extension_ = format_.extension.empty() ? std::string(".out") : format_.extension;
        namespace fs = std::filesystem;
        std::error_code ec;
        const fs::path root(options.fout);
        if (fs::exists(root, ec) && !fs::is_directory(root, ec))
            throw IoError(options.fout, std::make_error_code(std::errc::not_a_directory),
                          "output root exists and is not a folder");
        fs::create_directories(root, ec);
        if (ec) throw IoError(options.fout, ec, "cannot create output root");
        root_ = options.fout;
        if (root_.back() != '/') root_.push_back('/');
        writing_ = true;
    }

    /// True when frames are written to files.
    [[nodiscard]] bool writing() const noexcept { return writing_; }
    /// The output extension with its dot, or empty.
    [[nodiscard]] const std::string& extension() const noexcept { return extension_; }
    /// The output folder with one trailing '/', or empty.
    [[nodiscard]] const std::string& root() const noexcept { return root_; }
    /// False once moved from.
    [[nodiscard]] bool valid() const noexcept { return files_ != nullptr; }

    /// The writer of a new flow (null when no file is written). Warns once
    /// through `options.warning` when a name makes a hidden file.
    template <typename AddressT>
    [[nodiscard]] std::unique_ptr<FlowWriter> make_writer(const TraceFlowOptions& options, const std::string& label,
                                                          const BufferID<AddressT>& id, const Timestamp& first,
                                                          LinkType linktype) {
        if (!writing_) return nullptr;
        std::string name = names_.render(label, id, first);
        if (!warned_hidden_ && !name.empty() && name.front() == '.') {
            warned_hidden_ = true;
            if (options.warning)
                options.warning("flow file names start with '.' (hidden files), e.g. '" + name +
                                "'; set name_template to change them");
        }
        DumpOptions dump;
        dump.linktype = linktype;
        dump.nanosecond = options.nanosecond;
        if (options.warning) {
            // A dumper's warning (a pcap flow that mixes link types) is given once per tracer.
            dump.warning = [sink = options.warning, once = mixed_warned_](std::string_view message) {
                if (*once) return;
                *once = true;
                sink(std::string(message) + " (further flows like it are not reported)");
            };
        }
        dump.big_endian =
            options.byteorder == ByteOrder::native ? native_is_big_endian() : options.byteorder == ByteOrder::big;
        return std::make_unique<FlowWriter>(*files_, root_ + name + extension_, format_.make(dump));
    }

    /// Closes every file still open (after the writers finished).
    void close_all() {
        if (files_) files_->close_all();
    }

private:
    ::traceflow::NameTemplate names_;
    std::unique_ptr<FileCache> files_;
    OutputFormat format_;
    std::string extension_;
    std::string root_;  // the output folder with one trailing '/'
    bool writing_ = false;
    bool warned_hidden_ = false;
    std::shared_ptr<bool> mixed_warned_ = std::make_shared<bool>(false);  // shared with the dumpers' sinks
};

}  // namespace detail::output
TRACEFLOW_NAMESPACE_END

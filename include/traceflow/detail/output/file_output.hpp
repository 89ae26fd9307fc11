// SPDX-License-Identifier: MIT
// FileOutput: the FlowOutput that writes files: the format, the output root, file names and the shared file cache.
#pragma once

#include "../../version.hpp"

#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "../../errors.hpp"
#include "../../options.hpp"
#include "../../output/dumper.hpp"
#include "../../output/flow_file.hpp"
#include "../../output/name_template.hpp"
#include "../../output/process_registry.hpp"
#include "file_cache.hpp"
#include "flow_output.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::output {

/// Resolves the format and output root once (pcapkit's `make_fout`) and makes
/// each flow's writer. The tracer holds it by pointer, so writers (which
/// point at its file cache) stay valid when the tracer moves.
class FileOutput final : public FlowOutput {
public:
    /// Throws std::invalid_argument for a bad name template, IoError for the output root.
    explicit FileOutput(const TraceFlowOptions& options)
        : names_(options.name_template), files_(options.max_open_files, options.output_buffer_bytes) {
        names_use_addresses_ = !names_.label_only();
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

    /// The writer of a new flow (null when no file is written). Warns once
    /// through `options.warning` when a name makes a hidden file.
    [[nodiscard]] std::unique_ptr<FlowWriter> make_writer(const TraceFlowOptions& options, const FlowNaming& naming,
                                                          LinkType linktype) override {
        if (!writing_) return nullptr;
        std::string name =
            names_.render(naming.label, naming.src, naming.srcport, naming.dst, naming.dstport, naming.first);
        const std::size_t slash = name.rfind('/');
        const std::size_t base = slash == std::string::npos ? 0 : slash + 1;  // where the file's own name starts
        if (!warned_hidden_ && base < name.size() && name[base] == '.') {
            warned_hidden_ = true;
            if (options.warning)
                options.warning("flow file names start with '.' (hidden files), e.g. '" + name +
                                "'; choose other names with the name template (the tool's --name)");
        }
        std::string path = root_ + name + extension_;
        std::shared_ptr<FlowFile>* group = nullptr;
        if (!names_.label_only()) {
            // Names from a template may coincide: flows that share one share its file.
            group = &groups_[path];
            if (*group) return std::make_unique<FlowFileWriter>(*group);
        }
        if (base != 0) make_folders(root_ + name.substr(0, base));
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
        if (group == nullptr) return std::make_unique<FlowFileWriter>(files_, std::move(path), format_.make(dump));
        *group = std::make_shared<FlowFile>(files_, std::move(path), format_.make(dump));
        return std::make_unique<FlowFileWriter>(*group);
    }

    /// Completes the files that flows share, then closes every file still
    /// open (after the writers finished). Throws IoError (the first failure,
    /// after every file was tried).
    void close_all() override {
        std::exception_ptr error;
        for (auto& entry : groups_) {
            try {
                entry.second->finish();
            } catch (...) {
                if (!error) error = std::current_exception();
            }
        }
        files_.close_all();
        if (error) std::rethrow_exception(error);
    }

    /// Makes the output of a tracer with an output folder (the factory
    /// <traceflow/output/file_output.hpp> registers).
    static FlowOutput* make(const TraceFlowOptions& options) { return new FileOutput(options); }

private:
    // Folders a name asks for, inside the output root (the template keeps names inside it).
    void make_folders(const std::string& folder) {
        if (folder == made_folder_) return;
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        if (ec) throw IoError(folder, ec, "cannot create output folder");
        made_folder_ = folder;
    }

    ::traceflow::NameTemplate names_;
    FileCache files_;
    OutputFormat format_;
    bool warned_hidden_ = false;
    std::unordered_map<std::string, std::shared_ptr<FlowFile>> groups_;   // by path, for names from a template
    std::string made_folder_;                                             // the last folder made for a name
    std::shared_ptr<bool> mixed_warned_ = std::make_shared<bool>(false);  // shared with the dumpers' sinks
};

}  // namespace detail::output
TRACEFLOW_NAMESPACE_END

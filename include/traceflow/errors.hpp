// SPDX-License-Identifier: MIT
// The exceptions traceflow throws: broken capture files and failed I/O.
#pragma once

#include "version.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>

TRACEFLOW_NAMESPACE_BEGIN

/// Base of every exception traceflow throws.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A capture file that cannot be read on: names the file, the 1-based record
/// (or block) number where the damage starts and its byte offset. Everything
/// before the damage has already been delivered.
class FormatError : public Error {
public:
    FormatError(std::string path, std::uint64_t record, std::uint64_t offset, const std::string& what)
        : Error(path + ": record " + std::to_string(record) + " at byte offset " + std::to_string(offset) + ": " +
                what),
          path_(std::move(path)),
          record_(record),
          offset_(offset) {}

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    /// 1-based number of the record or block that is damaged.
    [[nodiscard]] std::uint64_t record() const noexcept { return record_; }
    /// Byte offset in the file where the damaged record or block starts.
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

private:
    std::string path_;
    std::uint64_t record_;
    std::uint64_t offset_;
};

/// A file that cannot be opened, created or written.
class IoError : public Error {
public:
    IoError(std::string path, std::error_code code, const std::string& what)
        : Error(path + ": " + what + ": " + code.message()), path_(std::move(path)), code_(code) {}

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] std::error_code code() const noexcept { return code_; }

private:
    std::string path_;
    std::error_code code_;
};

TRACEFLOW_NAMESPACE_END

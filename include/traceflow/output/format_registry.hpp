// SPDX-License-Identifier: MIT
// FormatRegistry: output formats by name.
#pragma once

#include "../version.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "dumper.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// Formats by name.
class FormatRegistry {
public:
    /// Adds or replaces a format.
    void add(std::string name, OutputFormat format) { formats_[std::move(name)] = std::move(format); }
    /// Adds a format unless one of that name is already there (how built-ins
    /// arrive: they never replace a caller's format).
    void add_default(std::string name, OutputFormat format) { formats_.emplace(std::move(name), std::move(format)); }
    /// The format registered as `name`, or nullptr.
    [[nodiscard]] const OutputFormat* find(std::string_view name) const {
        const auto it = formats_.find(std::string(name));
        return it == formats_.end() ? nullptr : &it->second;
    }
    /// Every format, by name.
    [[nodiscard]] const std::map<std::string, OutputFormat>& all() const noexcept { return formats_; }

private:
    std::map<std::string, OutputFormat> formats_;
};

TRACEFLOW_NAMESPACE_END

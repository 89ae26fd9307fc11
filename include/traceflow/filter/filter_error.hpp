// SPDX-License-Identifier: MIT
// FilterError: a filter expression that does not parse, with the offending word and its position.
#pragma once

#include "../version.hpp"

#include <cstddef>
#include <string>
#include <utility>

#include "../errors.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace filter {

/// A filter expression that does not parse: says why, and at which word.
class FilterError : public Error {
public:
    FilterError(const std::string& message, std::size_t position, std::string word)
        : Error(message), position_(position), word_(std::move(word)) {}
    /// Byte offset in the expression of the offending word (its length when the expression ended too soon).
    [[nodiscard]] std::size_t position() const noexcept { return position_; }
    /// The offending word; empty when the expression ended too soon.
    [[nodiscard]] const std::string& word() const noexcept { return word_; }

private:
    std::size_t position_;
    std::string word_;
};

}  // namespace filter
TRACEFLOW_NAMESPACE_END

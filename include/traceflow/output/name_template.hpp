// SPDX-License-Identifier: MIT
// NameTemplate: a flow's output file name from `{label}`, `{src}`, `{srcport}`, `{dst}`, `{dstport}`, `{first}`.
#pragma once

#include "../version.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../buffer_id.hpp"
#include "../detail/text/decimal_text.hpp"
#include "../detail/values/address_ops.hpp"
#include "../label.hpp"
#include "../timestamp.hpp"

TRACEFLOW_NAMESPACE_BEGIN

/// A parsed TraceFlowOptions::name_template. Addresses are written as in the
/// label (IPv6 `:` as `.`), `{first}` is the first packet's time as the label
/// prints it. An IPv6 address that begins with `::` is written `0..` (`0..1`
/// for `::1`), in `{label}` too, so that no name is hidden or leaves its
/// folder. `/` in a template makes folders; an absolute template or a `.` or
/// `..` folder is refused.
class NameTemplate {
public:
    /// Parses `text`; throws std::invalid_argument naming an unknown or unclosed placeholder.
    explicit NameTemplate(std::string_view text = "{label}") {
        std::size_t i = 0;
        while (i < text.size()) {
            const std::size_t open = text.find('{', i);
            if (open == std::string_view::npos) {
                parts_.push_back({Field::literal, std::string(text.substr(i))});
                break;
            }
            if (open > i) parts_.push_back({Field::literal, std::string(text.substr(i, open - i))});
            const std::size_t close = text.find('}', open);
            if (close == std::string_view::npos)
                throw std::invalid_argument("name template: unclosed placeholder in '" + std::string(text) + "'");
            const std::string_view name = text.substr(open + 1, close - open - 1);
            parts_.push_back({field_of(name), {}});
            i = close + 1;
        }
        label_only_ = parts_.size() == 1 && parts_.front().field == Field::label;
        // Names stay inside the output folder: '/' makes folders there, never a way out.
        if (!text.empty() && text.front() == '/')
            throw std::invalid_argument("name template: '" + std::string(text) +
                                        "' is an absolute path; names are made inside the output folder");
        for (std::size_t from = 0; from <= text.size();) {
            const std::size_t end = std::min(text.find('/', from), text.size());
            const std::string_view component = text.substr(from, end - from);
            if (component == "." || component == "..")
                throw std::invalid_argument("name template: '" + std::string(text) + "' has a '" +
                                            std::string(component) +
                                            "' folder; names are made inside the output folder");
            from = end + 1;
        }
    }

    /// True for the default, `{label}`.
    [[nodiscard]] bool label_only() const noexcept { return label_only_; }

    /// The file name (without extension) of a flow.
    template <typename AddressT>
    [[nodiscard]] std::string render(const std::string& label, const BufferID<AddressT>& id,
                                     const Timestamp& first) const {
        if (label_only_) return not_hidden(label);
        std::string src;
        std::string dst;
        detail::values::append_address(src, id.src);
        detail::values::append_address(dst, id.dst);
        return render(label, src, id.srcport, dst, id.dstport, first);
    }

    /// The same with the addresses given as text, as the label writes them
    /// (`detail::values::append_address`); they are read only by `{src}` and `{dst}`.
    [[nodiscard]] std::string render(const std::string& label, std::string_view src, std::uint16_t srcport,
                                     std::string_view dst, std::uint16_t dstport, const Timestamp& first) const {
        if (label_only_) return not_hidden(label);
        std::string out;
        for (const Part& part : parts_) {
            switch (part.field) {
                case Field::literal: out += part.text; break;
                case Field::label: out += not_hidden(label); break;
                case Field::src: address(out, src); break;
                case Field::srcport: detail::text::append_decimal(out, srcport); break;
                case Field::dst: address(out, dst); break;
                case Field::dstport: detail::text::append_decimal(out, dstport); break;
                case Field::first: first.append_python_repr(out); break;
            }
        }
        return out;
    }

private:
    enum class Field : std::uint8_t { literal, label, src, srcport, dst, dstport, first };
    struct Part {
        Field field;
        std::string text;
    };

    static Field field_of(std::string_view name) {
        if (name == "label") return Field::label;
        if (name == "src") return Field::src;
        if (name == "srcport") return Field::srcport;
        if (name == "dst") return Field::dst;
        if (name == "dstport") return Field::dstport;
        if (name == "first") return Field::first;
        throw std::invalid_argument("name template: unknown placeholder {" + std::string(name) +
                                    "} (known: {label} {src} {srcport} {dst} {dstport} {first})");
    }

    // An IPv6 address that begins with "::" is written "0::" (the same
    // address): as "..", it would hide the file or, alone, name the folder above.
    static void address(std::string& out, std::string_view text) {
        const std::size_t from = out.size();
        if (!text.empty() && text.front() == ':') out += '0';
        out += text;
        std::replace(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(), ':', '.');
    }

    // A label whose source address begins with "::" (written ".."), with that address as "0..".
    static std::string not_hidden(const std::string& label) {
        return !label.empty() && label.front() == '.' ? "0" + label : label;
    }

    std::vector<Part> parts_;
    bool label_only_ = false;
};

TRACEFLOW_NAMESPACE_END

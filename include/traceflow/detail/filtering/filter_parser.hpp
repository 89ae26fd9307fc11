// SPDX-License-Identifier: MIT
// The filter expression parser: tokens, a syntax tree, and its compilation to a Program.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../../filter/filter_error.hpp"
#include "../../filter/program.hpp"
#include "../../ip_address.hpp"

TRACEFLOW_NAMESPACE_BEGIN
namespace detail::filtering {

using filter::Direction;
using filter::FilterError;
using filter::Instruction;
using filter::Program;
using filter::TestKind;

struct Token {
    std::string_view text;  // empty at the end
    std::size_t position = 0;
};

/// Splits filter text into words and the operators ( ) ! && ||.
inline std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    const auto is_operator = [](char c) { return c == '(' || c == ')' || c == '!' || c == '&' || c == '|'; };
    while (i < s.size()) {
        if (is_space(s[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        if (is_operator(s[i])) {
            const bool doubled = (s[i] == '&' || s[i] == '|') && i + 1 < s.size() && s[i + 1] == s[i];
            i += doubled ? 2 : 1;
        } else {
            while (i < s.size() && !is_space(s[i]) && !is_operator(s[i])) ++i;
        }
        out.push_back({s.substr(start, i - start), start});
    }
    out.push_back({std::string_view(), s.size()});
    return out;
}

/// A number of at most `max`, digits only.
inline std::optional<std::uint32_t> parse_number(std::string_view text, std::uint32_t max) noexcept {
    if (text.empty() || text.size() > 6) return std::nullopt;
    std::uint32_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (v > max) return std::nullopt;
    return v;
}

struct Node {
    enum class Kind : std::uint8_t { test, both, either, negate } kind = Kind::test;
    Instruction test;
    std::uint32_t left = 0;
    std::uint32_t right = 0;
};

/// Qualifiers of the last primitive, reused by a bare id (`port 80 or 443`).
struct Qualifiers {
    std::string_view proto;  // "", "ip", "ip6", "tcp"
    Direction direction = Direction::either;
    std::string_view type = "host";
};

class Parser {
public:
    explicit Parser(std::string_view text) : tokens_(tokenize(text)) {}

    Program compile() {
        Program program;
        if (tokens_.size() == 1) return program;  // the empty filter matches everything
        const std::uint32_t root = expression(0);
        if (!peek().text.empty()) fail("expected 'and', 'or' or the end, not", peek());
        program.code.reserve(nodes_.size());
        program.entry = emit(program, root, Program::accept, Program::reject);
        return program;
    }

private:
    static constexpr unsigned max_depth = 200;
    static constexpr std::size_t max_nodes = 4096;

    [[noreturn]] static void fail(const std::string& what, const Token& at) {
        if (at.text.empty()) throw FilterError("filter: " + what + " the end of the expression", at.position, "");
        const std::string word(at.text);
        throw FilterError("filter: " + what + " '" + word + "' at offset " + std::to_string(at.position), at.position,
                          word);
    }

    const Token& peek(std::size_t ahead = 0) const {
        const std::size_t i = pos_ + ahead;
        return tokens_[i < tokens_.size() ? i : tokens_.size() - 1];
    }
    const Token& take() {
        const Token& t = tokens_[pos_];
        if (pos_ + 1 < tokens_.size()) ++pos_;
        return t;
    }
    static bool is_and(std::string_view w) { return w == "and" || w == "&&"; }
    static bool is_or(std::string_view w) { return w == "or" || w == "||"; }
    static bool is_not(std::string_view w) { return w == "not" || w == "!"; }
    static bool is_proto(std::string_view w) { return w == "ip" || w == "ip6" || w == "tcp"; }
    static bool is_type(std::string_view w) { return w == "host" || w == "net" || w == "port" || w == "portrange"; }

    std::uint32_t add(Node node) {
        if (nodes_.size() >= max_nodes) fail("the filter is too long at", peek());
        nodes_.push_back(node);
        return static_cast<std::uint32_t>(nodes_.size() - 1);
    }
    std::uint32_t add_test(Instruction in) {
        Node n;
        n.test = in;
        return add(n);
    }
    std::uint32_t join(Node::Kind kind, std::uint32_t a, std::uint32_t b) {
        Node n;
        n.kind = kind;
        n.left = a;
        n.right = b;
        return add(n);
    }

    // pcap-filter(7): `not` binds tightest; `and` and `or` have equal
    // precedence and associate left to right.
    std::uint32_t expression(unsigned depth) {
        std::uint32_t left = unary(depth);
        for (;;) {
            const std::string_view w = peek().text;
            if (!is_and(w) && !is_or(w)) return left;
            take();
            const std::uint32_t right = unary(depth);
            left = join(is_and(w) ? Node::Kind::both : Node::Kind::either, left, right);
        }
    }

    std::uint32_t unary(unsigned depth) {
        if (depth > max_depth) fail("nested too deeply at", peek());
        const Token& t = peek();
        if (is_not(t.text)) {
            take();
            return join(Node::Kind::negate, unary(depth + 1), 0);
        }
        if (t.text == "(") {
            take();
            const std::uint32_t inner = expression(depth + 1);
            if (peek().text != ")") fail("expected ')', not", peek());
            take();
            return inner;
        }
        return primitive();
    }

    std::uint32_t primitive() {
        const Token& first = peek();
        if (first.text.empty()) fail("expected a primitive (host, net, port, ...), not", first);
        if (first.text == "vlan") {
            take();
            Instruction in;
            in.kind = TestKind::vlan_any;
            if (const auto id = parse_number(peek().text, 4095)) {
                take();
                in.kind = TestKind::vlan_id;
                in.vlan = static_cast<std::uint16_t>(*id);
            } else if (!peek().text.empty() && peek().text[0] >= '0' && peek().text[0] <= '9') {
                fail("expected a VLAN id (0-4095), not", peek());
            }
            return add_test(in);
        }
        Qualifiers q;
        bool proto_given = false;
        bool id_needed = false;  // a direction or a type was given
        if (is_proto(first.text)) {
            q.proto = take().text;
            proto_given = true;
        }
        if (peek().text == "src" || peek().text == "dst") {
            q.direction = take().text == "src" ? Direction::src : Direction::dst;
            const std::string_view joint = peek().text;
            const std::string_view other = q.direction == Direction::src ? "dst" : "src";
            if ((joint == "or" || joint == "and") && peek(1).text == other) {
                take();
                take();
                q.direction = joint == "or" ? Direction::either : Direction::both;
            }
            id_needed = true;
        }
        if (is_type(peek().text)) {
            q.type = take().text;
            id_needed = true;
        }
        if (!proto_given && !id_needed) {
            const Token& t = peek();
            if (is_and(t.text) || is_or(t.text) || t.text == ")")
                fail("expected a primitive (host, net, port, ...), not", t);
            if (!starts_id(t.text)) fail("unknown or unsupported primitive", t);
            q = last_;  // a bare id takes the last primitive's qualifiers
            id_needed = true;
        }
        std::uint32_t proto_node = 0;
        const bool has_proto = q.proto == "ip" || q.proto == "ip6";
        if (has_proto) {
            Instruction in;
            in.kind = q.proto == "ip" ? TestKind::ipv4 : TestKind::ipv6;
            proto_node = add_test(in);
        }
        if (!id_needed) {  // `ip`, `ip6`, `tcp` alone
            if (has_proto) return proto_node;
            return add_test(Instruction{});  // `tcp`: every traced packet is TCP
        }
        if (!starts_id(peek().text) || is_keyword(peek().text)) fail("expected " + id_kind(q.type) + ", not", peek());
        last_ = q;
        const std::uint32_t test = add_test(identifier(q, take()));
        return has_proto ? join(Node::Kind::both, proto_node, test) : test;
    }

    static bool is_keyword(std::string_view w) {
        return is_and(w) || is_or(w) || is_not(w) || is_proto(w) || is_type(w) || w == "src" || w == "dst" ||
               w == "vlan" || w == "(" || w == ")";
    }
    static bool starts_id(std::string_view w) {
        if (w.empty()) return false;
        return (w[0] >= '0' && w[0] <= '9') || w.find(':') != std::string_view::npos;
    }
    static std::string id_kind(std::string_view type) {
        if (type == "port") return "a port number";
        if (type == "portrange") return "a port range A-B";
        if (type == "net") return "a network (address/prefix)";
        return "an IP address";
    }

    static Instruction identifier(const Qualifiers& q, const Token& t) {
        Instruction in;
        in.direction = q.direction;
        if (q.type == "port" || q.type == "portrange") {
            in.kind = TestKind::port;
            std::string_view low = t.text;
            std::string_view high = t.text;
            if (q.type == "portrange") {
                const std::size_t dash = t.text.find('-');
                if (dash == std::string_view::npos) fail("expected a port range A-B, not", t);
                low = t.text.substr(0, dash);
                high = t.text.substr(dash + 1);
            }
            const auto a = parse_number(low, 65535);
            const auto b = parse_number(high, 65535);
            if (!a || !b) fail("expected " + id_kind(q.type) + " (0-65535), not", t);
            in.port_low = static_cast<std::uint16_t>(*a < *b ? *a : *b);  // libpcap accepts B-A too
            in.port_high = static_cast<std::uint16_t>(*a < *b ? *b : *a);
            return in;
        }
        in.kind = TestKind::net;
        std::string_view address = t.text;
        std::optional<std::uint32_t> prefix;
        const std::size_t slash = address.find('/');
        if (slash != std::string_view::npos) {
            if (q.type != "net") fail("a prefix length needs 'net':", t);
            prefix = parse_number(address.substr(slash + 1), 128);
            if (!prefix) fail("expected a prefix length after '/' in", t);
            address = address.substr(0, slash);
        }
        std::optional<IpAddress> ip = IpAddress::parse(address);
        if (!ip && q.type == "net" && !prefix) {
            // pcap's short networks: `net 10` is 10/8, `net 192.168` is 192.168/16.
            std::string padded(address);
            std::size_t parts = 1;
            for (const char c : address) parts += c == '.' ? 1 : 0;
            if (parts < 4) {
                for (std::size_t i = parts; i < 4; ++i) padded += ".0";
                ip = IpAddress::parse(padded);
                prefix = static_cast<std::uint32_t>(8 * parts);
            }
        }
        if (!ip) fail(q.type == "net" ? "expected a network (address/prefix), not" : "expected an IP address, not", t);
        if ((q.proto == "ip" && !ip->is_v4()) || (q.proto == "ip6" && !ip->is_v6()))
            fail("the address does not belong to '" + std::string(q.proto) + "':", t);
        const unsigned bits = ip->is_v4() ? 32 : 128;
        if (!prefix) prefix = bits;
        if (*prefix > bits) fail("the prefix length is too long in", t);
        in.prefix = static_cast<std::uint8_t>(*prefix);
        in.address = *ip;
        // libpcap refuses a network with host bits set (`net 10.0.0.1/8`).
        const std::uint8_t* b = ip->data();
        for (unsigned bit = *prefix; bit < bits; ++bit)
            if ((b[bit / 8] >> (7 - bit % 8)) & 1U) fail("the network has bits set past its prefix:", t);
        return in;
    }

    // Emits `node` so that it jumps to `yes` when it holds, `no` otherwise;
    // returns its first instruction. Children are emitted first, so every
    // jump goes to an instruction emitted earlier.
    std::uint32_t emit(Program& p, std::uint32_t node, std::uint32_t yes, std::uint32_t no) const {
        const Node& n = nodes_[node];
        switch (n.kind) {
            case Node::Kind::negate: return emit(p, n.left, no, yes);
            case Node::Kind::both: return emit(p, n.left, emit(p, n.right, yes, no), no);
            case Node::Kind::either: return emit(p, n.left, yes, emit(p, n.right, yes, no));
            case Node::Kind::test: break;
        }
        Instruction in = n.test;
        in.if_true = yes;
        in.if_false = no;
        p.code.push_back(in);
        return static_cast<std::uint32_t>(p.code.size() - 1);
    }

    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    std::vector<Node> nodes_;
    Qualifiers last_;
};

}  // namespace detail::filtering
TRACEFLOW_NAMESPACE_END

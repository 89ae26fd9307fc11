// SPDX-License-Identifier: MIT
// The filter expression parser: tokens, a syntax tree, and its compilation to a Program.
#pragma once

#include "../../version.hpp"

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <istream>
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

using filter::ArithOp;
using filter::ArithStep;
using filter::Direction;
using filter::FilterError;
using filter::Instruction;
using filter::Program;
using filter::Relation;
using filter::TestKind;

struct Token {
    std::string_view text;  // empty at the end
    std::size_t position = 0;
};

/// Splits filter text into words and the operators ( ) [ ] ! && || & | ^ +
/// * % = == != < <= > >= << >>. `-` and `/` are operators only where a word
/// would start (so `1000-2000`, `http-alt`, `10.0.0.0/8` stay words), `:`
/// only inside brackets (so IPv6 addresses stay words).
inline std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    int brackets = 0;
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    const auto is_operator = [&brackets](char c) {
        return c == '(' || c == ')' || c == '!' || c == '&' || c == '|' || c == '[' || c == ']' || c == '=' ||
               c == '<' || c == '>' || c == '+' || c == '*' || c == '%' || c == '^' || (c == ':' && brackets > 0);
    };
    const auto is_pair = [](char a, char b) {
        return (a == b && (a == '&' || a == '|' || a == '<' || a == '>' || a == '=')) ||
               (b == '=' && (a == '!' || a == '<' || a == '>'));
    };
    while (i < s.size()) {
        if (is_space(s[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        if (is_operator(s[i]) || s[i] == '-' || s[i] == '/') {
            const bool pair = i + 1 < s.size() && is_pair(s[i], s[i + 1]);
            if (s[i] == '[') ++brackets;
            if (s[i] == ']' && brackets > 0) --brackets;
            i += pair ? 2 : 1;
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

/// A number for a byte test: decimal, 0x hexadecimal or 0 octal (as libpcap), at most 0xFFFFFFFF.
inline std::optional<std::uint32_t> parse_constant(std::string_view text) noexcept {
    unsigned base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    } else if (text.size() > 1 && text[0] == '0') {
        base = 8;  // as libpcap: 022 is 18
    }
    if (text.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (const char c : text) {
        unsigned d = 0;
        if (c >= '0' && c <= (base == 8 ? '7' : '9'))
            d = static_cast<unsigned>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = static_cast<unsigned>(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = static_cast<unsigned>(c - 'A' + 10);
        else
            return std::nullopt;
        v = v * base + d;
        if (v > 0xFFFFFFFFu) return std::nullopt;
    }
    return static_cast<std::uint32_t>(v);
}

/// pcap-filter(7)'s named constants of byte tests: `tcpflags` and the flag bits.
inline std::optional<std::uint32_t> named_constant(std::string_view w) noexcept {
    struct Named {
        std::string_view name;
        std::uint32_t value;
    };
    static constexpr Named names[] = {
        {"tcpflags", 13},  {"tcp-fin", 0x01}, {"tcp-syn", 0x02}, {"tcp-rst", 0x04}, {"tcp-push", 0x08},
        {"tcp-ack", 0x10}, {"tcp-urg", 0x20}, {"tcp-ece", 0x40}, {"tcp-cwr", 0x80},
    };
    for (const Named& n : names)
        if (n.name == w) return n.value;
    return std::nullopt;
}

/// A service name and its TCP port.
struct Service {
    std::string name;
    std::uint16_t port = 0;
};

/// The TCP entries of a services(5) file (`name port/tcp aliases... # comment`),
/// each name and alias once per line.
inline std::vector<Service> parse_services(std::istream& in) {
    std::vector<Service> out;
    std::string line;
    const auto words = [](std::string_view l) {
        std::vector<std::string_view> w;
        std::size_t i = 0;
        while (i < l.size()) {
            while (i < l.size() && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r')) ++i;
            const std::size_t start = i;
            while (i < l.size() && l[i] != ' ' && l[i] != '\t' && l[i] != '\r') ++i;
            if (i > start) w.push_back(l.substr(start, i - start));
        }
        return w;
    };
    while (std::getline(in, line)) {
        std::string_view l(line);
        const std::size_t hash = l.find('#');
        if (hash != std::string_view::npos) l = l.substr(0, hash);
        const std::vector<std::string_view> w = words(l);
        if (w.size() < 2) continue;
        const std::size_t slash = w[1].find('/');
        if (slash == std::string_view::npos || w[1].substr(slash + 1) != "tcp") continue;
        const std::optional<std::uint32_t> port = parse_number(w[1].substr(0, slash), 65535);
        if (!port) continue;
        out.push_back({std::string(w[0]), static_cast<std::uint16_t>(*port)});
        for (std::size_t k = 2; k < w.size(); ++k)
            out.push_back({std::string(w[k]), static_cast<std::uint16_t>(*port)});
    }
    return out;
}

/// Common services, for systems without /etc/services (or with a short one).
inline std::optional<std::uint16_t> builtin_service(std::string_view name) noexcept {
    struct Known {
        std::string_view name;
        std::uint16_t port;
    };
    static constexpr Known known[] = {
        {"ftp-data", 20}, {"ftp", 21},          {"ssh", 22},         {"telnet", 23},     {"smtp", 25},
        {"domain", 53},   {"http", 80},         {"www", 80},         {"pop3", 110},      {"imap", 143},
        {"ldap", 389},    {"https", 443},       {"submission", 587}, {"imaps", 993},     {"pop3s", 995},
        {"mysql", 3306},  {"postgresql", 5432}, {"http-alt", 8080},  {"webcache", 8080},
    };
    for (const Known& k : known)
        if (k.name == name) return k.port;
    return std::nullopt;
}

/// The TCP port of service `name`: from `services_path` (services(5)), else
/// from builtin_service().
inline std::optional<std::uint16_t> service_port(std::string_view name, const char* services_path = "/etc/services") {
    std::ifstream in(services_path);
    if (in) {
        for (const Service& s : parse_services(in))
            if (s.name == name) return s.port;
    }
    return builtin_service(name);
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
        program.arith = arith_;
        // Loads at a constant offset within tcp[0..11] or at tcp[13] read the fields.
        for (std::size_t k = 0; k < arith_.size(); ++k) {
            if (arith_[k].op != ArithOp::load) continue;
            const bool constant = k > 0 && arith_[k - 1].op == ArithOp::constant;
            const std::uint64_t at = constant ? arith_[k - 1].value : 0;
            const bool in_fields = constant && (at + arith_[k].size <= 12 || (at == 13 && arith_[k].size == 1));
            if (!in_fields) program.needs_tcp_bytes = true;
        }
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
            // `(tcp[13] & 3) != 0` or `(port 80 or port 443)`: try the
            // comparison first; when neither parses, report the error that
            // got further.
            const std::size_t saved_pos = pos_;
            const std::size_t saved_nodes = nodes_.size();
            const std::size_t saved_arith = arith_.size();
            try {
                return relation(depth + 1);
            } catch (const FilterError& as_relation) {
                pos_ = saved_pos;
                nodes_.resize(saved_nodes);
                arith_.resize(saved_arith);
                try {
                    take();
                    const std::uint32_t inner = expression(depth + 1);
                    if (peek().text != ")") fail("expected ')', not", peek());
                    take();
                    return inner;
                } catch (const FilterError& as_group) {
                    if (as_relation.position() > as_group.position()) throw as_relation;
                    throw;
                }
            }
        }
        if (starts_relation()) return relation(depth + 1);
        return primitive();
    }

    // Byte tests (pcap-filter(7) `expr relop expr`), as a stack machine in
    // arith_. Precedence as in C and libpcap: | below ^ below & below shifts
    // below + - below * / %, unary minus tightest.
    static bool is_relop(std::string_view w) {
        return w == "=" || w == "==" || w == "!=" || w == "<" || w == "<=" || w == ">" || w == ">=";
    }
    static bool is_arith_op(std::string_view w) {
        return w == "&" || w == "|" || w == "^" || w == "+" || w == "-" || w == "*" || w == "/" || w == "%" ||
               w == "<<" || w == ">>";
    }
    bool starts_relation() const {
        const std::string_view t = peek().text;
        const std::string_view next = peek(1).text;
        if (t == "-") return true;
        if (next == "[") return true;  // tcp[...] (and other protocols, refused with a reason)
        return (parse_constant(t) || named_constant(t)) && (is_relop(next) || is_arith_op(next));
    }

    std::uint32_t relation(unsigned depth) {
        stack_ = 0;  // relations do not nest
        const std::size_t begin = arith_.size();
        arith_or(depth);
        const Token& op = peek();
        if (!is_relop(op.text)) fail("expected a comparison (=, !=, <, <=, >, >=), not", op);
        take();
        arith_or(depth);
        Instruction in;
        in.kind = TestKind::relation;
        in.relation = op.text == "=" || op.text == "==" ? Relation::eq
                      : op.text == "!="                 ? Relation::ne
                      : op.text == "<"                  ? Relation::lt
                      : op.text == "<="                 ? Relation::le
                      : op.text == ">"                  ? Relation::gt
                                                        : Relation::ge;
        in.arith_end = static_cast<std::uint32_t>(arith_.size());
        in.arith_begin = static_cast<std::uint32_t>(begin);
        return add_test(in);
    }

    void push_step(ArithStep step, const Token& at) {
        if (arith_.size() >= max_nodes) fail("the filter is too long at", at);
        if (step.op == ArithOp::constant) {
            if (++stack_ > detail::filtering::max_arith_stack) fail("the expression is nested too deeply at", at);
        } else if (step.op != ArithOp::load && step.op != ArithOp::neg) {
            --stack_;
        }
        arith_.push_back(step);
    }

    // A binary operator after its operands: folded when both are constants.
    void push_binary(ArithOp op, const Token& at) {
        const std::size_t n = arith_.size();
        if ((op == ArithOp::div || op == ArithOp::mod) && arith_[n - 1].op == ArithOp::constant &&
            arith_[n - 1].value == 0)
            fail("division by zero at", at);
        if (n >= 2 && arith_[n - 1].op == ArithOp::constant && arith_[n - 2].op == ArithOp::constant) {
            const std::uint32_t a = arith_[n - 2].value;
            const std::uint32_t b = arith_[n - 1].value;
            std::uint32_t v = 0;
            switch (op) {
                case ArithOp::add: v = a + b; break;
                case ArithOp::sub: v = a - b; break;
                case ArithOp::mul: v = a * b; break;
                case ArithOp::div: v = a / b; break;
                case ArithOp::mod: v = a % b; break;
                case ArithOp::bit_and: v = a & b; break;
                case ArithOp::bit_or: v = a | b; break;
                case ArithOp::bit_xor: v = a ^ b; break;
                case ArithOp::shl: v = b < 32 ? a << b : 0; break;
                case ArithOp::shr: v = b < 32 ? a >> b : 0; break;
                case ArithOp::constant:
                case ArithOp::load:
                case ArithOp::neg: break;
            }
            arith_.pop_back();
            arith_.back().value = v;
            --stack_;
            return;
        }
        ArithStep s;
        s.op = op;
        push_step(s, at);
    }

    template <typename Next>
    void binary_level(unsigned depth, std::initializer_list<std::pair<std::string_view, ArithOp>> ops, Next next) {
        (this->*next)(depth);
        for (;;) {
            const Token& t = peek();
            const auto* found = ops.begin();
            for (; found != ops.end(); ++found)
                if (found->first == t.text) break;
            if (found == ops.end()) return;
            take();
            (this->*next)(depth);
            push_binary(found->second, t);
        }
    }

    void arith_or(unsigned depth) {
        if (depth > max_depth) fail("nested too deeply at", peek());
        binary_level(depth, {{"|", ArithOp::bit_or}}, &Parser::arith_xor);
    }
    void arith_xor(unsigned depth) { binary_level(depth, {{"^", ArithOp::bit_xor}}, &Parser::arith_and); }
    void arith_and(unsigned depth) { binary_level(depth, {{"&", ArithOp::bit_and}}, &Parser::arith_shift); }
    void arith_shift(unsigned depth) {
        binary_level(depth, {{"<<", ArithOp::shl}, {">>", ArithOp::shr}}, &Parser::arith_sum);
    }
    void arith_sum(unsigned depth) {
        binary_level(depth, {{"+", ArithOp::add}, {"-", ArithOp::sub}}, &Parser::arith_product);
    }
    void arith_product(unsigned depth) {
        binary_level(depth, {{"*", ArithOp::mul}, {"/", ArithOp::div}, {"%", ArithOp::mod}}, &Parser::arith_unary);
    }
    void arith_unary(unsigned depth) {
        if (depth > max_depth) fail("nested too deeply at", peek());
        if (peek().text != "-") return arith_primary(depth);
        const Token& minus = take();
        arith_unary(depth + 1);
        if (arith_.back().op == ArithOp::constant) {
            arith_.back().value = 0u - arith_.back().value;
            return;
        }
        ArithStep s;
        s.op = ArithOp::neg;
        push_step(s, minus);
    }
    void arith_primary(unsigned depth) {
        const Token& t = peek();
        if (t.text == "(") {
            take();
            arith_or(depth + 1);
            if (peek().text != ")") fail("expected ')', not", peek());
            take();
            return;
        }
        if (peek(1).text == "[") {
            if (t.text != "tcp") fail("byte tests read only the TCP header (tcp[N], tcp[N:2]), not", t);
            take();
            take();
            arith_or(depth + 1);
            std::uint8_t size = 1;
            if (peek().text == ":") {
                take();
                const Token& z = peek();
                if (z.text != "1" && z.text != "2" && z.text != "4") fail("expected a byte count 1, 2 or 4, not", z);
                size = static_cast<std::uint8_t>(take().text[0] - '0');
            }
            if (peek().text != "]") fail("expected ']', not", peek());
            take();
            ArithStep s;
            s.op = ArithOp::load;
            s.size = size;
            push_step(s, t);
            return;
        }
        std::optional<std::uint32_t> v = parse_constant(t.text);
        if (!v) v = named_constant(t.text);
        if (!v) fail("expected a number, tcp[...] or a constant such as tcp-syn, not", t);
        take();
        ArithStep s;
        s.value = *v;
        push_step(s, t);
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
            if (!starts_id(t.text) && !(is_port_type(last_.type) && is_name(t.text)))
                fail("unknown or unsupported primitive", t);
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
        const bool id_ok = starts_id(peek().text) || (is_port_type(q.type) && is_name(peek().text));
        if (!id_ok || is_keyword(peek().text)) fail("expected " + id_kind(q.type) + ", not", peek());
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
    static bool is_port_type(std::string_view type) { return type == "port" || type == "portrange"; }
    // A service name (`http`, `http-alt`): a letter first, not an operator.
    static bool is_name(std::string_view w) {
        return !w.empty() && ((w[0] >= 'a' && w[0] <= 'z') || (w[0] >= 'A' && w[0] <= 'Z')) && !is_keyword(w);
    }
    // A port number or a service name of /etc/services.
    static std::optional<std::uint16_t> port_of(std::string_view text) {
        if (text.empty()) return std::nullopt;
        if (text[0] >= '0' && text[0] <= '9') {
            const auto n = parse_number(text, 65535);
            if (!n) return std::nullopt;
            return static_cast<std::uint16_t>(*n);
        }
        return service_port(text);
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
            std::optional<std::uint16_t> a;
            std::optional<std::uint16_t> b;
            if (q.type == "portrange") {
                // Names may hold '-' (`http-alt`): the first split where both ends are ports.
                for (std::size_t dash = t.text.find('-'); dash != std::string_view::npos && !(a && b);
                     dash = t.text.find('-', dash + 1)) {
                    a = port_of(t.text.substr(0, dash));
                    b = a ? port_of(t.text.substr(dash + 1)) : std::nullopt;
                }
                if (!a || !b) fail("expected a port range A-B (ports 0-65535 or service names), not", t);
            } else {
                a = b = port_of(t.text);
                if (!a && is_name(t.text)) fail("unknown service name (not in /etc/services):", t);
                if (!a) fail("expected a port number (0-65535) or a service name, not", t);
            }
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
    std::vector<ArithStep> arith_;  // the byte tests' steps, in order
    std::size_t stack_ = 0;         // values a run would have on its stack here
};

}  // namespace detail::filtering
TRACEFLOW_NAMESPACE_END

// bp_symbolize.cc - the referee for the .sym differential test: Breakpad's own lookups, as JSON.
// SPDX-License-Identifier: MIT
//
// usage: bp_symbolize SYMFILE [ADDR...]
//
// Loads SYMFILE with google_breakpad::BasicSourceLineResolver and, for every module-relative
// hex address on the command line (or, with none, on stdin one per line), prints one JSON
// object per line with what Breakpad's public calls answer: FillSourceLineInfo (function,
// source line, inline frames), FindCFIFrameInfo (the rule set, as CFIFrameInfo::Serialize()
// writes it) and FindWindowsFrameInfo (a STACK WIN record). tests/differential/sym_diff.sh
// compares these lines with `dmpread symbolize --json`.
//
// The resolver does not say everything the comparison needs, so a side index built from the
// same text with Breakpad's own parsers and maps (SymbolParseHelper, WindowsFrameInfo::
// ParseFromString, RangeMap, AddressMap, ContainedRangeMap, stored in file order exactly as the
// resolver stores them) supplies the rest: whether the name came from a FUNC or a PUBLIC, the
// record's parameter size, and the start and size of the STACK WIN record the resolver chose.
// Every name and address the side index gives is checked against the resolver's answer; a
// mismatch is a bug here and ends the program with status 3.
//
// The module is loaded at a base far from 0 so that StackFrame::source_line_base (0 when no
// line record covers the address) tells "no line record" apart from a line record at 0; every
// address printed is module-relative again.

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "google_breakpad/processor/basic_source_line_resolver.h"
#include "google_breakpad/processor/stack_frame.h"
#include "processor/address_map-inl.h"
#include "processor/basic_code_module.h"
#include "processor/cfi_frame_info.h"
#include "processor/contained_range_map-inl.h"
#include "processor/range_map-inl.h"
#include "processor/windows_frame_info.h"

using google_breakpad::AddressMap;
using google_breakpad::BasicCodeModule;
using google_breakpad::BasicSourceLineResolver;
using google_breakpad::CFIFrameInfo;
using google_breakpad::ContainedRangeMap;
using google_breakpad::RangeMap;
using google_breakpad::StackFrame;
using google_breakpad::SymbolParseHelper;
using google_breakpad::WindowsFrameInfo;

namespace
{

const uint64_t kBase = 0x4000000000000000ULL;
const int kWinTypes = WindowsFrameInfo::STACK_INFO_LAST;

// A FUNC or PUBLIC record, as the side index keeps it.
struct SymRecord {
    std::string name;
    uint64_t address = 0;
    long param_size = 0;
};

// A STACK WIN record's range.
struct WinRange {
    uint64_t start = 0;
    uint64_t size = 0;
};

struct SideIndex {
    std::vector<SymRecord> records;
    RangeMap<uint64_t, size_t> funcs;
    AddressMap<uint64_t, size_t> publics;
    std::vector<WinRange> win_ranges;
    ContainedRangeMap<uint64_t, size_t> wins[kWinTypes];
};

[[noreturn]] void fail(const std::string &what)
{
    std::cerr << "bp_symbolize: " << what << "\n";
    exit(3);
}

// One line of the file, handled as LoadMapFromMemory dispatches it.
void index_line(SideIndex *ix, std::string line)
{
    std::vector<char> buf(line.begin(), line.end());
    buf.push_back('\0');
    char *const p = buf.data();
    bool multiple = false;
    uint64_t address = 0, size = 0;
    long param = 0;
    char *name = nullptr;
    if (line.compare(0, 5, "FUNC ") == 0) {
        if (SymbolParseHelper::ParseFunction(p, &multiple, &address, &size, &param, &name)) {
            ix->records.push_back({name, address, param});
            ix->funcs.StoreRange(address, size, ix->records.size() - 1);
        }
    } else if (line.compare(0, 7, "PUBLIC ") == 0) {
        // The resolver leaves out PUBLIC records at address 0 (ParsePublicSymbol).
        if (SymbolParseHelper::ParsePublicSymbol(p, &multiple, &address, &param, &name) &&
            address != 0) {
            ix->records.push_back({name, address, param});
            ix->publics.Store(address, ix->records.size() - 1);
        }
    } else if (line.compare(0, 6, "STACK ") == 0) {
        // ParseStackInfo: "STACK", spaces, the platform, one separator, the fields.
        size_t i = 6;
        while (i < line.size() && line[i] == ' ')
            i++;
        const size_t platform = i;
        while (i < line.size() && line[i] != ' ')
            i++;
        if (line.compare(platform, i - platform, "WIN") != 0 || i >= line.size())
            return;
        int type = 0;
        uint64_t rva = 0, code_size = 0;
        std::unique_ptr<WindowsFrameInfo> info(
            WindowsFrameInfo::ParseFromString(line.substr(i + 1), type, rva, code_size));
        if (info) {
            ix->win_ranges.push_back({rva, code_size});
            ix->wins[type].StoreRange(rva, code_size, ix->win_ranges.size() - 1);
        }
    }
}

void build_side_index(SideIndex *ix, const std::string &text)
{
    // The resolver splits with strtok_r(..., "\r\n"): empty lines do not count.
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find_first_of("\r\n", pos);
        if (end == std::string::npos)
            end = text.size();
        if (end > pos)
            index_line(ix, text.substr(pos, end - pos));
        pos = end + 1;
    }
}

std::string hex(uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string quote(const std::string &s)
{
    std::string out = "\"";
    for (const char c : s) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string str_or_null(const std::string &s)
{
    return s.empty() ? "null" : quote(s);
}

// "file" and "line" of one frame: `from_line_table` says whether the values are the line
// table's (absent when no line record covers the address) or a call site's (always there).
std::string file_line(const StackFrame &f, bool from_line_table, bool has_line)
{
    const bool present = !from_line_table || has_line;
    return "\"file\":" + (present ? str_or_null(f.source_file_name) : std::string("null")) +
           ",\"line\":" + (present ? std::to_string(f.source_line) : std::string("null"));
}

std::string win_json(const WindowsFrameInfo &w, const WinRange &r)
{
    std::ostringstream o;
    o << "{\"type\":" << static_cast<int>(w.type_) << ",\"start\":\"" << hex(r.start)
      << "\",\"size\":\"" << hex(r.size) << "\",\"prologue_size\":" << w.prolog_size
      << ",\"epilogue_size\":" << w.epilog_size << ",\"param_size\":" << w.parameter_size
      << ",\"saved_regs_size\":" << w.saved_register_size << ",\"locals_size\":" << w.local_size
      << ",\"max_stack_size\":" << w.max_stack_size
      << ",\"program\":" << str_or_null(w.program_string)
      << ",\"allocates_base_pointer\":" << (w.allocates_base_pointer ? "true" : "false") << "}";
    return o.str();
}

class Referee
{
  public:
    Referee(const BasicCodeModule *module, BasicSourceLineResolver *resolver,
            const SideIndex *index)
        : module_(module), resolver_(resolver), index_(index)
    {
    }
    std::string lookup(uint64_t addr) const;

  private:
    std::string function_part(uint64_t addr, const StackFrame &f) const;
    std::string win_part(uint64_t addr, const StackFrame &f) const;

    const BasicCodeModule *module_;
    BasicSourceLineResolver *resolver_;
    const SideIndex *index_;
};

// kind, function, function_start, param_size and multiple.
std::string Referee::function_part(uint64_t addr, const StackFrame &f) const
{
    if (f.function_name.empty())
        return "\"kind\":null,\"function\":null,\"function_start\":null,\"param_size\":null,"
               "\"multiple\":null";
    const uint64_t start = f.function_base - kBase;
    size_t rec = 0;
    uint64_t base = 0;
    const char *kind = "func";
    if (!index_->funcs.RetrieveRange(addr, &rec, &base, nullptr, nullptr)) {
        kind = "public";
        if (!index_->publics.Retrieve(addr, &rec, &base))
            fail("no PUBLIC at or below " + hex(addr) + " in the side index");
    }
    const SymRecord &r = index_->records[rec];
    if (base != start || r.name != f.function_name)
        fail("the side index found " + r.name + " at " + hex(base) + " for " + hex(addr) +
             ", the resolver " + f.function_name + " at " + hex(start));
    return std::string("\"kind\":\"") + kind + "\",\"function\":" + quote(f.function_name) +
           ",\"function_start\":\"" + hex(start) +
           "\",\"param_size\":" + std::to_string(r.param_size) +
           ",\"multiple\":" + (f.is_multiple ? "true" : "false");
}

std::string Referee::win_part(uint64_t addr, const StackFrame &f) const
{
    std::unique_ptr<WindowsFrameInfo> w(resolver_->FindWindowsFrameInfo(&f));
    // Without a STACK WIN record the resolver makes up one holding only a FUNC's parameter
    // size (valid == VALID_PARAMETER_SIZE): that is no record.
    if (!w || w->valid != WindowsFrameInfo::VALID_ALL)
        return "null";
    const int type = static_cast<int>(w->type_);
    size_t idx = 0;
    if (type < 0 || type >= kWinTypes || !index_->wins[type].RetrieveRange(addr, &idx))
        fail("no STACK WIN of type " + std::to_string(type) + " at " + hex(addr) +
             " in the side index");
    return win_json(*w, index_->win_ranges[idx]);
}

std::string Referee::lookup(uint64_t addr) const
{
    StackFrame f;
    f.instruction = kBase + addr;
    f.module = module_;
    std::deque<std::unique_ptr<StackFrame>> inlines;
    resolver_->FillSourceLineInfo(&f, &inlines);
    const bool has_line = f.source_line_base != 0;

    std::string out = "{\"address\":\"" + hex(addr) + "\"," + function_part(addr, f) + ",";
    if (f.function_name.empty())
        out += "\"file\":null,\"line\":null";
    else
        out += file_line(f, inlines.empty(), has_line);
    out += ",\"line_start\":" +
           (has_line ? "\"" + hex(f.source_line_base - kBase) + "\"" : std::string("null"));
    // Innermost first, as ContainedRangeMap::RetrieveRanges gives them; the innermost shows
    // the line table's file and line, each other one its inner neighbour's call site.
    out += ",\"inlines\":[";
    for (size_t i = 0; i < inlines.size(); i++) {
        const StackFrame &in = *inlines[i];
        out += std::string(i ? "," : "") + "{\"function\":" + quote(in.function_name) +
               ",\"start\":\"" + hex(in.function_base - kBase) + "\"," +
               file_line(in, i == 0, has_line) + "}";
    }
    out += "]";

    std::unique_ptr<CFIFrameInfo> cfi(resolver_->FindCFIFrameInfo(&f));
    out += ",\"cfi\":" + (cfi ? quote(cfi->Serialize()) : std::string("null"));
    out += ",\"win\":" + win_part(addr, f) + "}";
    return out;
}

bool parse_address(const std::string &s, uint64_t *out)
{
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    size_t end = s.size();
    while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r'))
        end--;
    std::string t = s.substr(i, end - i);
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X'))
        t = t.substr(2);
    if (t.empty() || t.size() > 16 ||
        t.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        return false;
    *out = strtoull(t.c_str(), nullptr, 16);
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::cerr << "usage: bp_symbolize SYMFILE [ADDR...]  (hex; none: one a line on stdin)\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "bp_symbolize: cannot read " << argv[1] << "\n";
        return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();

    BasicSourceLineResolver resolver;
    const BasicCodeModule module(kBase, UINT64_MAX - kBase, "module", "", "module.sym", "", "");
    if (!resolver.LoadModuleUsingMapBuffer(&module, text.str())) {
        std::cerr << "bp_symbolize: Breakpad did not load " << argv[1] << "\n";
        return 2;
    }
    SideIndex index;
    build_side_index(&index, text.str());
    const Referee referee(&module, &resolver, &index);

    std::vector<std::string> args(argv + 2, argv + argc);
    if (args.empty()) {
        std::string line;
        while (std::getline(std::cin, line))
            if (line.find_first_not_of(" \t\r") != std::string::npos)
                args.push_back(line);
    }
    for (const std::string &a : args) {
        uint64_t addr = 0;
        if (!parse_address(a, &addr)) {
            std::cerr << "bp_symbolize: not a hex address: " << a << "\n";
            return 2;
        }
        std::cout << referee.lookup(addr) << "\n";
    }
    std::cout.flush();
    return std::cout ? 0 : 2;
}

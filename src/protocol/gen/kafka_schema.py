#!/usr/bin/env python3
"""Turns Brook's Kafka schema files (doc/formats/kafka-schema.md) into C++.

    kafka_schema.py --check FILE...            parse and validate, print errors
    kafka_schema.py --out DIR FILE...          write DIR/<name>.h and DIR/<name>.cc per schema
    kafka_schema.py --out DIR --catalog FILE...  write DIR/api_catalog.{h,cc} for all FILEs

The generated code uses wire_reader / wire_writer (src/protocol/wire_*.h) for the bytes.
"""

import argparse
import os
import re
import sys

PRIMITIVES = {
    "bool": ("bool", "false"),
    "int8": ("int8_t", "0"),
    "int16": ("int16_t", "0"),
    "int32": ("int32_t", "0"),
    "int64": ("int64_t", "0"),
    "uint16": ("uint16_t", "0"),
    "uint32": ("uint32_t", "0"),
    "float64": ("double", "0"),
    "uuid": ("::brook::protocol::uuid", "{}"),
    "string": ("std::string", "{}"),
    "bytes": ("std::vector<std::byte>", "{}"),
    "records": ("::brook::protocol::record_data", "{}"),
}

CPP_KEYWORDS = {
    "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char",
    "class", "const", "continue", "default", "delete", "do", "double", "else", "enum",
    "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if",
    "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "nullptr",
    "operator", "or", "private", "protected", "public", "register", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "template", "this", "throw", "true",
    "try", "typedef", "typename", "union", "unsigned", "using", "virtual", "void",
    "volatile", "while", "xor", "requires", "concept", "module", "import",
}


class SchemaError(Exception):
    pass


class VersionRange:
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    @staticmethod
    def parse(text, where):
        m = re.fullmatch(r"(\d+)(\+|-(\d+))?", text)
        if not m:
            raise SchemaError(f"{where}: bad version range '{text}'")
        lo = int(m.group(1))
        if m.group(2) == "+":
            hi = 32767
        elif m.group(3) is not None:
            hi = int(m.group(3))
        else:
            hi = lo
        if hi < lo:
            raise SchemaError(f"{where}: empty version range '{text}'")
        return VersionRange(lo, hi)

    def intersect(self, other):
        return VersionRange(max(self.lo, other.lo), min(self.hi, other.hi))

    def empty(self):
        return self.hi < self.lo

    def covers(self, other):
        return self.lo <= other.lo and other.hi <= self.hi

    def cond(self, var, bounds):
        """A C++ condition true for versions in this range, given the API's bounds."""
        parts = []
        if self.lo > bounds.lo:
            parts.append(f"{var} >= {self.lo}")
        if self.hi < bounds.hi:
            parts.append(f"{var} <= {self.hi}")
        return " && ".join(parts) if parts else "true"


class Field:
    def __init__(self, name, line_no):
        self.name = name
        self.line_no = line_no
        self.type = None  # primitive name, or a Struct
        self.array = False
        self.versions = None
        self.nullable = None  # VersionRange or None
        self.tag = None
        self.default = None
        self.struct = None  # Struct when the element type is a struct

    @property
    def cpp_name(self):
        return self.name + "_" if self.name in CPP_KEYWORDS else self.name


class Struct:
    def __init__(self, name, versions):
        self.name = name
        self.versions = versions
        self.fields = []


class Api:
    def __init__(self):
        self.name = None
        self.key = None
        self.versions = None
        self.flexible = None  # VersionRange or None
        self.request = None
        self.response = None


def parse(path):
    where_file = os.path.basename(path)
    api = Api()
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()

    section = None
    stack = []  # (indent, Struct)
    structs = {}  # name -> Struct, per message (request/response share one namespace)
    last_field = None  # (indent, Field)

    for no, raw in enumerate(lines, 1):
        where = f"{where_file}:{no}"
        text = raw.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        if "\t" in raw:
            raise SchemaError(f"{where}: tabs are not allowed; indent with two spaces")
        indent = len(text) - len(text.lstrip(" "))
        body = text.strip()

        if body.startswith("api "):
            m = re.fullmatch(
                r"api ([a-z][a-z0-9_]*) key (\d+) versions (\S+) flexible (\S+)", body)
            if not m:
                raise SchemaError(
                    f"{where}: expected 'api <name> key <n> versions <lo>-<hi> flexible <N>+|none'")
            api.name = m.group(1)
            api.key = int(m.group(2))
            api.versions = VersionRange.parse(m.group(3), where)
            if m.group(4) == "none":
                api.flexible = None
            else:
                if not m.group(4).endswith("+"):
                    raise SchemaError(f"{where}: flexible must be 'N+' or 'none'")
                api.flexible = VersionRange.parse(m.group(4), where).intersect(api.versions)
            continue
        if body in ("request", "response"):
            if api.name is None:
                raise SchemaError(f"{where}: 'api' line must come first")
            if indent != 0:
                raise SchemaError(f"{where}: '{body}' must not be indented")
            section = Struct(f"{api.name}_{body}", api.versions)
            setattr(api, body, section)
            stack = [(2, section)]
            structs = {}
            last_field = None
            continue
        if section is None:
            raise SchemaError(f"{where}: a field outside 'request' or 'response'")
        if indent % 2 != 0 or indent == 0:
            raise SchemaError(f"{where}: fields are indented by two spaces per level")

        # A line indented one level below the previous field opens that field's struct;
        # a line indented less closes the structs deeper than it.
        if last_field is not None and indent == last_field[0] + 2:
            parent_field = last_field[1]
            if parent_field.struct is None or parent_field.struct.fields or \
                    getattr(parent_field, "reference", False):
                raise SchemaError(
                    f"{where}: only a new struct-typed field can have fields below it")
            stack.append((indent, parent_field.struct))
        while stack and stack[-1][0] > indent:
            stack.pop()
        if not stack or stack[-1][0] != indent:
            raise SchemaError(f"{where}: indentation does not match any struct")
        owner = stack[-1][1]

        m = re.fullmatch(r"([a-z][a-z0-9_]*):\s+(\S+)((?:\s+\S+)*)", body)
        if not m:
            raise SchemaError(f"{where}: expected '<name>: <type> [options]'")
        field = Field(m.group(1), no)
        type_text = m.group(2)
        options = m.group(3).split()
        if any(f.name == field.name for f in owner.fields):
            raise SchemaError(f"{where}: duplicate field '{field.name}'")

        am = re.fullmatch(r"\[([a-z][a-z0-9_]*)\]", type_text)
        if am:
            field.array = True
            type_text = am.group(1)
        if type_text in PRIMITIVES:
            field.type = type_text
            if field.array and type_text == "records":
                raise SchemaError(f"{where}: an array of records is not a Kafka type")
        elif re.fullmatch(r"[a-z][a-z0-9_]*", type_text):
            if type_text == field.name:
                raise SchemaError(
                    f"{where}: struct '{type_text}' has the same name as its field")
            if type_text in structs:
                field.struct = structs[type_text]
                field.reference = True
            else:
                field.struct = Struct(type_text, None)
                structs[type_text] = field.struct
            field.type = "struct"
        else:
            raise SchemaError(f"{where}: unknown type '{type_text}'")

        for opt in options:
            if opt.startswith("v"):
                field.versions = VersionRange.parse(opt[1:], where)
            elif opt == "nullable":
                field.nullable = VersionRange(0, 32767)
            elif opt.startswith("nullable:"):
                field.nullable = VersionRange.parse(opt[len("nullable:"):], where)
            elif opt.startswith("tag:"):
                if not opt[4:].isdigit():
                    raise SchemaError(f"{where}: bad tag '{opt}'")
                field.tag = int(opt[4:])
            elif opt.startswith("default:"):
                field.default = opt[len("default:"):]
            else:
                raise SchemaError(f"{where}: unknown option '{opt}'")

        parent_versions = owner.versions if owner.versions else api.versions
        field.versions = (field.versions or VersionRange(0, 32767)).intersect(parent_versions)
        if field.versions.empty():
            raise SchemaError(f"{where}: field '{field.name}' exists in no version of its parent")
        if field.struct is not None and field.struct.versions is None:
            field.struct.versions = field.versions
        if field.nullable is not None:
            field.nullable = field.nullable.intersect(field.versions)
            if field.nullable.empty():
                raise SchemaError(f"{where}: nullable in no version of the field")
            if field.type == "struct" and not field.array:
                raise SchemaError(f"{where}: a single struct cannot be nullable")
            if field.type not in ("string", "bytes", "records", "struct"):
                raise SchemaError(f"{where}: only strings, bytes, records and arrays are nullable")
        if field.tag is not None:
            if api.flexible is None:
                raise SchemaError(f"{where}: tagged field in an API with no flexible versions")
            if any(f.tag == field.tag for f in owner.fields):
                raise SchemaError(f"{where}: tag {field.tag} used twice in one struct")
            field.versions = field.versions.intersect(api.flexible)
            if field.versions.empty():
                raise SchemaError(f"{where}: tagged field in no flexible version")
        if field.default is not None:
            check_default(field, where)
        owner.fields.append(field)
        last_field = (indent, field)

    if api.name is None:
        raise SchemaError(f"{where_file}: no 'api' line")
    if api.request is None or api.response is None:
        raise SchemaError(f"{where_file}: needs both 'request' and 'response'")
    for root in (api.request, api.response):
        for st in all_structs(root):
            if not st.fields:
                raise SchemaError(f"{where_file}: struct '{st.name}' has no fields (a struct is "
                                  "shared only within one message: request or response)")
    expected = os.path.splitext(where_file)[0]
    if expected != api.name:
        raise SchemaError(f"{where_file}: the api is named '{api.name}'; name the file {api.name}.schema")
    return api


def check_default(field, where):
    d = field.default
    if d == "null":
        if field.nullable is None:
            raise SchemaError(f"{where}: default:null on a field that is not nullable")
        return
    if field.array or field.type == "struct":
        raise SchemaError(f"{where}: arrays and structs take no default but null")
    if field.type == "bool":
        if d not in ("true", "false"):
            raise SchemaError(f"{where}: bool default must be true or false")
    elif field.type in ("int8", "int16", "int32", "int64", "uint16", "uint32"):
        if not re.fullmatch(r"-?\d+|0x[0-9a-fA-F]+", d):
            raise SchemaError(f"{where}: integer default expected, got '{d}'")
    elif field.type == "float64":
        float(d)
    elif field.type == "string":
        pass
    else:
        raise SchemaError(f"{where}: type {field.type} takes no default")


# ---------------------------------------------------------------------------------------
# C++ generation


def all_structs(root):
    """Structs in definition order, children before parents (so C++ sees them first)."""
    out, seen = [], set()

    def visit(s):
        for f in s.fields:
            if f.struct is not None and f.struct.name not in seen and not getattr(f, "reference", False):
                visit(f.struct)
        if s.name not in seen:
            seen.add(s.name)
            out.append(s)

    visit(root)
    return out


def element_cpp(field):
    if field.type == "struct":
        return field.struct.name
    return PRIMITIVES[field.type][0]


def field_cpp_type(field):
    t = element_cpp(field)
    if field.array:
        t = f"std::vector<{t}>"
    if field.nullable is not None and field.type != "records":
        t = f"std::optional<{t}>"
    return t


def field_member(field):
    """The member declaration with its initialiser."""
    if field.nullable is not None and field.type != "records" and field.default is None:
        # Kafka's rule: a nullable field with no stated default starts empty, not null.
        return f"{field_cpp_type(field)} {field.cpp_name}{{std::in_place}};"
    return f"{field_cpp_type(field)} {field.cpp_name} = {field_default_init(field)};"


def field_default_init(field):
    d = field.default
    if d == "null":
        return "std::nullopt" if field.type != "records" else "{}"
    if d is None:
        if field.type == "records" and field.nullable is not None:
            return "{}"
        return PRIMITIVES[field.type][1] if not field.array and field.type != "struct" else "{}"
    if field.type == "string":
        return '"' + d.replace('"', '\\"') + '"'
    if field.type == "float64":
        return d
    return d


def gen_header(api):
    n = api.name
    lines = [
        f"// Generated by src/protocol/gen/kafka_schema.py from src/protocol/schema/{n}.schema.",
        "// Do not edit; change the schema.",
        "#pragma once",
        "",
        "#include <cstddef>",
        "#include <cstdint>",
        "#include <optional>",
        "#include <span>",
        "#include <string>",
        "#include <vector>",
        "",
        '#include "base/result.h"',
        '#include "protocol/wire_reader.h"',
        '#include "protocol/wire_writer.h"',
        "",
        "namespace brook::protocol {",
        "",
    ]
    for kind in ("request", "response"):
        root = getattr(api, kind)
        lines.append(f"struct {root.name} {{")
        lines.append(f"  static constexpr int16_t api_key = {api.key};")
        lines.append(f"  static constexpr int16_t min_version = {api.versions.lo};")
        lines.append(f"  static constexpr int16_t max_version = {api.versions.hi};")
        flex = api.flexible.lo if api.flexible else -1
        lines.append(f"  static constexpr int16_t flexible_from = {flex};  // -1: never")
        lines.append("")
        for s in all_structs(root)[:-1]:
            lines.append(f"  struct {s.name} {{")
            for f in s.fields:
                lines.append(f"    {field_member(f)}")
            lines.append(f"    bool operator==(const {s.name}&) const = default;")
            lines.append("  };")
            lines.append("")
        for f in root.fields:
            lines.append(f"  {field_member(f)}")
        lines.append("")
        lines.append(f"  bool operator==(const {root.name}&) const = default;")
        if kind == "response":
            lines.extend(gen_error_code_visitor(root))
        lines.append("  // Appends this message's body in `version` (no header).")
        lines.append("  void encode(wire_writer& w, int16_t version) const;")
        lines.append("  // Decodes a body of `version`; an error for truncated or malformed bytes.")
        lines.append("  // Decoded strings are copies; records point into `body`.")
        lines.append(f"  static result<{root.name}> decode(std::span<const std::byte> body, int16_t version);")
        lines.append("  static void decode_from(wire_reader& r, "
                     f"{root.name}& out, int16_t version);")
        lines.append("};")
        lines.append("")
    lines.append("}  // namespace brook::protocol")
    lines.append("")
    return "\n".join(lines)


def holds_error_code(s):
    return any((f.name == "error_code" and f.type == "int16" and not f.array)
               or (f.struct is not None and holds_error_code(f.struct)) for f in s.fields)


def gen_error_code_visitor(root):
    """for_each_error_code: calls f with every nonzero error_code field, nested ones too
    (the per-API error counts of /metrics)."""
    lines = ["  // Calls f(code) for every nonzero error_code in the message, nested ones too.",
             "  template <typename F>",
             "  void for_each_error_code(F&& f) const {"]
    if not holds_error_code(root):
        lines.append("    (void)f;")

    def visit(s, var, indent, depth):
        for f in s.fields:
            if f.name == "error_code" and f.type == "int16" and not f.array:
                lines.append(f"{indent}if ({var}{f.cpp_name} != 0) {{")
                lines.append(f"{indent}  f({var}{f.cpp_name});")
                lines.append(f"{indent}}}")
            elif f.struct is not None and holds_error_code(f.struct):
                e = f"e{depth}"
                src = f"{var}{f.cpp_name}"
                inner = indent
                if f.nullable is not None:
                    lines.append(f"{indent}if ({src}) {{")
                    src = f"(*{src})"
                    inner = indent + "  "
                if f.array:
                    lines.append(f"{inner}for (const auto& {e} : {src}) {{")
                    visit(f.struct, f"{e}.", inner + "  ", depth + 1)
                    lines.append(f"{inner}}}")
                else:
                    lines.append(f"{inner}{{")
                    lines.append(f"{inner}  const auto& {e} = {src};")
                    visit(f.struct, f"{e}.", inner + "  ", depth + 1)
                    lines.append(f"{inner}}}")
                if f.nullable is not None:
                    lines.append(f"{indent}}}")

    visit(root, "", "    ", 0)
    lines.append("  }")
    return lines


def scalar_write(field, expr, flex, w="w"):
    t = field.type
    if t in ("bool", "int8", "int16", "int32", "int64", "uint16", "uint32", "float64", "uuid"):
        return f"{w}.write_{t}({expr});"
    if t in ("string", "bytes", "records"):
        return f"{w}.write_{t}({expr}, {flex});"
    if t == "struct":
        return f"encode_struct({w}, {expr}, version);"
    raise AssertionError(t)


def scalar_read(field, target, flex, r="r"):
    t = field.type
    if t in ("bool", "int8", "int16", "int32", "int64", "uint16", "uint32", "float64", "uuid"):
        return f"{target} = {r}.read_{t}();"
    if t in ("string", "bytes", "records"):
        return f"{r}.read_{t}({target}, {flex});"
    if t == "struct":
        return f"decode_struct({r}, {target}, version);"
    raise AssertionError(t)


def gen_field_write(field, api, indent, flexvar, w="w"):
    pad = " " * indent
    out = []
    v = "s." + field.cpp_name
    is_opt = field.nullable is not None and field.type != "records"
    if field.array:
        if is_opt:
            out.append(f"{pad}if (!{v}) {{")
            out.append(f"{pad}  {w}.write_null_array({flexvar});")
            out.append(f"{pad}}} else {{")
            out.append(f"{pad}  {w}.write_array_length({v}->size(), {flexvar});")
            out.append(f"{pad}  for (const auto& e : *{v}) {{")
            out.append(f"{pad}    {scalar_write(field, 'e', flexvar, w)}")
            out.append(f"{pad}  }}")
            out.append(f"{pad}}}")
        else:
            out.append(f"{pad}{w}.write_array_length({v}.size(), {flexvar});")
            out.append(f"{pad}for (const auto& e : {v}) {{")
            out.append(f"{pad}  {scalar_write(field, 'e', flexvar, w)}")
            out.append(f"{pad}}}")
        return out
    if is_opt:
        out.append(f"{pad}if (!{v}) {{")
        out.append(f"{pad}  {w}.write_null_{field.type}({flexvar});")
        out.append(f"{pad}}} else {{")
        out.append(f"{pad}  {scalar_write(field, '*' + v, flexvar, w)}")
        out.append(f"{pad}}}")
        return out
    out.append(f"{pad}{scalar_write(field, v, flexvar, w)}")
    return out


def gen_field_read(field, api, indent, flexvar, r="r"):
    pad = " " * indent
    out = []
    v = "s." + field.cpp_name
    is_opt = field.nullable is not None and field.type != "records"
    null_ok = field.nullable.cond("version", api.versions) if field.nullable else "false"
    if field.array:
        out.append(f"{pad}{{")
        out.append(f"{pad}  int64_t n = {r}.read_array_length({flexvar});")
        out.append(f"{pad}  if (n < 0) {{")
        if is_opt:
            out.append(f"{pad}    if (!({null_ok})) {{")
            out.append(f"{pad}      {r}.fail();")
            out.append(f"{pad}    }}")
            out.append(f"{pad}    {v}.reset();")
        else:
            out.append(f"{pad}    {r}.fail();")
        out.append(f"{pad}  }} else {{")
        target = v if not is_opt else f"{v}.emplace()"
        out.append(f"{pad}    auto& vec = {target};")
        out.append(f"{pad}    vec.clear();")
        out.append(f"{pad}    vec.reserve(static_cast<size_t>(n));")
        out.append(f"{pad}    for (int64_t i = 0; i < n && !{r}.failed(); ++i) {{")
        out.append(f"{pad}      {scalar_read(field, 'vec.emplace_back()', flexvar, r)}")
        out.append(f"{pad}    }}")
        out.append(f"{pad}  }}")
        out.append(f"{pad}}}")
        return out
    if is_opt:
        out.append(f"{pad}if ({r}.next_is_null_{field.type}({flexvar})) {{")
        out.append(f"{pad}  if (!({null_ok})) {{")
        out.append(f"{pad}    {r}.fail();")
        out.append(f"{pad}  }}")
        out.append(f"{pad}  {v}.reset();")
        out.append(f"{pad}}} else {{")
        out.append(f"{pad}  {scalar_read(field, f'{v}.emplace()', flexvar, r)}")
        out.append(f"{pad}}}")
        return out
    out.append(f"{pad}{scalar_read(field, v, flexvar, r)}")
    if field.type == "records":
        out.append(f"{pad}if ({v}.is_null && !({null_ok})) {{")
        out.append(f"{pad}  {r}.fail();")
        out.append(f"{pad}}}")
    return out


def gen_struct_codec(s, api, is_root, root_name):
    qual = root_name if is_root else f"{root_name}::{s.name}"
    flex_cond = api.flexible.cond("version", api.versions) if api.flexible else "false"
    enc, dec = [], []
    enc.append(f"[[maybe_unused]] void encode_struct(wire_writer& w, const {qual}& s, int16_t version) {{")
    enc.append(f"  [[maybe_unused]] const bool flexible = {flex_cond};")
    dec.append(f"[[maybe_unused]] void decode_struct(wire_reader& r, {qual}& s, int16_t version) {{")
    dec.append(f"  [[maybe_unused]] const bool flexible = {flex_cond};")
    tagged = [f for f in s.fields if f.tag is not None]
    for f in s.fields:
        if f.tag is not None:
            continue
        cond = f.versions.cond("version", api.versions)
        if cond == "true":
            enc.extend(gen_field_write(f, api, 2, "flexible"))
            dec.extend(gen_field_read(f, api, 2, "flexible"))
        else:
            enc.append(f"  if ({cond}) {{")
            enc.extend(gen_field_write(f, api, 4, "flexible"))
            enc.append("  }")
            dec.append(f"  if ({cond}) {{")
            dec.extend(gen_field_read(f, api, 4, "flexible"))
            dec.append("  }")
        dec.append("  if (r.failed()) {")
        dec.append("    return;")
        dec.append("  }")
    if api.flexible:
        enc.append("  if (flexible) {")
        enc.append("    uint32_t count = 0;")
        for f in tagged:
            cond = f.versions.cond("version", api.versions)
            enc.append(f"    const bool has_{f.cpp_name} = ({cond}) && !(s.{f.cpp_name} == {qual}{{}}.{f.cpp_name});")
            enc.append(f"    count += has_{f.cpp_name} ? 1 : 0;")
        enc.append("    w.write_uvarint(count);")
        for f in sorted(tagged, key=lambda f: f.tag):
            enc.append(f"    if (has_{f.cpp_name}) {{")
            enc.append("      wire_writer t;")
            enc.extend(gen_field_write(f, api, 6, "true", "t"))
            enc.append(f"      w.write_uvarint({f.tag});")
            enc.append("      w.write_tagged_value(t);")
            enc.append("    }")
        enc.append("  }")
        dec.append("  if (flexible) {")
        dec.append("    uint32_t count = r.read_uvarint();")
        dec.append("    for (uint32_t i = 0; i < count && !r.failed(); ++i) {")
        dec.append("      uint32_t tag = r.read_uvarint();")
        dec.append("      uint32_t size = r.read_uvarint();")
        dec.append("      if (r.failed()) {")
        dec.append("        return;")
        dec.append("      }")
        dec.append("      [[maybe_unused]] wire_reader sub = r.sub_reader(size);")
        dec.append("      if (r.failed()) {")
        dec.append("        return;")
        dec.append("      }")
        dec.append("      switch (tag) {")
        for f in tagged:
            cond = f.versions.cond("version", api.versions)
            dec.append(f"        case {f.tag}:")
            dec.append(f"          if ({cond}) {{")
            dec.extend(gen_field_read(f, api, 12, "true", "sub"))
            dec.append("            if (sub.failed()) {")
            dec.append("              r.fail();")
            dec.append("              return;")
            dec.append("            }")
            dec.append("          }")
            dec.append("          break;")
        dec.append("        default:")
        dec.append("          break;  // unknown tags are skipped")
        dec.append("      }")
        dec.append("    }")
        dec.append("  }")
    enc.append("}")
    dec.append("}")
    return enc, dec


def gen_source(api):
    n = api.name
    lines = [
        f"// Generated by src/protocol/gen/kafka_schema.py from src/protocol/schema/{n}.schema.",
        "// Do not edit; change the schema.",
        f'#include "protocol/messages/{n}.h"',
        "",
        '#include "protocol/errc.h"',
        "",
        "namespace brook::protocol {",
        "",
        "namespace {",
        "",
    ]
    for kind in ("request", "response"):
        root = getattr(api, kind)
        structs = all_structs(root)
        # Declarations first: structs refer to each other.
        for s in structs:
            qual = root.name if s is root else f"{root.name}::{s.name}"
            lines.append(f"void encode_struct(wire_writer& w, const {qual}& s, int16_t version);")
            lines.append(f"void decode_struct(wire_reader& r, {qual}& s, int16_t version);")
        lines.append("")
        for s in structs:
            enc, dec = gen_struct_codec(s, api, s is root, root.name)
            lines.extend(enc)
            lines.append("")
            lines.extend(dec)
            lines.append("")
    lines.append("}  // namespace")
    lines.append("")
    for kind in ("request", "response"):
        root = getattr(api, kind)
        t = root.name
        lines.extend([
            f"void {t}::encode(wire_writer& w, int16_t version) const {{",
            "  encode_struct(w, *this, version);",
            "}",
            "",
            f"void {t}::decode_from(wire_reader& r, {t}& out, int16_t version) {{",
            "  decode_struct(r, out, version);",
            "}",
            "",
            f"result<{t}> {t}::decode(std::span<const std::byte> body, int16_t version) {{",
            "  if (version < min_version || version > max_version) {",
            "    return protocol_errc::unsupported_version;",
            "  }",
            "  wire_reader r(body);",
            f"  {t} out;",
            "  decode_struct(r, out, version);",
            "  if (r.failed()) {",
            "    return protocol_errc::malformed;",
            "  }",
            "  return out;",
            "}",
            "",
        ])
    lines.append("}  // namespace brook::protocol")
    lines.append("")
    return "\n".join(lines)


def gen_catalog(apis):
    h = [
        "// Generated by src/protocol/gen/kafka_schema.py from src/protocol/schema/*.schema.",
        "// The Kafka APIs whose messages Brook can encode and decode, and their version",
        "// ranges. What the broker serves is declared by its handlers, not here.",
        "#pragma once",
        "",
        "#include <cstdint>",
        "#include <span>",
        "#include <string_view>",
        "",
    ]
    h += [
        "namespace brook::protocol {",
        "",
        "struct api_schema {",
        "  int16_t key;",
        "  std::string_view name;",
        "  int16_t min_version;",
        "  int16_t max_version;",
        "  int16_t flexible_from;  // -1: never flexible",
        "  bool flexible(int16_t version) const { return flexible_from >= 0 && version >= flexible_from; }",
        "};",
        "",
        "// Every schema, ordered by key.",
        "std::span<const api_schema> all_api_schemas();",
        "// The schema of `key`, or nullptr.",
        "const api_schema* find_api_schema(int16_t key);",
        "",
        "}  // namespace brook::protocol",
        "",
    ]
    c = [
        "// Generated by src/protocol/gen/kafka_schema.py.",
        '#include "protocol/messages/api_catalog.h"',
        "",
        "namespace brook::protocol {",
        "",
        "namespace {",
        "constexpr api_schema schemas[] = {",
    ]
    for a in sorted(apis, key=lambda a: a.key):
        flex = a.flexible.lo if a.flexible else -1
        c.append(f'    {{{a.key}, "{a.name}", {a.versions.lo}, {a.versions.hi}, {flex}}},')
    c += [
        "};",
        "}  // namespace",
        "",
        "std::span<const api_schema> all_api_schemas() { return schemas; }",
        "",
        "const api_schema* find_api_schema(int16_t key) {",
        "  for (const auto& s : schemas) {",
        "    if (s.key == key) {",
        "      return &s;",
        "    }",
        "  }",
        "  return nullptr;",
        "}",
        "",
        "}  // namespace brook::protocol",
        "",
    ]
    return "\n".join(h), "\n".join(c)


def write_file(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--catalog", action="store_true",
                    help="write only api_catalog.{h,cc} for all the files given")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    apis, failed = [], False
    for path in args.files:
        try:
            apis.append(parse(path))
        except SchemaError as e:
            print(f"error: {e}", file=sys.stderr)
            failed = True
    keys = {}
    for a in apis:
        if a.key in keys:
            print(f"error: api key {a.key} used by both {keys[a.key]} and {a.name}", file=sys.stderr)
            failed = True
        keys[a.key] = a.name
    if failed:
        return 1
    if args.check:
        for a in apis:
            print(f"ok: {a.name} (key {a.key}, v{a.versions.lo}-{a.versions.hi})")
        return 0
    if not args.out:
        ap.error("--out or --check")
    os.makedirs(args.out, exist_ok=True)
    if args.catalog:
        h, c = gen_catalog(apis)
        write_file(os.path.join(args.out, "api_catalog.h"), h)
        write_file(os.path.join(args.out, "api_catalog.cc"), c)
        return 0
    for a in apis:
        write_file(os.path.join(args.out, f"{a.name}.h"), gen_header(a))
        write_file(os.path.join(args.out, f"{a.name}.cc"), gen_source(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())

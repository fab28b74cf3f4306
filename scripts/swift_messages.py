"""Swift message values (module Wire) from a protoc descriptor set of spotfinder.proto.

Run by scripts/generate-protos:
    protoc --descriptor_set_out=FILE --include_source_info -IProtos Protos/spotfinder.proto
    .venv/bin/python scripts/swift_messages.py FILE OUTPUT.swift

What it writes, per proto declaration (the C bridge maps Swift values to protobuf-c by field name,
so stored properties with the right names and types are all a message needs):
  enum     -> `public enum Name: Int32, Codable, Sendable`, cases without the enum's prefix
              (FRAME_KIND_REQUEST -> request).
  message  -> `public struct Name: WireMessage` with `protoName`, one stored property per field
              (lowerCamel of the proto name, as DescriptorRegistry.lowerCamel spells it) and a
              memberwise initialiser whose every argument has the proto3 default.
  all      -> `allMessageTypes`, every message type, in proto order (the round-trip test walks it).
Field types: repeated -> [T] = []; singular message and oneof member -> T? = nil (unset stays unset);
other scalars -> T = proto3 default. Proto comments become doc comments; a comment line
"----- Title" becomes "// MARK: Title".

Naming rule: the Swift name is the proto name, unless the declaration's leading comment has a line
"swift_name: OtherName" (used where the proto name is also a domain type, e.g. Grid -> GridMessage).
"""

import re
import sys

from google.protobuf import descriptor_pb2

FD = descriptor_pb2.FieldDescriptorProto
SCALARS = {
    FD.TYPE_DOUBLE: ("Double", "0"), FD.TYPE_FLOAT: ("Float", "0"),
    FD.TYPE_INT32: ("Int32", "0"), FD.TYPE_SINT32: ("Int32", "0"), FD.TYPE_SFIXED32: ("Int32", "0"),
    FD.TYPE_UINT32: ("UInt32", "0"), FD.TYPE_FIXED32: ("UInt32", "0"),
    FD.TYPE_INT64: ("Int64", "0"), FD.TYPE_SINT64: ("Int64", "0"), FD.TYPE_SFIXED64: ("Int64", "0"),
    FD.TYPE_UINT64: ("UInt64", "0"), FD.TYPE_FIXED64: ("UInt64", "0"),
    FD.TYPE_BOOL: ("Bool", "false"), FD.TYPE_STRING: ("String", '""'), FD.TYPE_BYTES: ("Data", "Data()"),
}
SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
    "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
    "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default",
    "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
    "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try",
}
SWIFT_NAME = re.compile(r"^\s*swift_name:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
SECTION = re.compile(r"^\s*-{5,}\s*(.*)$")
# SourceCodeInfo paths: FileDescriptorProto.message_type = 4, enum_type = 5;
# DescriptorProto.field = 2, nested_type = 3, enum_type = 4, oneof_decl = 8; EnumDescriptorProto.value = 2.


class GeneratorError(Exception):
    pass


def lower_camel(name):
    """energy_gev -> energyGev: the spelling DescriptorRegistry.lowerCamel gives the same proto name."""
    first, *rest = [p for p in name.split("_") if p] or [name]
    return first + "".join(p[:1].upper() + p[1:] for p in rest)


def upper_snake(name):
    """FrameKind -> FRAME_KIND, HTTPStatus -> HTTP_STATUS: the prefix protobuf style gives enum values."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).upper()


def swift_identifier(name):
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


class Comments:
    """Leading/trailing comments and swift_name annotations by SourceCodeInfo path."""

    def __init__(self, source_info):
        self.by_path = {tuple(loc.path): loc for loc in source_info.location}

    def lines(self, path):
        """(MARK titles, doc lines, swift_name or None) of the declaration at `path`."""
        loc = self.by_path.get(tuple(path))
        if loc is None:
            return [], [], None
        marks = [m.group(1).strip() for c in loc.leading_detached_comments for line in c.splitlines()
                 if (m := SECTION.match(line))]
        doc, name = [], None
        for text in (loc.leading_comments, loc.trailing_comments):
            for line in text.rstrip("\n").splitlines():
                if m := SWIFT_NAME.match(line):
                    name = m.group(1)
                elif m := SECTION.match(line):
                    marks.append(m.group(1).strip())
                else:
                    doc.append(line[1:] if line.startswith(" ") else line)
        while doc and not doc[0].strip():
            doc.pop(0)
        while doc and not doc[-1].strip():
            doc.pop()
        return marks, doc, name


def doc_comment(lines, indent=""):
    return [f"{indent}///{(' ' + line) if line.strip() else ''}" for line in lines]


def mark_lines(marks):
    return [f"// MARK: {title}" for title in marks if title] + ([""] if any(marks) else [])


class Generator:
    def __init__(self, file_proto):
        if file_proto.syntax != "proto3":
            raise GeneratorError(f"{file_proto.name}: only proto3 is supported, not {file_proto.syntax or 'proto2'}")
        self.file = file_proto
        self.comments = Comments(file_proto.source_code_info)
        self.package = file_proto.package
        self.swift_names = {}  # ".spotfinder.v1.Grid" -> "GridMessage"
        self.enum_first_case = {}  # ".spotfinder.v1.FrameKind" -> "request"
        for i, m in enumerate(file_proto.message_type):
            if m.nested_type or m.enum_type:
                raise GeneratorError(f"message {m.name}: nested declarations are not supported; declare them at top level")
            self.swift_names[f".{self.package}.{m.name}"] = self.comments.lines([4, i])[2] or m.name
        for i, e in enumerate(file_proto.enum_type):
            self.swift_names[f".{self.package}.{e.name}"] = self.comments.lines([5, i])[2] or e.name
        taken = {}
        for proto_name, swift in self.swift_names.items():
            if swift in taken:
                raise GeneratorError(f"{proto_name} and {taken[swift]} would both be Swift type {swift}")
            taken[swift] = proto_name

    def enum_case(self, enum, value):
        prefix = upper_snake(enum.name) + "_"
        if not value.name.startswith(prefix):
            raise GeneratorError(f"enum {enum.name}: value {value.name} does not start with {prefix}")
        return swift_identifier(lower_camel(value.name[len(prefix):].lower()))

    def enum_decl(self, index, enum):
        marks, doc, _ = self.comments.lines([5, index])
        name = self.swift_names[f".{self.package}.{enum.name}"]
        out = mark_lines(marks) + doc_comment(doc)
        out.append(f"public enum {name}: Int32, Codable, Sendable {{")
        for j, value in enumerate(enum.value):
            _, vdoc, _ = self.comments.lines([5, index, 2, j])
            out += doc_comment(vdoc, "    ")
            out.append(f"    case {self.enum_case(enum, value)} = {value.number}")
        out.append("}")
        self.enum_first_case[f".{self.package}.{enum.name}"] = self.enum_case(enum, enum.value[0])
        return out

    def field_type(self, message, field):
        """(Swift type, default expression) of one field."""
        if field.type == FD.TYPE_MESSAGE:
            base, default = self.swift_names.get(field.type_name), "nil"
            if base is None:
                raise GeneratorError(f"{message.name}.{field.name}: type {field.type_name} is not declared in this file")
        elif field.type == FD.TYPE_ENUM:
            base = self.swift_names.get(field.type_name)
            if base is None:
                raise GeneratorError(f"{message.name}.{field.name}: enum {field.type_name} is not declared in this file")
            default = "." + self.enum_first_case[field.type_name]
        elif field.type in SCALARS:
            base, default = SCALARS[field.type]
        else:
            raise GeneratorError(f"{message.name}.{field.name}: field type {field.type} is not supported")
        if field.label == FD.LABEL_REPEATED:
            return f"[{base}]", "[]"
        if field.type == FD.TYPE_MESSAGE or field.HasField("oneof_index"):
            return f"{base}?", "nil"
        return base, default

    def message_decl(self, index, message):
        marks, doc, _ = self.comments.lines([4, index])
        name = self.swift_names[f".{self.package}.{message.name}"]
        out = mark_lines(marks) + doc_comment(doc)
        out.append(f"public struct {name}: WireMessage {{")
        out.append(f'    public static let protoName = "{self.package}.{message.name}"')
        params = []
        for j, field in enumerate(message.field):
            _, fdoc, _ = self.comments.lines([4, index, 2, j])
            if field.HasField("oneof_index"):
                oneof = message.oneof_decl[field.oneof_index]
                members = [f.name for f in message.field if f.HasField("oneof_index") and f.oneof_index == field.oneof_index]
                _, odoc, _ = self.comments.lines([4, index, 8, field.oneof_index])
                fdoc = odoc + fdoc
                if len(members) > 1:
                    fdoc.append(f"One of `{oneof.name}`: at most one of {', '.join(lower_camel(m) for m in members)} is set.")
            swift_type, default = self.field_type(message, field)
            prop = swift_identifier(lower_camel(field.name))
            out += doc_comment(fdoc, "    ")
            out.append(f"    public var {prop}: {swift_type}")
            params.append((prop, swift_type, default))
        if params:
            out.append("")
            out.append("    public init(")
            out += [f"        {p}: {t} = {d}{',' if k < len(params) - 1 else ''}" for k, (p, t, d) in enumerate(params)]
            out.append("    ) {")
            out += [f"        self.{p.strip('`')} = {p}" for p, _, _ in params]
            out.append("    }")
        else:
            out.append("")
            out.append("    public init() {}")
        out.append("}")
        return out

    def swift(self, source_name):
        out = [f"// Generated by scripts/generate-protos from {source_name}. Do not edit: change the proto and rerun it.",
               "// Hand-written conveniences belong in extensions in other files of Sources/Wire.",
               "", "import Foundation", ""]
        for i, enum in enumerate(self.file.enum_type):
            out += self.enum_decl(i, enum) + [""]
        for i, message in enumerate(self.file.message_type):
            out += self.message_decl(i, message) + [""]
        out.append("/// Every message of the proto, in declaration order: the round-trip tests walk this list.")
        out.append("public let allMessageTypes: [any WireMessage.Type] = [")
        out += [f"    {self.swift_names[f'.{self.package}.{m.name}']}.self," for m in self.file.message_type]
        out.append("]")
        return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        print("usage: swift_messages.py DESCRIPTOR_SET OUTPUT.swift", file=sys.stderr)
        return 2
    descriptor_set, output = argv[1], argv[2]
    files = descriptor_pb2.FileDescriptorSet()
    with open(descriptor_set, "rb") as f:
        files.ParseFromString(f.read())
    if len(files.file) != 1:
        print(f"swift_messages.py: {descriptor_set} holds {len(files.file)} files; expected exactly one proto", file=sys.stderr)
        return 1
    proto = files.file[0]
    try:
        text = Generator(proto).swift(f"Protos/{proto.name}")
    except GeneratorError as e:
        print(f"swift_messages.py: {proto.name}: {e}", file=sys.stderr)
        return 1
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

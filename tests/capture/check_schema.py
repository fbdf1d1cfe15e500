#!/usr/bin/env python3
"""Checks `tcpstep decode --json` output against the schema table in
docs/decode.md (between <!-- schema:begin --> and <!-- schema:end -->):
every field written is documented for its type, every required field is
present, JSON types match, enumerated values (a back-quoted, comma-separated
list in the last column of a string field) are respected, and every
documented type and field occurs at least once over the captures given.

usage: check_schema.py DOC TCPSTEP CAPTURE...
"""
import json
import re
import subprocess
import sys

JSON_TYPES = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def parse_schema(doc):
    text = open(doc, encoding="utf-8").read()
    m = re.search(r"<!-- schema:begin -->(.*?)<!-- schema:end -->", text, re.S)
    if not m:
        sys.exit(f"{doc}: no schema table between the markers")
    schema = {}
    for line in m.group(1).strip().splitlines()[2:]:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) != 5:
            sys.exit(f"{doc}: bad schema row: {line}")
        typ, field, jtype, req, values = cells
        types = jtype.replace("\\|", "|").split("|")
        for t in types:
            if t not in JSON_TYPES:
                sys.exit(f"{doc}: unknown JSON type {t!r} in: {line}")
        enum = None
        if "string" in types and re.fullmatch(r"(`[^`]+`)(, `[^`]+`)*", values):
            enum = set(re.findall(r"`([^`]+)`", values))
        schema.setdefault(typ, {})[field] = (types, req == "yes", enum)
    return schema


def check(schema, obj, where, seen, errors):
    typ = obj.get("type")
    if typ not in schema:
        errors.append(f"{where}: undocumented type {typ!r}")
        return
    fields = schema[typ]
    seen.add((typ, "type"))

    def one(name, value):
        if name not in fields:
            errors.append(f"{where}: {typ}.{name} is not documented")
            return
        seen.add((typ, name))
        types, _, enum = fields[name]
        if not any(JSON_TYPES[t](value) for t in types):
            errors.append(f"{where}: {typ}.{name} = {value!r} is not {'|'.join(types)}")
        if enum is not None and isinstance(value, str) and value not in enum:
            errors.append(f"{where}: {typ}.{name} = {value!r} not in {sorted(enum)}")

    for name, value in obj.items():
        one(name, value)
        if isinstance(value, dict) and any(f.startswith(name + ".") for f in fields):
            for k, v in value.items():
                one(f"{name}.{k}", v)
    for name, (_, required, enum) in fields.items():
        if required and "." not in name and name not in obj:
            errors.append(f"{where}: required {typ}.{name} missing")
    if typ == "segment":  # array items
        for mark in obj.get("marks", []):
            allowed = fields["marks"][2] or set(re.findall(r"`([^`]+)`", ""))
            if allowed and mark not in allowed:
                errors.append(f"{where}: unknown mark {mark!r}")


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    doc, tcpstep, caps = sys.argv[1], sys.argv[2], sys.argv[3:]
    schema = parse_schema(doc)
    # marks is an array of strings: take its list of values as the enum
    mt, mreq, _ = schema["segment"]["marks"]
    text = open(doc, encoding="utf-8").read()
    row = re.search(r"^\| segment \| marks \|.*$", text, re.M).group(0)
    schema["segment"]["marks"] = (mt, mreq, set(re.findall(r"`([^`]+)`", row)))
    errors, seen, lines = [], set(), 0
    for cap in caps:
        for extra in ([], ["--summary"]):
            out = subprocess.run([tcpstep, "decode", "--json"] + extra + [cap],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                errors.append(f"{cap}: exit status {out.returncode}: {out.stderr}")
            for i, line in enumerate(out.stdout.splitlines(), 1):
                lines += 1
                where = f"{cap.rsplit('/', 1)[-1]}{' --summary' if extra else ''} line {i}"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    errors.append(f"{where}: not JSON ({e}): {line}")
                    continue
                check(schema, obj, where, seen, errors)
    for typ, fields in schema.items():
        for name in fields:
            if (typ, name) not in seen:
                errors.append(f"documented {typ}.{name} never occurs in the test captures")
    for e in errors[:50]:
        print("FAIL", e)
    print(f"{lines} JSON lines checked against {doc}: {len(errors)} problems")
    return 1 if errors or not lines else 0


if __name__ == "__main__":
    sys.exit(main())

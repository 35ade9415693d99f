#!/usr/bin/env python3
"""Extract JSON fixtures from the eWeLink cloud API v2 document.

Usage: scripts/cloud-fixtures/extract.py [path/to/cloud-api-v2.md]

The default document path is ../shared/docs/cloud-api-v2.md relative to the repository root.
Writes Fixtures/cloud-api-v2/<interface>.json (one per interface section of the chapters User,
Home Page, Device, Homes and Rooms, Message Center and Real Time Control Device) and
Fixtures/cloud-api-v2/index.json. Python 3 standard library only; the output is deterministic
(sorted keys, 2-space indent, trailing newline).

Everything in the fixtures comes from the document. The only other input is
Sources/EWeLinkCloud/REST/CloudAPI.swift, read to map each section to its `CloudAPI` case by
method + path and to record where the document and that table disagree (`tableMismatch`).
"""

import json
import os
import re
import sys

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_DOC = os.path.join(REPO_ROOT, "..", "shared", "docs", "cloud-api-v2.md")
CLOUD_API_SWIFT = os.path.join(REPO_ROOT, "Sources", "EWeLinkCloud", "REST", "CloudAPI.swift")
OUT_DIR = os.path.join(REPO_ROOT, "Fixtures", "cloud-api-v2")

CHAPTERS = ["User", "Home Page", "Device", "Homes and Rooms", "Message Center", "Real Time Control Device"]

# The expected identifier of every interface section, by its heading. The REST ones are found by
# method + path in CloudAPI.swift; this table is the cross-check (and the only source for the
# sections that are not in CloudAPI: the device item description and the real-time ones).
HEADING_IDS = {
    "Get Region": "getRegion",
    "Create account": "register",
    "Login": "login",
    "SMS Login": "smsLogin",
    "Send Verification Code": "verificationCode",
    "Reset Password": "resetPassword",
    "Change Password": "changePassword",
    "Get User Information": "getProfile",
    "Update User Information": "updateProfile",
    "Refresh Access Token": "refresh",
    "Logout": "logout",
    "Delete Account": "closeAccount",
    "Get home page information": "homepage",
    "Get the list of all devices": "deviceItem",  # heading prefix, URL: None
    "Get Thing List": "thingList",
    "Get Specified Things list": "specifiedThings",
    "Get Device or Group Status": "getStatus",
    "Update the Status of a Device or Group": "setStatus",
    "Update the Status of Multiple Devices or Groups": "batchStatus",
    "Add WiFi Device": "addDevice",
    "Add GSM Device": "addGSMDevice",
    "Update Name/Room of Device": "updateDeviceInfo",
    "Delete Device": "deleteDevice",
    "Change Device Tags": "deviceTags",
    "Get Group List": "groupList",
    "Add Group": "addGroup",
    "Change Group Name": "renameGroup",
    "Delete Group": "deleteGroup",
    "Change Group Status": "groupStatus",
    "Update the Device List of a Group": "groupDevices",
    "Share Devices": "share",
    "Change Sharing Permission": "sharePermit",
    "Cancel Sharing": "cancelShare",
    "Get Device Operating History": "getHistory",
    "Clean Device Operating History": "clearHistory",
    "Get Device OTA Update Information": "otaQuery",
    "Get Homes and Rooms": "familyList",
    "Add a Home": "addFamily",
    "Add a Room": "addRoom",
    "Change Home Name": "renameFamily",
    "Change Room Name": "renameRoom",
    "Sort Rooms": "sortRooms",
    "Delete Home": "deleteFamily",
    "Delete Room": "deleteRoom",
    "Sort Things in a Home": "sortThings",
    "Move things": "moveThings",
    "Switch Current Home": "switchFamily",
    "Get the List of Messages": "messages",
    "HTTP: DispatchService (APP)": "dispatch",
    "WebSocket: handshake": "wsUserOnline",
    "WebSocket: device online and offline notification (passively received by the app)": "wsSysmsg",
    "WebSocket: Update device status": "wsUpdate",
    "WebSocket: check for device status": "wsQuery",
}

WEBSOCKET_IDS = {"wsUserOnline", "wsSysmsg", "wsUpdate", "wsQuery"}

# Tables whose place cannot be read off their caption alone: (interface, caption) -> (key, note).
TABLE_KEY_OVERRIDES = {
    ("wsSysmsg", "parameters"): (
        "response",
        "The 'Parameters:' table describes a message the server pushes to the app (the section is "
        "'passively received by the app'), so it is keyed 'response' (server -> app) and its "
        "example is a response example. The document shows no request for this action.",
    ),
    ("wsUpdate", "timers parameters"): (
        "request.params.timers[]",
        "The 'Timers parameters:' table is keyed 'request.params.timers[]': the document's timer "
        "examples put these objects in params.timers of an update request.",
    ),
}

REQUEST_CAPTION = re.compile(r"^(request parameters?|its parameters are as follows)\b", re.I)
RESPONSE_CAPTION = re.compile(r"^(response data parameters?|response parameters?)\b", re.I)
CAPTION_STOPWORDS = {"list", "items", "item", "of", "in", "the", "description", "for", "parameters"}


def norm_caption(text):
    t = text.strip().strip("*").strip()
    t = t.rstrip(":：,").strip().strip("*").strip()
    return t


# ---------------------------------------------------------------------------------------------
# Document structure


def split_sections(lines):
    """Yields (chapter, heading, body_lines, first_line_number) for each ### section of CHAPTERS."""
    sections = []
    chapter = None
    current = None
    in_fence = False
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence:
            m = re.match(r"^(#{1,3}) (.*)$", line)
            if m:
                level, title = len(m.group(1)), m.group(2).strip()
                if current:
                    sections.append(current)
                    current = None
                if level <= 2:
                    chapter = title if level == 2 else None
                elif chapter in CHAPTERS:
                    current = (chapter, title, [], number)
                continue
        if current:
            current[2].append(line)
    if current:
        sections.append(current)
    return sections


def blocks(body):
    """Splits a section body into ('prose', line), ('table', [lines]) and ('fence', lang, [lines])."""
    out = []
    i = 0
    while i < len(body):
        line = body[i]
        if line.lstrip().startswith("```"):
            lang = line.strip()[3:].strip()
            j = i + 1
            content = []
            while j < len(body) and not body[j].lstrip().startswith("```"):
                content.append(body[j])
                j += 1
            out.append(("fence", lang, content))
            i = j + 1
        elif line.lstrip().startswith("|"):
            rows = []
            while i < len(body) and body[i].lstrip().startswith("|"):
                rows.append(body[i])
                i += 1
            out.append(("table", rows))
        else:
            if line.strip():
                out.append(("prose", line.strip()))
            i += 1
    return out


# ---------------------------------------------------------------------------------------------
# Tables


def split_row(row):
    cells = row.strip()
    if cells.startswith("|"):
        cells = cells[1:]
    if cells.endswith("|"):
        cells = cells[:-1]
    return [c.strip() for c in cells.split("|")]


def unescape_md(text):
    return re.sub(r"\\([<>\[\]_*|\\])", r"\1", text)


def parse_table(rows, notes, caption):
    header = [unescape_md(c.replace("**", "")).strip().lower() for c in split_row(rows[0])]
    columns = {}
    for idx, name in enumerate(header):
        if name in ("name", "type", "allows empty", "description") and name not in columns:
            columns[name] = idx
    missing = [c for c in ("name", "type", "allows empty", "description") if c not in columns]
    if missing:
        raise ValueError("table under %r lacks columns %s" % (caption, missing))
    fields = []
    extra_separators = 0
    extra_cells = False
    for n, row in enumerate(rows[1:]):
        cells = split_row(row)
        if all(re.fullmatch(r":?-*:?", c) for c in cells):
            if len(cells) > len(header):
                extra_cells = True
            if n > 0:
                extra_separators += 1
            continue
        if len(cells) > 4 and all(c == "" for c in cells[4:]):
            extra_cells = True
        def cell(name):
            idx = columns[name]
            return unescape_md(cells[idx]).strip() if idx < len(cells) else ""
        raw_empty = cell("allows empty")
        field = {
            "name": cell("name"),
            "type": cell("type"),
            "description": cell("description"),
        }
        if raw_empty in ("Y", "Yes", "yes", "y"):
            field["allowsEmpty"] = True
        elif raw_empty in ("N", "No", "no", "n"):
            field["allowsEmpty"] = False
        else:
            field["allowsEmpty"] = None
            field["allowsEmptyRaw"] = raw_empty
            notes.append("Table %r, field %r: 'Allows empty' is %r (neither Y nor N); kept as allowsEmptyRaw."
                         % (caption, field["name"], raw_empty))
        fields.append(field)
    if extra_separators or len(header) > 4 or extra_cells:
        notes.append("Table %r is malformed in the document (%s); read as the four columns Name, Type, "
                     "Allows empty, Description." % (caption, ", ".join(filter(None, [
                         "an extra separator row" if extra_separators else "",
                         "an extra empty column" if (len(header) > 4 or extra_cells) else ""]))))
    return fields


def caption_field_name(caption):
    text = re.sub(r"\(.*?\)", " ", caption)
    words = [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text) if w.lower() not in CAPTION_STOPWORDS]
    return words[0] if words else None


def nested_key(tables, order, caption, notes):
    """Key of a nested table: the field named by the caption in the most recent table that has it."""
    name = caption_field_name(caption)
    if name:
        for key in reversed(order):
            for field in tables[key]:
                if field["name"].lower() == name.lower():
                    is_list = field["type"].lower().startswith("array")
                    listy = re.search(r"\bitems?\b", caption, re.I) is not None
                    if listy and not is_list:
                        notes.append("Table %r describes list items, but field %r of %r has type %r; keyed as "
                                     "an object." % (caption, field["name"], key, field["type"]))
                    return "%s.%s%s" % (key, field["name"], "[]" if is_list else "")
    notes.append("Could not place the table %r under a field; keyed by its caption." % caption)
    return "table:%s" % caption


# ---------------------------------------------------------------------------------------------
# JSON examples


def strip_comments(text):
    """Removes // comments (outside strings) and lines or tokens that are '...'."""
    out = []
    in_string = False
    escaped = False
    i = 0
    removed_comment = False
    while i < len(text):
        ch = text[i]
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = len(text) if j < 0 else j
            removed_comment = True
        else:
            out.append(ch)
            i += 1
    return "".join(out), removed_comment


def outside_strings_sub(pattern, repl, text):
    """re.sub applied only to the parts of text outside JSON strings."""
    parts = re.split(r'("(?:[^"\\]|\\.)*")', text)
    changed = False
    for i in range(0, len(parts), 2):
        new = re.sub(pattern, repl, parts[i])
        changed = changed or new != parts[i]
        parts[i] = new
    return "".join(parts), changed


def duplicate_key_hook(found):
    def hook(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                found.append(k)
            seen.add(k)
        return dict(pairs)
    return hook


def parse_example(raw):
    """Returns (value, fixes, error). fixes lists what had to change for json.loads to accept it."""
    text = raw
    fixes = []
    text, had_comments = strip_comments(text)
    if had_comments:
        fixes.append("removed // comments")
    text, had_ellipsis = outside_strings_sub(r"(?m)^\s*\.\.\.\s*,?\s*$|\.\.\.", "", text)
    if had_ellipsis:
        fixes.append("removed '...' ellipsis")
    text, had_commas = outside_strings_sub(r",(\s*[}\]])", r"\1", text)
    if had_commas:
        fixes.append("removed trailing commas")
    stripped = text.strip()
    if re.match(r'^"[^"]*"\s*:', stripped):
        stripped = "{" + stripped + "}"
        fixes.append("wrapped a bare '\"key\": value' fragment in braces")
    dups = []
    decoder = json.JSONDecoder(object_pairs_hook=duplicate_key_hook(dups))
    try:
        value, end = decoder.raw_decode(stripped)
    except json.JSONDecodeError as error:
        return None, fixes, str(error)
    rest = stripped[end:].strip()
    if rest:
        if re.fullmatch(r"[}\]\s]+", rest):
            fixes.append("removed extra closing %r after the value" % rest)
        else:
            return None, fixes, "unexpected text after the JSON value: %r" % rest[:40]
    if dups:
        fixes.append("duplicate keys %s (the last one kept)" % sorted(set(dups)))
    return value, fixes, None


def is_envelope(value):
    return isinstance(value, dict) and {"error", "msg", "data"} <= set(value)


def classify_example(interface, context, value, last_table_key):
    """'request', 'response' or 'other' from the text before the example and its shape."""
    c = context.lower()
    if is_envelope(value):
        return "response"
    if "client call example" in c or "request example" in c:
        return "request"
    if "response example" in c or "example response" in c:
        return "response"
    if interface in WEBSOCKET_IDS or interface == "dispatch":
        if "shared by other users" in c:
            return "request"
        if re.match(r"^example\b", c) and last_table_key:
            root = last_table_key.split(".")[0]
            if root in ("request", "response") and "." not in last_table_key:
                return root
    return "other"


# ---------------------------------------------------------------------------------------------
# Consistency between examples and tables

TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
}


def type_ok(doc_type, value):
    t = doc_type.lower()
    if t.startswith("array"):
        return isinstance(value, list)
    check = TYPE_CHECKS.get(t)
    return True if check is None else check(value)


def check_object(label, obj, fields):
    found = []
    if not isinstance(obj, dict) or not fields:
        return found
    names = {f["name"] for f in fields}
    unknown = sorted(k for k in obj if k not in names)
    if unknown:
        found.append("%s has fields the table does not list: %s" % (label, ", ".join(unknown)))
    missing = sorted(f["name"] for f in fields if f["allowsEmpty"] is False and f["name"] not in obj)
    if missing:
        found.append("%s lacks fields the table marks as not empty (N): %s" % (label, ", ".join(missing)))
    for f in fields:
        if f["name"] in obj and not type_ok(f["type"], obj[f["name"]]):
            found.append("%s: field %r is %s in the example but %r in the table"
                         % (label, f["name"], type(obj[f["name"]]).__name__, f["type"]))
    return found


def consistency(fixture):
    found = []
    tables = fixture["tables"]
    for kind in ("request", "response"):
        for n, example in enumerate(fixture["%sExamples" % kind]):
            label = "%sExamples[%d]" % (kind, n)
            obj = example
            if kind == "response" and is_envelope(example):
                if example.get("error") != 0:
                    continue  # an error response: its data is not the success data described
                obj = example["data"]
                label += ".data"
            found += check_object(label, obj, tables.get(kind))
            # one level of nesting: objects and list items with their own table
            if isinstance(obj, dict):
                for key, fields in sorted(tables.items()):
                    m = re.fullmatch(re.escape(kind) + r"\.([A-Za-z0-9_]+)(\[\])?", key)
                    if not m or m.group(1) not in obj:
                        continue
                    value = obj[m.group(1)]
                    items = value if (m.group(2) and isinstance(value, list)) else [value]
                    for i, item in enumerate(items):
                        suffix = "[%d]" % i if m.group(2) else ""
                        found += check_object("%s.%s%s" % (label, m.group(1), suffix), item, fields)
    return found


# ---------------------------------------------------------------------------------------------
# CloudAPI.swift


def read_cloud_api():
    """{(method, path): case} and {case: auth} from CloudAPI.swift."""
    with open(CLOUD_API_SWIFT, encoding="utf-8") as f:
        source = f.read()
    routes = {}
    for case, method, path in re.findall(r'case (\w+) = "(\w+) (\S+)"', source):
        routes[(method, path)] = case
    auth = {case: "bearer" for case in routes.values()}
    body = source[source.find("var auth"):]
    m = re.search(r"case ([^:]+): return \.sign", body)
    if m:
        for case in re.findall(r"\.(\w+)", m.group(1)):
            auth[case] = "sign"
    return routes, auth


DOC_AUTH = {"token": {"bearer"}, "sign": {"sign"}, "token or sign": {"bearer", "sign"}}


# ---------------------------------------------------------------------------------------------
# One section


def heading_id(heading):
    if heading in HEADING_IDS:
        return HEADING_IDS[heading]
    for title, ident in HEADING_IDS.items():
        if heading.startswith(title):
            return ident
    return None


def extract_section(chapter, heading, body, routes, table_auth):
    notes = []
    fixture = {
        "interface": None,
        "chapter": chapter,
        "section": heading,
        "method": None,
        "path": None,
        "auth": None,
        "tables": {},
        "requestExamples": [],
        "responseExamples": [],
        "notes": notes,
    }
    items = blocks(body)
    prose = [b[1] for b in items if b[0] == "prose"]

    url = None
    urls = []
    for line in prose:
        m = re.match(r"^URL\s*[:：]\s*(.+)$", line)
        if m and url is None:
            url = m.group(1).strip()
        m = re.match(r"^Request method\s*[:：]\s*(\S+)", line)
        if m and fixture["method"] is None:
            fixture["method"] = m.group(1).strip()
        m = re.match(r"^Authorization parameter\s*[:：]\s*(.+)$", line)
        if m and fixture["auth"] is None:
            fixture["auth"] = m.group(1).strip()
        for found in re.findall(r"https://[A-Za-z0-9.-]+(?:/[A-Za-z0-9/_.-]*)?", line):
            if "coolkit" in found and ("/v2/" in found or "/dispatch/" in found) and found not in urls:
                urls.append(found)
    if url and url.lower() != "none":
        fixture["path"] = url
    elif url is None and urls:
        paths = sorted({re.sub(r"^https://[^/]+", "", u) for u in urls})
        fixture["path"] = paths[0] if len(paths) == 1 else paths
        fixture["urls"] = urls
        notes.append("The section gives no 'URL:' line; path taken from the full URL(s) in its text: %s"
                     % ", ".join(urls))
    elif url is not None:
        notes.append("The document gives 'URL: %s'." % url)

    # Which interface this is.
    by_heading = heading_id(heading)
    by_table = routes.get((fixture["method"], fixture["path"])) if isinstance(fixture["path"], str) else None
    ident = by_table or by_heading
    fixture["interface"] = ident
    if ident is None:
        raise ValueError("cannot map section %r" % heading)
    if by_table and by_heading and by_table != by_heading:
        notes.append("The document's %s %s is CloudAPI.%s in our table, but the heading suggests %s."
                     % (fixture["method"], fixture["path"], by_table, by_heading))
    if by_table is None and ident in routes.values():
        table_route = next(k for k, v in routes.items() if v == ident)
        mismatch = "document: %s %s; CloudAPI.swift: %s %s" % (
            fixture["method"], fixture["path"], table_route[0], table_route[1])
        fixture["tableMismatch"] = mismatch
        notes.append("tableMismatch: " + mismatch)
    if ident in routes.values() and fixture["auth"]:
        allowed = DOC_AUTH.get(fixture["auth"].lower())
        ours = table_auth.get(ident)
        if allowed is not None and ours not in allowed:
            mismatch = "document authorization %r; CloudAPI.swift auth .%s" % (fixture["auth"], ours)
            fixture["tableMismatch"] = "; ".join(filter(None, [fixture.get("tableMismatch"), mismatch]))
            notes.append("tableMismatch: " + mismatch)
    if ident in WEBSOCKET_IDS:
        fixture["transport"] = "WebSocket"
        fixture["path"] = "/api/ws"
        notes.append("WebSocket message: the document gives no URL, request method or authorization "
                     "parameter for it; path '/api/ws' is from the chapter introduction "
                     "(wss:// {domain or IP}:{port}/api/ws).")

    # Walk the blocks: tables and examples with their captions.
    tables = fixture["tables"]
    order = []
    other = []
    said_none = {}
    last_prose = ""
    context_lines = []
    last_table_key = None
    for n, block in enumerate(items):
        kind = block[0]
        if kind == "prose":
            line = block[1]
            cap = norm_caption(line)
            for which, pattern in (("request", REQUEST_CAPTION), ("response", RESPONSE_CAPTION)):
                if pattern.match(cap):
                    rest = re.sub(r"^[^:：]*[:：]?", "", cap).strip()
                    next_prose = items[n + 1][1] if n + 1 < len(items) and items[n + 1][0] == "prose" else ""
                    if rest.lower() == "none" or (rest == "" and next_prose.lower() == "none"):
                        said_none[which] = line
            last_prose = line
            context_lines.append(line)
            continue
        if kind == "table":
            caption = norm_caption(last_prose)
            override = TABLE_KEY_OVERRIDES.get((ident, caption.lower()))
            if override:
                key, note = override
                notes.append(note)
            elif REQUEST_CAPTION.match(caption) or (ident in WEBSOCKET_IDS and caption.lower() == "parameters"):
                key = "request"
            elif RESPONSE_CAPTION.match(caption):
                key = "response"
            else:
                key = nested_key(tables, order, caption, notes)
            fields = parse_table(block[1], notes, caption)
            if key in tables:
                base, k = key, 2
                while "%s#%d" % (base, k) in tables:
                    k += 1
                key = "%s#%d" % (base, k)
                notes.append("The section has more than one %r table (captioned %r); the later one is keyed %r."
                             % (base, caption, key))
            tables[key] = fields
            order.append(key)
            last_table_key = key
            context_lines = []
            continue
        # a fenced block
        lang, content = block[1], block[2]
        context = context_lines[-1] if context_lines else ""
        context_lines = []
        if lang.lower() not in ("json", ""):
            notes.append("A %s code block (after %r) is not a JSON example; skipped." % (lang, context[:80]))
            continue
        value, fixes, error = parse_example("\n".join(content))
        if error:
            notes.append("Example after %r could not be parsed without guessing (%s); skipped."
                         % (context[:80], error))
            continue
        where = classify_example(ident, context, value, last_table_key)
        if where == "other":
            slot = "otherExamples[%d]" % len(other)
            other.append({"context": context, "value": value})
        else:
            slot = "%sExamples[%d]" % (where, len(fixture["%sExamples" % where]))
            fixture["%sExamples" % where].append(value)
        if fixes:
            notes.append("%s: %s to parse it." % (slot, "; ".join(fixes)))

    for which, line in sorted(said_none.items()):
        if which in tables:
            notes.append("The document also says %r although the section has a %r table; the table is kept."
                         % (line, which))
        else:
            tables[which] = []
    if other:
        fixture["otherExamples"] = other
        notes.append("otherExamples holds JSON blocks that are neither this interface's request nor its "
                     "response (illustrations, fragments, messages of another channel), each with the "
                     "sentence before it.")
    if ident in WEBSOCKET_IDS:
        actions = [re.search(r"Fixed parameter:\s*(\w+)", f["description"]) for f in tables.get("request", [])
                   + tables.get("response", []) if f["name"] == "action"]
        actions = [m.group(1) for m in actions if m]
        if actions:
            fixture["action"] = actions[0]
    checks = consistency(fixture)
    if checks:
        fixture["consistency"] = checks
    return fixture


# ---------------------------------------------------------------------------------------------


def dump(path, value):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def main(argv):
    doc_path = argv[1] if len(argv) > 1 else DEFAULT_DOC
    with open(doc_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    routes, table_auth = read_cloud_api()
    fixtures = []
    for chapter, heading, body, _ in split_sections(lines):
        fixtures.append(extract_section(chapter, heading, body, routes, table_auth))

    idents = [f["interface"] for f in fixtures]
    duplicates = sorted({i for i in idents if idents.count(i) > 1})
    if duplicates:
        raise SystemExit("more than one section maps to %s" % duplicates)
    not_in_doc = sorted(set(routes.values()) - set(idents))

    os.makedirs(OUT_DIR, exist_ok=True)
    for name in os.listdir(OUT_DIR):
        if name.endswith(".json"):
            os.remove(os.path.join(OUT_DIR, name))
    for fixture in fixtures:
        dump(os.path.join(OUT_DIR, fixture["interface"] + ".json"), fixture)
    index = {
        "source": os.path.basename(doc_path),
        "conventions": [
            "One file per interface section; 'interface' is the CloudAPI case (or dispatch, wsUserOnline, "
            "wsSysmsg, wsUpdate, wsQuery, deviceItem).",
            "tables: 'request' and 'response' are the section's request and response (data) parameter "
            "tables; nested tables are keyed by where they sit: '.' for an object field, '[]' for list items. "
            "An empty list means the document says the parameters are none. A '#2' suffix marks a second "
            "table the document gives for the same place.",
            "allowsEmpty: true for Y, false for N. Types are as written in the document, with markdown "
            "escapes removed (Array\\<Object\\> is Array<Object>).",
            "requestExamples / responseExamples: the JSON examples, parsed; fixes needed to parse them are "
            "in notes. otherExamples: JSON blocks that are neither (with the sentence before each).",
            "consistency: where the document's examples and its own tables disagree.",
            "tableMismatch: where the document's method, path or authorization disagree with CloudAPI.swift.",
        ],
        "interfaces": [
            {
                "interface": f["interface"],
                "file": f["interface"] + ".json",
                "section": f["section"],
                "chapter": f["chapter"],
                "method": f["method"],
                "path": f["path"],
                "tables": len([t for t in f["tables"].values() if t]),
                "requestExamples": len(f["requestExamples"]),
                "responseExamples": len(f["responseExamples"]),
                "otherExamples": len(f.get("otherExamples", [])),
            }
            for f in fixtures
        ],
        "cloudAPICasesWithoutSection": not_in_doc,
    }
    dump(os.path.join(OUT_DIR, "index.json"), index)

    tables = sum(e["tables"] for e in index["interfaces"])
    req = sum(e["requestExamples"] for e in index["interfaces"])
    resp = sum(e["responseExamples"] for e in index["interfaces"])
    oth = sum(e["otherExamples"] for e in index["interfaces"])
    print("%d interfaces, %d non-empty tables, %d request + %d response examples (+%d other) -> %s"
          % (len(fixtures), tables, req, resp, oth, os.path.relpath(OUT_DIR, REPO_ROOT)))
    if not_in_doc:
        print("CloudAPI cases with no section in the document: %s" % ", ".join(not_in_doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

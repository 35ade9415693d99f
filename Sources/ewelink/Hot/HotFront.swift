/// A small hand-written reader for the hot commands (`on`, `off`, `toggle`, `status`), driven by
/// `HotFrontTable`: it runs before swift-argument-parser, which builds its tables by reflection on
/// every run (22.6 million instructions of the 72.9 million of a release `ewelink on ID`, callgrind),
/// and costs a few string comparisons (10,000 instructions for `on ID`, its one-time set-up
/// included; 41,000 with four options). It reads the forms swift-argument-parser reads
/// (`--opt value`, `--opt=value`, options anywhere among the positionals, `--`) and gives up on
/// everything else, so swift-argument-parser keeps every message, exit status and help text.
enum HotFront {
    /// The hot command `arguments` (without argv[0]) spell, or nil: not a hot verb first, `--help`
    /// or any other option the table lacks, a value refused, no device or two, an empty device, a
    /// value given to a flag (`--json=`). Nil hands the arguments to swift-argument-parser unchanged.
    /// A repeated option keeps its last value, as swift-argument-parser does.
    static func parse(_ arguments: [String]) -> HotCommand? {
        guard let first = arguments.first, let verb = HotVerb(rawValue: first) else { return nil }
        var command = HotCommand(verb: verb, device: "")
        var device: String?
        var afterTerminator = false
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if afterTerminator || !argument.hasPrefix("-") {
                // A positional: the device, once. An empty one is left to swift-argument-parser.
                guard device == nil, !argument.isEmpty else { return nil }
                device = argument
                continue
            }
            if argument == "--" {
                afterTerminator = true
                continue
            }
            // Short options (`-h`), single-dash long ones (`-help`) and "-" are not the front's.
            guard argument.hasPrefix("--") else { return nil }
            let body = argument.dropFirst(2)
            let name: Substring
            let attached: String?
            if let equals = body.firstIndex(of: "=") {
                name = body[..<equals]
                attached = String(body[body.index(after: equals)...])
            } else {
                name = body
                attached = nil
            }
            guard let option = HotFrontTable.option(named: name) else { return nil }
            switch option.kind {
            case .flag(let set):
                guard attached == nil else { return nil }
                set(&command)
            case .value(let store):
                let value: String
                if let attached {
                    value = attached
                } else {
                    // As swift-argument-parser: the very next argument, if it is not an option.
                    guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                    value = arguments[index]
                    index += 1
                }
                guard store(&command, value) else { return nil }
            }
        }
        guard let device else { return nil }
        command.device = device
        return command
    }
}

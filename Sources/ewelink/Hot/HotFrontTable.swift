import EWeLink

/// Everything `HotFront` knows of the hot commands: their verbs, their long options and how each
/// reads its value. The one place to change when `PowerArguments`, `StatusCommand` or
/// `DeviceCommandOptions` gain an option: `HotFrontTests` compares this table with
/// swift-argument-parser's declarations and fails until they agree.
enum HotFrontTable {
    /// One long option (`--name`, `--name value`, `--name=value`).
    struct Option: Sendable {
        /// A flag takes no value; a value option takes one and may refuse it.
        enum Kind: Sendable {
            case flag(@Sendable (inout HotCommand) -> Void)
            /// Stores the value in the command, or returns false for a value swift-argument-parser
            /// refuses (or one the front leaves to it, as `status --channel 7`).
            case value(@Sendable (inout HotCommand, String) -> Bool)
        }

        /// The name without its two dashes.
        let name: String
        let kind: Kind

        /// Whether it takes no value.
        var isFlag: Bool {
            if case .flag = kind { return true }
            return false
        }
    }

    /// Every option of `on`, `off`, `toggle` and `status` (all four take the same ones).
    static let options: [Option] = [
        Option(name: "channel", kind: .value { command, text in
            // Int's own reading, as swift-argument-parser's `Int(argument:)`; a channel the
            // command refuses later (a negative one, or `status` beyond 3) goes to it unread.
            guard let channel = Int(text), channels(of: command.verb).contains(channel) else { return false }
            command.channel = channel
            return true
        }),
        Option(name: "json", kind: .flag { $0.json = true }),
        Option(name: "timeout", kind: .value { command, text in
            guard let seconds = Seconds.parse(text, max: Seconds.lanCeiling) else { return false }
            command.timeout = seconds
            return true
        }),
        Option(name: "lan-only", kind: .flag { $0.lanOnly = true }),
        Option(name: "via", kind: .value { command, text in
            guard let via = RoutePolicy(rawValue: text) else { return false }
            command.via = via
            return true
        }),
        Option(name: "no-hub", kind: .flag { $0.noHub = true }),
        Option(name: "trust-address", kind: .flag { $0.trustAddress = true }),
    ]

    /// The option named `name` (without dashes), if the hot commands have one.
    static func option(named name: Substring) -> Option? {
        options.first { $0.name == name }
    }

    /// The channels the front reads for `verb`: `status` checks 0...3 itself (an error message of
    /// its own); a power command's channel is the device's business, a negative one an error.
    static func channels(of verb: HotVerb) -> ClosedRange<Int> {
        verb == .status ? 0...3 : 0...Int.max
    }
}

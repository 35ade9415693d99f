import ArgumentParser
import EWeLink
import EWeLinkCore
import Testing
import TestSupport
@testable import ewelink

/// The hot front (`HotFront`, `HotFrontTable`) against swift-argument-parser: every form the front
/// reads, swift-argument-parser reads to the same command; every form swift-argument-parser refuses,
/// the front leaves to it; and the table declares exactly the options the commands declare.
@Suite("Hot front: agrees with swift-argument-parser")
struct HotFrontTests {
    // MARK: swift-argument-parser's reading

    /// What swift-argument-parser makes of `arguments`: the hot command it parses to, nil for
    /// another command (help included), or the error it throws. `fromRoot` false parses with the
    /// verb's own command as the root: the same reading for everything but the root's built-ins
    /// (`--version`, `help`), which the front never reads, and twice as fast (a parse takes 13 ms
    /// in a debug build, 26 ms from the root: the reflection the front avoids).
    static func argumentParser(_ arguments: [String], fromRoot: Bool = true) -> Result<HotCommand?, any Error> {
        Result { () throws -> HotCommand? in
            let parsed: any ParsableCommand
            if !fromRoot, let verb = arguments.first.flatMap(HotVerb.init(rawValue:)) {
                let command = try #require(Self.commands.first { $0.0 == verb }?.1)
                parsed = try command.parseAsRoot(Array(arguments.dropFirst()))
            } else {
                parsed = try EWeLinkCommand.parseAsRoot(arguments)
            }
            return switch parsed {
            case let c as OnCommand: Self.hot(.on, c.arguments)
            case let c as OffCommand: Self.hot(.off, c.arguments)
            case let c as ToggleCommand: Self.hot(.toggle, c.arguments)
            case let c as StatusCommand: Self.hot(.status, device: c.device, channel: c.channel, c.common)
            default: nil
            }
        }
    }

    static func hot(_ verb: HotVerb, _ a: PowerArguments) -> HotCommand {
        hot(verb, device: a.device, channel: a.channel, a.common)
    }

    static func hot(_ verb: HotVerb, device: String, channel: Int?, _ o: DeviceCommandOptions) -> HotCommand {
        HotCommand(verb: verb, device: device, channel: channel, json: o.json, timeout: o.timeout, lanOnly: o.lanOnly,
                   via: o.via, noHub: o.noHub, trustAddress: o.trustAddress)
    }

    /// The outcome of one form on both sides.
    enum Agreement { case bothRead, frontDeclined, bothRefused }

    /// Feeds `arguments` to both; records an issue when the front reads a form swift-argument-parser
    /// refuses, reads as another command (help), or reads differently.
    static func compare(_ arguments: [String], fromRoot: Bool = true) -> Agreement {
        let front = HotFront.parse(arguments)
        switch argumentParser(arguments, fromRoot: fromRoot) {
        case .failure(let error):
            #expect(front == nil, "\(arguments): the front read \(String(describing: front)), swift-argument-parser refused it: \(error)")
            return .bothRefused
        case .success(nil):
            #expect(front == nil, "\(arguments): the front read \(String(describing: front)), swift-argument-parser another command")
            return .bothRefused
        case .success(let parsed?):
            guard let front else { return .frontDeclined }
            #expect(parsed == front, "\(arguments): front \(front), swift-argument-parser \(parsed)")
            return .bothRead
        }
    }

    /// Outcomes of many forms.
    struct Tally: CustomStringConvertible {
        var read = 0, declined = 0, refused = 0
        var declinedForms: [[String]] = []
        let fromRoot: Bool
        init(fromRoot: Bool) { self.fromRoot = fromRoot }
        mutating func add(_ arguments: [String]) {
            switch HotFrontTests.compare(arguments, fromRoot: fromRoot) {
            case .bothRead: read += 1
            case .frontDeclined: declined += 1; declinedForms.append(arguments)
            case .bothRefused: refused += 1
            }
        }
        var description: String { "\(read) read by both, \(declined) left to swift-argument-parser, \(refused) refused by both" }
    }

    // MARK: the forms

    static let devices = ["1000abc001", "Living Room", "on", "help", "x=1", "ÜBER"]

    /// Values of each value option: valid ones, edges on both sides, and garbage.
    static let values: [String: [String]] = [
        "channel": ["0", "1", "3", "4", "-1", "+2", "007", "abc", "", "2.0", "99999999999999999999"],
        "timeout": ["0.1", "3", "30", "31", "600", "601", "0", "0.001", "0.0009", "-1", "abc", "nan", "inf", "1e2", "0x1p-3", ".5", ""],
        "via": ["auto", "lan", "cloud", "bogus", "LAN", "", "-"],
    ]

    /// Every occurrence of every option of the table, in each spelling, plus options it lacks.
    static let atoms: [[String]] = {
        var atoms: [[String]] = []
        for option in HotFrontTable.options {
            if option.isFlag {
                atoms += [["--\(option.name)"], ["--\(option.name)="], ["--\(option.name)=true"]]
            } else {
                atoms.append(["--\(option.name)"])   // its value missing, or taken from what follows
                for value in values[option.name] ?? [] {
                    atoms += [["--\(option.name)", value], ["--\(option.name)=\(value)"]]
                }
            }
        }
        return atoms + [["--bogus"], ["-h"], ["--help"], ["-help"], ["--version"], ["-j"], ["--experimental-dump-help"],
                        ["---json"], ["--=x"], ["-"], [""], ["--JSON"], ["-channel", "1"], ["--chan", "1"], ["--help-hidden"]]
    }()

    /// One valid and one refused occurrence of each option, for the pairs.
    static let fewAtoms: [[String]] = {
        var atoms: [[String]] = []
        for option in HotFrontTable.options {
            if option.isFlag {
                atoms += [["--\(option.name)"], ["--\(option.name)=1"]]
            } else {
                let v = values[option.name] ?? []
                atoms += [["--\(option.name)", v[1]], ["--\(option.name)=\(v[0])"], ["--\(option.name)", v[v.count - 2]]]
            }
        }
        return atoms + [["--bogus"], ["-h"], ["--"]]
    }()

    @Test("Each verb × each option in each spelling, before and after the device, and without one")
    func singleOptions() {
        var tally = Tally(fromRoot: false)
        for verb in HotVerb.allCases {
            for device in Self.devices { tally.add([verb.rawValue, device]) }
            for atom in Self.atoms {
                tally.add([verb.rawValue, "1000abc001"] + atom)
                tally.add([verb.rawValue] + atom + ["Living Room"])
            }
        }
        for atom in Self.atoms { tally.add(["on"] + atom) }
        print("single options: \(tally); left to swift-argument-parser e.g. \(tally.declinedForms.prefix(12))")
        // What the front leaves to swift-argument-parser although it parses: what the command
        // refuses later (a negative channel, `status` beyond channel 3) and `--flag=` (an empty value).
        #expect(tally.read > 0 && tally.declined * 5 < tally.read, "\(tally); declined e.g. \(tally.declinedForms.prefix(20))")
    }

    @Test("Pairs of options (repeated ones too: the last one wins on both sides) in every order")
    func pairsOfOptions() {
        var tally = Tally(fromRoot: false)
        for a in Self.fewAtoms {
            for b in Self.fewAtoms {
                tally.add(["on"] + a + ["1000abc001"] + b)
            }
        }
        print("pairs: \(tally)")
        #expect(tally.read > 0 && tally.declined * 5 < tally.read, "\(tally); declined e.g. \(tally.declinedForms.prefix(20))")
    }

    @Test("Random mixes of up to five options and up to two positionals (seeded)")
    func randomMixes() {
        var random = SeededGenerator(state: 23)
        var tally = Tally(fromRoot: true)
        let positionals = Self.devices + ["--", "-x", "--json"]
        for _ in 0..<300 {
            var arguments = [HotVerb.allCases[Int(random.next() % 4)].rawValue]
            var parts: [[String]] = []
            for _ in 0..<Int(random.next() % 6) { parts.append(Self.atoms[Int(random.next() % UInt64(Self.atoms.count))]) }
            for _ in 0..<Int(random.next() % 3) {
                let at = Int(random.next() % UInt64(parts.count + 1))
                parts.insert([positionals[Int(random.next() % UInt64(positionals.count))]], at: at)
            }
            for part in parts { arguments += part }
            tally.add(arguments)
        }
        print("random mixes: \(tally)")
        #expect(tally.read > 20)
    }

    @Test("The terminator, names that look like flags, help, version, other commands, missing or extra devices",
          arguments: [
            ["on", "--", "1000abc001"], ["on", "1000abc001", "--"], ["on", "--", "-x"], ["on", "--", "--json"],
            ["on", "--json", "--", "--json"], ["on", "--", "--help"], ["on", "--", "-h"], ["on", "--", "--"],
            ["on", "--", "--", "x"], ["on", "--", ""], ["on", "--channel", "--", "1", "x"], ["on", "x", "--", "y"],
            ["on", "--", "x", "--channel", "1"], ["on", "--via", "--", "lan"], ["status", "--", "--channel=1"],
            ["on", "-x"], ["on", "--x"], ["on", "-"], ["on", ""], ["on"], ["status"], ["on", "a", "b"],
            [], ["help"], ["help", "on"], ["on", "help"], ["on", "x", "help"], ["--help"], ["-h"], ["on", "-h"],
            ["on", "x", "--help"], ["on", "x", "-help"], ["--version"], ["on", "x", "--version"],
            ["on", "x", "--experimental-dump-help"], ["ON", "x"], ["On", "x"], ["discover"], ["send", "x", "switch"],
            ["devices"], ["toggle", "x", "--channel", "1", "--channel", "2"], ["status", "x", "--channel", "3", "--channel", "4"],
            ["on", "x", "--json", "--json"], ["on", "x", "--via", "lan", "--lan-only"], ["on", "x", "--lan-only", "--via", "cloud"],
            ["status", "x", "--channel=7"], ["on", "x", "--channel=-1"], ["off", "x", "--timeout", "1", "--timeout", "2"],
            ["on", "x", "--generate-completion-script", "bash"], ["--generate-completion-script", "bash"],
          ])
    func edges(_ arguments: [String]) {
        _ = Self.compare(arguments)
    }

    // MARK: the documented forms, from swift-argument-parser's own declarations

    /// A valid value of each value option, to spell every form the usage line documents.
    static let sample: [String: String] = ["channel": "1", "timeout": "2.5", "via": "lan"]

    /// `command`'s options as swift-argument-parser declares them (`--experimental-dump-help`),
    /// help excluded: long name, whether it is a flag; and its positionals.
    static func declared(_ command: ParsableCommand.Type) throws -> (options: [(name: String, flag: Bool)], positionals: [String]) {
        let dump = try JSONValue.parse(command._dumpHelp())
        var options: [(String, Bool)] = []
        var positionals: [String] = []
        for argument in dump["command"]?["arguments"]?.arrayValue ?? [] {
            let names = (argument["names"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            if names.contains("help") { continue }
            switch argument["kind"]?.stringValue {
            case "positional": positionals.append(argument["valueName"]?.stringValue ?? "?")
            case let kind:
                #expect(names.count == 1, "\(command): \(names) — the front reads one long name per option")
                #expect(argument["isRepeating"]?.boolValue != true, "\(command): --\(names) repeats")
                options.append((names.first ?? "?", kind == "flag"))
            }
        }
        return (options, positionals)
    }

    static let commands: [(HotVerb, ParsableCommand.Type)] =
        [(.on, OnCommand.self), (.off, OffCommand.self), (.toggle, ToggleCommand.self), (.status, StatusCommand.self)]

    @Test("The table declares exactly the options, kinds and one positional swift-argument-parser declares")
    func tableMatchesDeclarations() throws {
        let subcommands = EWeLinkCommand.configuration.subcommands.map { $0._commandName }
        #expect(Self.commands.map(\.0) == HotVerb.allCases)
        for (verb, command) in Self.commands {
            #expect(command._commandName == verb.rawValue)
            #expect(subcommands.contains(verb.rawValue))
            let declared = try Self.declared(command)
            #expect(declared.positionals == ["device"], "\(verb): \(declared.positionals)")
            let theirs = declared.options.map { "\($0.name) \($0.flag ? "flag" : "value")" }.sorted()
            let ours = HotFrontTable.options.map { "\($0.name) \($0.isFlag ? "flag" : "value")" }.sorted()
            #expect(theirs == ours, "\(verb): swift-argument-parser declares \(theirs), HotFrontTable \(ours)")
        }
    }

    @Test("Every form the usage lines document (each subset of the declared options, with valid values) is read, and read alike")
    func documentedForms() throws {
        var compared = 0
        for (index, (verb, command)) in Self.commands.enumerated() {
            let options = try Self.declared(command).options
            for subset in 0..<(1 << options.count) {
                var arguments = [verb.rawValue, "Living Room"]
                for (n, option) in options.enumerated() where subset & (1 << n) != 0 {
                    arguments.append("--\(option.name)")
                    if !option.flag {
                        let value = try #require(Self.sample[option.name], "no sample value for --\(option.name): add one")
                        arguments.append(value)
                    }
                }
                let attached = [verb.rawValue] + Self.attach(Array(arguments.dropFirst(2)), options) + ["Living Room"]
                #expect(HotFront.parse(arguments) != nil, "the front leaves a documented form to swift-argument-parser: \(arguments)")
                #expect(HotFront.parse(attached) != nil, "the front leaves a documented form to swift-argument-parser: \(attached)")
                // swift-argument-parser's reading of a quarter of them per verb (13 ms each): every
                // subset is compared, each with one verb.
                if subset % Self.commands.count == index {
                    #expect(Self.compare(arguments, fromRoot: false) == .bothRead)
                    #expect(Self.compare(attached, fromRoot: false) == .bothRead, "\(attached)")
                    compared += 2
                }
            }
        }
        print("documented forms: all read by the front, \(compared) compared with swift-argument-parser")
    }

    /// `--name value` spelt `--name=value`.
    static func attach(_ arguments: [String], _ options: [(name: String, flag: Bool)]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if let o = options.first(where: { "--\($0.name)" == a }), !o.flag, i + 1 < arguments.count {
                out.append("\(a)=\(arguments[i + 1])")
                i += 2
            } else {
                out.append(a)
                i += 1
            }
        }
        return out
    }

    @Test("Defaults: a bare `on ID` reads as swift-argument-parser's defaults")
    func defaults() throws {
        let front = try #require(HotFront.parse(["on", "1000abc001"]))
        #expect(front == HotCommand(verb: .on, device: "1000abc001"))
        #expect(try Self.argumentParser(["on", "1000abc001"]).get() == front)
        #expect(front.route == nil && front.timeout == Seconds(3))
        #expect(HotFront.parse(["on", "x", "--lan-only", "--via", "cloud"])?.route == .lan)
    }
}

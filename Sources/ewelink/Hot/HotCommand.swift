import EWeLink

/// The verbs of the hot commands: the ones a script runs again and again, read by `HotFront`
/// before swift-argument-parser starts.
enum HotVerb: String, CaseIterable, Sendable {
    case on, off, toggle, status
}

/// One hot command as `HotFront` read it: the same values swift-argument-parser gives
/// `OnCommand`, `OffCommand`, `ToggleCommand` or `StatusCommand` (`PowerArguments`,
/// `DeviceCommandOptions`) for the same arguments.
struct HotCommand: Equatable, Sendable {
    var verb: HotVerb
    var device: String
    var channel: Int?
    var json = false
    var timeout: Seconds = Seconds.lanDefault
    var lanOnly = false
    var via: RoutePolicy? = nil
    var noHub = false
    var trustAddress = false

    /// The route override of this command, as `DeviceCommandOptions.route`.
    var route: RoutePolicy? { lanOnly ? .lan : via }
}

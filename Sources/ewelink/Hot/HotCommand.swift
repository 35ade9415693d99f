import EWeLink

// TEMPORARY stand-in for the front branch's HotCommand/HotFront (replaced at merge).
enum HotVerb: String, CaseIterable { case on, off, toggle, status }
struct HotCommand: Equatable {
    var verb: HotVerb
    var device: String
    var channel: Int?
    var json = false
    var timeout: Seconds = Seconds(3)
    var lanOnly = false
    var via: RoutePolicy? = nil
    var noHub = false
    var trustAddress = false
    var route: RoutePolicy? { lanOnly ? .lan : via }
}
enum HotFront {
    static func parse(_ arguments: [String]) -> HotCommand? {
        guard arguments.count >= 2, let verb = HotVerb(rawValue: arguments[0]), !arguments[1].hasPrefix("-") else { return nil }
        var hot = HotCommand(verb: verb, device: arguments[1])
        for a in arguments.dropFirst(2) {
            switch a {
            case "--json": hot.json = true
            case "--no-hub": hot.noHub = true
            case "--lan-only": hot.lanOnly = true
            default: return nil
            }
        }
        return hot
    }
}

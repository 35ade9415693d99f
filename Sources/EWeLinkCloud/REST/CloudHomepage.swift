import EWeLinkCore

/// What to fetch in one home-page call; nil parts are not asked for.
public struct HomepageRequest: Sendable {
    /// Whether to fetch the user's profile.
    public var user: Bool
    /// Whether to fetch the homes and their rooms.
    public var families: Bool
    /// Things of the current home: how many (0 all) and from which index.
    public var things: (num: Int, beginIndex: Int?)?
    /// Messages of the current home: how many (1…30) and before which time (ms).
    public var messages: (num: Int, from: Int?)?
    /// The language of the messages (`en`, `cn`); nil: the cloud's default.
    public var lang: String?

    /// A request for the parts named; by default the profile, the homes and the first 30 things.
    public init(user: Bool = true, families: Bool = true, things: (num: Int, beginIndex: Int?)? = (30, nil),
                messages: (num: Int, from: Int?)? = nil, lang: String? = nil) {
        self.user = user
        self.families = families
        self.things = things
        self.messages = messages
        self.lang = lang
    }

    var body: JSONObject {
        var o: JSONObject = [:]
        if let lang { o["lang"] = .string(lang) }
        if user { o["getUser"] = [:] }
        if families { o["getFamily"] = [:] }
        if let things {
            var t: JSONObject = ["num": .int(things.num)]
            if let begin = things.beginIndex { t["beginIndex"] = .int(begin) }
            o["getThing"] = .object(t)
        }
        if let messages {
            var m: JSONObject = ["num": .int(messages.num)]
            if let from = messages.from { m["from"] = .int(from) }
            o["getMessage"] = .object(m)
        }
        return o
    }
}

/// The answer to a home-page call: each part present when asked for.
public struct CloudHomepage: Sendable {
    /// The user's profile, when asked for.
    public var user: CloudUser?
    /// The homes and the selected one, when asked for.
    public var families: CloudFamilies?
    /// The things of the selected home, when asked for.
    public var things: [CloudItem]?
    /// How many things the selected home holds in all (the page may hold fewer).
    public var thingTotal: Int?
    /// The messages, when asked for.
    public var messages: [CloudMessage]?

    init(_ data: JSONValue) {
        user = CloudUser(data["userInfo"])
        families = data["familyInfo"].map(CloudFamilies.init)
        things = data["thingInfo"]?["thingList"]?.arrayValue?.compactMap(CloudItem.init)
        thingTotal = data["thingInfo"]?["total"]?.intValue
        messages = data["messageInfo"]?["messageList"]?.arrayValue?.compactMap(CloudMessage.init)
    }
}

extension CloudClient {
    /// The user, homes, things of the current home and messages in one call.
    public func homepage(_ request: HomepageRequest = HomepageRequest()) async throws(CloudError) -> CloudHomepage {
        CloudHomepage(try await call(.homepage, body: request.body))
    }
}

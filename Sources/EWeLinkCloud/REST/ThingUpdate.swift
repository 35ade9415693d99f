import EWeLinkCore

/// One change of a batch: params for a device or a group.
public struct ThingUpdate: Sendable, Equatable {
    public enum Target: Int, Sendable { case device = 1, group = 2 }
    public var target: Target
    public var id: String
    public var params: JSONObject

    public init(_ target: Target = .device, id: String, params: JSONObject) {
        self.target = target
        self.id = id
        self.params = params
    }
}

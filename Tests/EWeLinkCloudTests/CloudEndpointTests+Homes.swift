import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Homes, rooms and the order of things.
extension CloudEndpointTests {
    @Test("Homes and rooms: add, rename, sort, delete, switch; things follow their home")
    func homesAndRooms() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("plug", true)])
        defer { Task { await sim.stop() } }
        let c = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        let start = try await c.families()
        let home = try #require(start.current)
        #expect(start.families.count == 1 && home.rooms.count == 3 && home.apikey == c.session?.apikey)

        let cottage = try await c.addFamily(name: "Cottage", roomNames: ["Porch", "Attic"])
        #expect(cottage.rooms.map(\.name) == ["Porch", "Attic"])
        let shed = try await c.addRoom(to: cottage.id, name: "Shed")
        try await c.renameFamily(cottage.id, to: "Lake house")
        try await c.renameRoom(shed.id, to: "Boathouse")
        let order = [shed.id] + cottage.rooms.map(\.id).reversed()
        try await c.sortRooms(order, in: cottage.id)
        #expect(await apiCode { try await c.sortRooms([shed.id], in: cottage.id) } == 400, "every room must be listed")
        try await c.deleteRoom(cottage.rooms[0].id)
        #expect(await apiCode { try await c.renameRoom(cottage.rooms[0].id, to: "x") } == 405)
        try await c.renameFamily(to: "Town house")

        let after = try await c.families()
        let lake = try #require(after.families.first { $0.id == cottage.id })
        #expect(lake.name == "Lake house")
        #expect(lake.rooms.sorted { $0.index < $1.index }.map(\.name) == ["Boathouse", "Attic"])
        #expect(after.current?.name == "Town house")

        try await c.switchFamily(to: cottage.id)
        #expect(try await c.things().isEmpty, "the devices are in the first home")
        _ = try await c.addGroup(name: "Porch lights", mainDeviceID: sim.devices[0].id, placement: ThingPlacement(familyID: home.id))
        let inFirst = try await c.items(familyID: home.id)
        #expect(inFirst.count == 3 && Set(sim.devices.map(\.id)).isSubset(of: inFirst.map(\.id)))
        #expect(inFirst.contains { if case .group(let g) = $0 { g.name == "Porch lights" } else { false } })
        let inCurrent = try await c.items()
        #expect(inCurrent.isEmpty)
        #expect(await apiCode { try await c.deleteFamily(cottage.id, moveThingsTo: "fam-none", switchTo: home.id) } == 400)
        try await c.deleteFamily(home.id, moveThingsTo: cottage.id, switchTo: cottage.id)
        let moved = try await c.things()
        #expect(Set(moved.map(\.deviceID)) == Set(sim.devices.map(\.id)) && moved.allSatisfy { $0.familyID == cottage.id })
        let last = try await c.families()
        #expect(last.families.map(\.id) == [cottage.id] && last.currentFamilyID == cottage.id)
        #expect(await apiCode { try await c.deleteFamily(cottage.id, moveThingsTo: cottage.id, switchTo: cottage.id) }
            == 20003)
        #expect(await apiCode { try await c.switchFamily(to: home.id) } == 405)
    }

    @Test("Sort things orders the thing list; move things sets and clears rooms")
    func sortAndMoveThings() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("plug", true), ("plug", true)])
        defer { Task { await sim.stop() } }
        let c = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        let ids = sim.devices.map(\.id)
        let refs = ids.map { CloudThingRef(.ownDevice, $0) }
        try await c.sortThings(refs.reversed())
        #expect(try await c.things().map(\.deviceID) == ids.reversed())
        #expect(await apiCode { try await c.sortThings(Array(refs.prefix(2))) } == 400, "every thing must be listed")

        let room = try #require(try await c.families().current?.rooms.first)
        try await c.moveThings(room: room.id, old: [], new: [refs[0], refs[1]])
        var rooms = Dictionary(uniqueKeysWithValues: try await c.things().map { ($0.deviceID, $0.roomID) })
        #expect(rooms[ids[0]] == room.id && rooms[ids[1]] == room.id && rooms[ids[2]] == .some(nil))
        try await c.moveThings(room: room.id, old: [refs[0], refs[1]], new: [refs[1]])
        rooms = Dictionary(uniqueKeysWithValues: try await c.things().map { ($0.deviceID, $0.roomID) })
        #expect(rooms[ids[0]] == .some(nil) && rooms[ids[1]] == room.id)
        #expect(await apiCode { try await c.moveThings(room: room.id, old: [refs[2]], new: []) } == 400,
                "the old list must match the room")
        #expect(await apiCode { try await c.moveThings(room: "room-none", old: [], new: [refs[2]]) } == 405)
    }

    @Test("Messages page by time and count; num outside 1…30 is refused before calling")
    func messages() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let owner = try await loggedIn(cloud, spec, limiter: limiter)
        let guest = try await loggedIn(cloud, spec, guest: true, limiter: limiter)
        _ = try await owner.share([sim.devices[1].id], with: .email(spec.guestEmail))
        let list = try await guest.messages()
        #expect(list.count == 1 && list[0].type == "shareNotify_v2")
        #expect(list[0].message["deviceidList"] == [.string(sim.devices[1].id)])
        #expect(try await guest.messages(from: list[0].date).isEmpty)
        #expect(try await owner.messages().isEmpty)
        #expect(await apiCode { try await guest.messages(num: 31) } == 400)
        let page = try await guest.homepage(HomepageRequest(user: false, families: false, things: nil, messages: (num: 5, from: nil)))
        #expect(page.messages?.map(\.id) == list.map(\.id))
    }
}

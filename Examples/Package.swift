// swift-tools-version:6.0
// Small programs that use the library as an app would: `import EWeLink` and one `EWeLinkClient`.
// CI builds them and runs them against the bundled simulators (scripts/examples).
import Foundation
import PackageDescription

// A package used by path is named after its folder (`ewelink-swift` in a clone with the usual name).
let library = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "ewelink-examples",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: ["Quickstart", "Discover", "SwitchWithFallback", "Events"].map { name in
        .executableTarget(name: name, dependencies: [.product(name: "EWeLink", package: library)])
    },
    swiftLanguageModes: [.v6]
)

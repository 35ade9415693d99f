// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ewelink-swift",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "EWeLink", targets: ["EWeLink"]),
        .library(name: "EWeLinkCore", targets: ["EWeLinkCore"]),
        .library(name: "EWeLinkLAN", targets: ["EWeLinkLAN"]),
        .library(name: "EWeLinkCloud", targets: ["EWeLinkCloud"]),
        .library(name: "EWeLinkSimulator", targets: ["EWeLinkSimulator"]),
        .executable(name: "ewelink", targets: ["ewelink"]),
        .executable(name: "ewelink-hub", targets: ["ewelink-hub"]),
        .executable(name: "ewelink-sim", targets: ["ewelink-sim"]),
        .executable(name: "ewelink-bench", targets: ["ewelink-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // `swift package generate-documentation` (scripts/docs); a command plugin, linked into nothing.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian's packages. The module maps of Avahi and OpenSSL link nothing: CAvahiLazy and
        // COpenSSLLazy open libavahi-client and libcrypto (dlopen) when they are first needed.
        .systemLibrary(name: "CAvahi", providers: [.apt(["libavahi-client-dev"])]),
        // CAvahi's and COpenSSL's functions, opened from libavahi-client and libcrypto on first use
        // (not at every start); CLazyLibrary is the dlopen both share.
        .target(name: "CLazyLibrary"),
        .target(name: "CAvahiLazy", dependencies: ["CAvahi", "CLazyLibrary"]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .target(name: "COpenSSLLazy", dependencies: ["COpenSSL", "CLazyLibrary"]),
        // Eclipse Mosquitto's MQTT client library: the hub's MQTT bridge only (never `ewelink`).
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),

        // What the LAN and cloud sides share: JSON, digests, sequence numbers, atomic files, durations.
        .target(name: "EWeLinkCore", dependencies: ["COpenSSL", "COpenSSLLazy"]),
        .target(
            name: "EWeLinkLAN",
            dependencies: [
                "EWeLinkCore", "CAvahi", "CAvahiLazy", "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "EWeLinkCloud",
            dependencies: [
                "COpenSSL", "EWeLinkCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "WSCore", package: "swift-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "EWeLink",
            dependencies: [
                "EWeLinkLAN", "EWeLinkCloud",
                // `EWeLinkClient` is a `Service` a resident program runs.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "EWeLinkSimulator",
            dependencies: [
                "EWeLinkLAN",
                "EWeLinkCloud",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                // The mock cloud's https:// and wss:// listeners.
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The CLI/hub contract, outside the façade: exit statuses, the hub's failure body, where the
        // hub listens, and the blocking HTTP client the CLI, the tests and the benchmark reach it with
        // (replies read by EWeLinkLAN's bounded parser). No Hummingbird: `ewelink` links this.
        .target(name: "EWeLinkHubClient", dependencies: ["EWeLink", "EWeLinkLAN", "EWeLinkCloud"]),
        // How every executable ends a usage error (exit 2, one line).
        .target(name: "CommandLineUsage", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "ewelink",
            dependencies: [
                // Never the simulator (nor Hummingbird): the demo lives in ewelink-sim.
                "EWeLink", "EWeLinkHubClient", "CommandLineUsage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The resident hub behind `ewelink serve`: HTTP API, events, metrics and the MQTT bridge
        // (Hummingbird and libmosquitto live here, not in `ewelink`).
        .target(
            name: "EWeLinkHub",
            dependencies: [
                "EWeLink", "EWeLinkCloud", "EWeLinkLAN", "EWeLinkHubClient", "CMosquitto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["openapi.yaml"]
        ),
        .executableTarget(
            name: "ewelink-hub",
            dependencies: ["EWeLinkHub", "EWeLink", "EWeLinkHubClient", "CommandLineUsage", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "ewelink-sim",
            dependencies: ["EWeLinkSimulator", "EWeLinkCloud", "CommandLineUsage", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // The benchmark harness (scripts/bench): latency percentiles against the simulator.
        .executableTarget(
            name: "ewelink-bench",
            // EWeLinkHub for its MQTT client (the `--mqtt` rows subscribe and publish as Home Assistant would).
            dependencies: ["EWeLink", "EWeLinkHubClient", "EWeLinkHub", "EWeLinkSimulator", .product(name: "NIOPosix", package: "swift-nio")],
            path: "Benchmarks/LANBenchmark"
        ),

        // Helpers shared by the test targets: raw HTTP over loopback, fleets, event waits.
        .target(name: "TestSupport", dependencies: ["EWeLink", "EWeLinkLAN", "EWeLinkCloud", "EWeLinkHubClient", "EWeLinkSimulator"],
                path: "Tests/TestSupport"),
        .testTarget(name: "EWeLinkCoreTests", dependencies: ["EWeLinkCore"]),
        .testTarget(name: "EWeLinkLANTests", dependencies: ["EWeLinkLAN", "TestSupport", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "EWeLinkSimulatorTests", dependencies: ["EWeLinkSimulator", "EWeLinkLAN", "TestSupport"]),
        // The cloud client alone (REST, WebSocket) against the mock cloud.
        .testTarget(name: "EWeLinkCloudTests", dependencies: ["EWeLinkCloud", "EWeLink", "TestSupport"]),
        // The façade: store, LAN control, routing (with fakes and end to end), OTA, events.
        .testTarget(name: "EWeLinkTests", dependencies: ["EWeLink", "EWeLinkCloud", "EWeLinkLAN", "EWeLinkHubClient", "EWeLinkSimulator",
                                                        "TestSupport", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        // HotFrontTests parse with swift-argument-parser beside the hot front.
        .testTarget(name: "CLITests", dependencies: ["EWeLinkLAN", "EWeLinkHubClient", "TestSupport", "ewelink", "ewelink-sim",
                                                     .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The hub: its API against openapi.yaml, auth, hostile clients, shutdown, and the CLI through it.
        .testTarget(name: "HubTests", dependencies: ["EWeLinkHub", "EWeLink", "EWeLinkLAN", "EWeLinkHubClient", "TestSupport", "ewelink", "ewelink-hub", "ewelink-sim"]),
    ],
    swiftLanguageModes: [.v6]
)

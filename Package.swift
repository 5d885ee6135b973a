// swift-tools-version:6.1
import PackageDescription

// Data flows one way: drafts -> checks -> reports, and cited links -> verdicts (BriefdCore, pure); what the product
// does with them (account, review, build, rot, import, clip, the daemon's services) in BriefdApp; the file-system,
// network (libcurl), database (GRDB) and system edges in BriefdIO; the desk (Hummingbird, a client of BriefdApp
// only) and a thin `briefd` command on top. Each target names exactly the modules its files import.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "briefd",
    // Linux only: the daemon is built on inotify, Glibc and systemd; no other platform is claimed.
    products: [
        .executable(name: "briefd", targets: ["briefd"]),
        .library(name: "BriefdCore", targets: ["BriefdCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // Named because the desk imports them (Hummingbird's own dependencies, at the versions it resolves).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // One system-library target per C library; a C shim only where Swift cannot call the API.
        .systemLibrary(
            name: "CCMark",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        .target(
            name: "BriefdCore",
            dependencies: [
                "CCMark", "CLibXML2", .product(name: "Yams", package: "Yams"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BriefdIO",
            dependencies: [
                "BriefdCore", "CCurl", "CCurlShim", "CZlib", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the product does, between the core and the adapters: the drafts' account and review, the build, the rot
        // pass, the import and clip runs, and the daemon's services (one per file).
        .target(
            name: "BriefdApp",
            dependencies: [
                "BriefdCore", "BriefdIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The editors' desk: the daemon's web pages (Hummingbird), kept apart so that the core and the I/O
        // layer (and the tests that need only them) do not build a web server.
        // `briefd lsp`: the Language Server Protocol over stdio, for the editors' own text editors; an adapter on
        // the application's `EditorChecks`, with its own small typed layer of messages and frames.
        .target(name: "BriefdLanguageServer", dependencies: ["BriefdCore", "BriefdApp"], swiftSettings: swiftSettings),
        .target(
            name: "BriefdDesk",
            dependencies: [
                "BriefdCore", "BriefdApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "briefd",
            dependencies: [
                "BriefdCore", "BriefdIO", "BriefdApp", "BriefdDesk", "BriefdLanguageServer",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "BriefdCoreTests",
            dependencies: ["BriefdCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        // The parsers of outside input under libFuzzer (`make fuzz`); an ordinary build replays files through them.
        .executableTarget(name: "briefd-fuzz", dependencies: ["BriefdCore"], swiftSettings: swiftSettings),
        // A real HTTP server on loopback addresses, for the tests that need one.
        .target(name: "BriefdTestSupport", path: "Tests/BriefdTestSupport"),
        .testTarget(
            name: "BriefdLinkTests",
            dependencies: [
                "BriefdCore", "BriefdIO", "BriefdApp", "BriefdTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        // The desk in process, as Hummingbird tests itself: every route, the guard, the JSON API.
        .testTarget(
            name: "BriefdDeskTests",
            dependencies: [
                "BriefdDesk", "BriefdApp", "BriefdIO", "BriefdCore", "BriefdTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // `briefd lsp` in process: an editor's messages in, the server's answers read back.
        .testTarget(
            name: "BriefdLanguageServerTests",
            dependencies: ["BriefdLanguageServer", "BriefdApp", "BriefdIO", "BriefdCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BriefdEndToEndTests",
            dependencies: ["briefd", "BriefdApp", "BriefdCore", "BriefdTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

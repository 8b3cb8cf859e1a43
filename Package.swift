// swift-tools-version:6.0
import PackageDescription

// The layout follows the dependency direction: C bridges at the bottom, pure Swift
// core in the middle, the daemon wiring and the CLI on top.
let package = Package(
    name: "AuxChain",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "auxchain", targets: ["auxchain"]),
        // For the benchmark package in Benchmarks/, which measures the kernels on their own.
        .library(name: "AuxChainDSP", targets: ["AuxChainDSP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C bridges: the only places that see alsa-lib and libgpiod.
        .systemLibrary(
            name: "CALSA",
            pkgConfig: "alsa",
            providers: [.apt(["libasound2-dev"])]
        ),
        .target(
            name: "CGPIOD",
            linkerSettings: [.linkedLibrary("gpiod")]
        ),

        // Typed Swift wrappers over the C bridges.
        .target(name: "ALSA", dependencies: ["CALSA"]),
        .target(name: "GPIO", dependencies: ["CGPIOD"]),

        // Pure Swift: real-time kernels, then the control-plane values built on them.
        .target(name: "AuxChainDSP"),
        .target(
            name: "AuxChainCore",
            dependencies: [
                "AuxChainDSP",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .target(
            name: "AuxChainAdvisor",
            resources: [.copy("Resources/knowledge.json")]
        ),

        // Services and wiring: audio engine thread, control socket, GPIO, state.
        .target(
            name: "AuxChainDaemon",
            dependencies: [
                "ALSA", "GPIO", "AuxChainDSP", "AuxChainCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "auxchain",
            dependencies: [
                "AuxChainDaemon", "AuxChainAdvisor", "AuxChainCore", "ALSA", "GPIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the tests that run real alsa-lib: one ALSA config of file PCMs per process.
        .target(name: "AuxChainTestSupport", path: "Tests/Support"),
        .testTarget(name: "ALSATests", dependencies: ["ALSA", "AuxChainTestSupport"]),
        .testTarget(name: "GPIOTests", dependencies: ["GPIO"]),
        .testTarget(name: "AuxChainDSPTests", dependencies: ["AuxChainDSP", "AuxChainTestSupport"]),
        .testTarget(name: "AuxChainCoreTests", dependencies: ["AuxChainCore", "AuxChainDSP", "AuxChainTestSupport"]),
        // AuxChainCore only for the tests: the advisor's starting config must pass the real config reader.
        .testTarget(name: "AuxChainAdvisorTests", dependencies: ["AuxChainAdvisor", "AuxChainCore"]),
        .testTarget(name: "AuxChainDaemonTests", dependencies: ["AuxChainDaemon", "ALSA", "AuxChainCore", "AuxChainTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["auxchain", "AuxChainCore", "AuxChainDaemon", "AuxChainTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

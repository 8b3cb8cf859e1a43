// swift-tools-version:6.1
import PackageDescription

// A package of its own, so the main build and CI never fetch or build the benchmark harness.
// Run everything with ./run.sh.
let package = Package(
    name: "AuxChainBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The parent package by path; the name fixes its identity whatever the checkout folder is called.
        .package(name: "AuxChain", path: ".."),
        // The interposer trait makes the harness count every malloc in the measured region.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ProcessingChainBenchmark",
            dependencies: [
                .product(name: "AuxChainDSP", package: "AuxChain"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ProcessingChainBenchmark",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

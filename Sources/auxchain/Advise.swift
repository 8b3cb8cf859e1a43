import ArgumentParser

// Placeholder: the advisor work replaces this file.
extension AuxChain {
    struct Advise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recommend how to connect an Echo to your speakers.")
    }
}

import Foundation

/// Where every test target finds the material it reads: all of it inside the repository, so a
/// clone with nothing beside it passes. The package root is derived from this file's path
/// (Tests/TestSupport/TestPaths.swift).
public enum TestPaths {
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Keras golden fixtures: `KERAS_FIXTURES_DIR` when set (another folder of the same
    /// schema, e.g. a private held-out set), else `Tests/Fixtures/keras`.
    public static var kerasFixtures: URL {
        if let env = ProcessInfo.processInfo.environment["KERAS_FIXTURES_DIR"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.appendingPathComponent("Tests/Fixtures/keras")
    }

    /// The bundled data sets, `Data/<name>/{train,test}.tsv`.
    public static var data: URL { packageRoot.appendingPathComponent("Data") }

    /// `Data/<set>/<file>`, e.g. `dataFile("zh-reviews", "train.tsv")`.
    public static func dataFile(_ set: String, _ file: String) -> URL {
        data.appendingPathComponent(set).appendingPathComponent(file)
    }

    /// The names of the bundled data sets (the folders of `Data/` that hold a train.tsv).
    public static var dataSetNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: dataFile($0, "train.tsv").path) }.sorted()
    }

    /// The shipped colour themes, `Themes/*.toml`.
    public static var themes: URL { packageRoot.appendingPathComponent("Themes") }

    /// The bytes of one Keras fixture file; a missing file is an error naming its path.
    public static func kerasFixture(_ file: String) throws -> Foundation.Data {
        let url = kerasFixtures.appendingPathComponent(file)
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw TestSupportError("fixture file \(url.path) not found (set KERAS_FIXTURES_DIR to another folder of the same schema)")
        }
        return bytes
    }

    /// The built `workbench` executable, beside the test bundle (.build/<triple>/debug/).
    public static func workbenchExecutable() throws -> URL {
        var candidates: [URL] = []
        #if os(Linux)
        candidates.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
        #endif
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
        for b in Bundle.allBundles where b.bundlePath.hasSuffix(".xctest") { candidates.append(b.bundleURL.deletingLastPathComponent()) }
        for dir in candidates {
            let exe = dir.appendingPathComponent("workbench")
            if FileManager.default.isExecutableFile(atPath: exe.path) { return exe }
        }
        throw TestSupportError("the workbench executable was not found beside the tests (looked in \(candidates.map(\.path))); build it with `swift build`")
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

import Foundation
import TextData

extension DataOptions {
    /// The warnings for a data file as these options read it (`DataWarnings`), printed on
    /// standard error as `warning: FILE: …` before anything trains; the same heuristics the
    /// workbench shows in its data summary.
    func printWarnings(for examples: [LabelledText], path: String) {
        guard let (format, options) = try? resolved() else { return }
        for w in DatasetReader.warnings(for: examples, path: BundledData.resolve(path), format: format, options: options) {
            printError("warning: \(path): \(w)")
        }
    }
}

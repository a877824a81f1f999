import Engine
import FuzzSupport

/// A weights file: `SafeTensors.decode`, then loading it into a small model the way a
/// session's weights are loaded (names, shapes and counts checked against the model's).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = FuzzInput(start, count).safetensorsFile   // see FuzzInput.safetensorsFile
    _ = try? SafeTensors.decode(data, path: "weights.safetensors")
    if let model = SmallModel.model { _ = try? model.loadWeights(from: data, path: "weights.safetensors") }
    return 0
}

/// The model the seed `weights.safetensors` was written from (see make-seeds).
enum SmallModel {
    nonisolated(unsafe) static let model: Sequential? = try? Sequential(
        spec: ModelSpec(inputLength: 4, vocabularySize: 10, layers: [.embedding(dim: 3), .globalAveragePooling1D, .dense(units: 1, activation: .sigmoid)]),
        seed: 1)
}

/// The executable's entry point (SwiftPM links `main` to `<module>_main`): libFuzzer's driver.
@_cdecl("fuzz_safetensors_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}

import FuzzSupport
import Learners

/// A learner file (`learner.safetensors`): `LearnerArchive(decoding:)`, then the learner of
/// its kind built from it (`LearnerIO.load`), and one prediction when that succeeds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = FuzzInput(start, count).safetensorsFile   // see FuzzInput.safetensorsFile
    if let learner = try? LearnerIO.decode(data, path: "learner.safetensors") {
        for text in ["great food", "awful room 房间"] { _ = learner.predictProbabilities(text) }
    }
    return 0
}

/// The executable's entry point (SwiftPM links `main` to `<module>_main`): libFuzzer's driver.
@_cdecl("fuzz_learner_archive_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}

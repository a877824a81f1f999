import FuzzSupport
import Sessions

/// A session's `session.json`, read as opening a session reads it: JSON, schema version,
/// decoding, then the checks decoding cannot make (`SessionStore.record`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    _ = ScratchFile.write(FuzzInput(start, count).bytes, to: "S/s/session.json")
    _ = try? SessionStore(root: ScratchFile.folder.appendingPathComponent("S")).record("s")
    return 0
}

/// The executable's entry point (SwiftPM links `main` to `<module>_main`): libFuzzer's driver.
@_cdecl("fuzz_session_json_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}

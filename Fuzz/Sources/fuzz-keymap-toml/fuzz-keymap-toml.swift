import FuzzSupport
import TerminalUI

/// A key bindings file: UTF-8 as `KeyMap.load` requires, then the overrides applied to the
/// standard map.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let text = String(validating: FuzzInput(start, count).bytes, as: UTF8.self) else { return 0 }
    _ = try? KeyMap.standard.applyingOverrides(text, path: "keys.toml")
    return 0
}

/// The executable's entry point (SwiftPM links `main` to `<module>_main`): libFuzzer's driver.
@_cdecl("fuzz_keymap_toml_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}

import FuzzSupport
import TextData

/// The JSON lines reader through `DatasetReader.read`: the first byte picks the default keys
/// or others; the rest is the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let (choice, content) = FuzzInput(start, count).split(choices: 2)
    let path = ScratchFile.write(content, to: "data.jsonl")
    let options = choice == 0 ? ReadOptions() : ReadOptions(textKey: "body", labelKey: "tag")
    _ = try? DatasetReader.read(path: path, options: options)
    return 0
}

/// The executable's entry point (SwiftPM links `main` to `<module>_main`): libFuzzer's driver.
@_cdecl("fuzz_jsonl_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}

import FuzzSupport
import TextData

/// The CSV reader through `DatasetReader.read`: the first byte picks the defaults, a header
/// with columns by name, or no header with columns by index; the rest is the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let (choice, content) = FuzzInput(start, count).split(choices: 3)
    let path = ScratchFile.write(content, to: "data.csv")
    let options: ReadOptions
    switch choice {
    case 0: options = ReadOptions()
    case 1: options = ReadOptions(textColumn: "review", labelColumn: "stars", hasHeader: true)
    default: options = ReadOptions(textColumn: 2, labelColumn: 0, hasHeader: false)
    }
    _ = try? DatasetReader.read(path: path, options: options)
    return 0
}

/// The executable's entry point (SwiftPM links `main` to `<module>_main`): libFuzzer's driver.
@_cdecl("fuzz_csv_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}

import CLibFuzzer

/// The harness's entry point: hands the command line to libFuzzer's driver with `body` as
/// the function it calls for each input.
///
/// Why not libFuzzer's own `main`: on Linux SwiftPM compiles an executable target with its
/// entry point renamed to `<module>_main` and links it with `--defsym main=<module>_main`
/// (so tests can link executables). With `-parse-as-library` the harness module has no
/// top-level code, so nothing defines `<module>_main` and the link fails ("undefined symbol
/// 'fuzz_tsv_main' referenced in expression"); and were it defined by top-level code, it
/// would replace libFuzzer's `main`. Each harness therefore defines `<module>_main` itself
/// (`@_cdecl`) and calls this, which runs `LLVMFuzzerRunDriver` from the fuzzer runtime.
public func runLibFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, body)
}

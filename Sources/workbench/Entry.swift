/// The program's entry: the BLAS kernel is settled (which may execute the program again) before
/// any command runs and before any BLAS work.
@main
enum Entry {
    static func main() async {
        BLASKernelStartup.apply()
        await Workbench.main()
    }
}

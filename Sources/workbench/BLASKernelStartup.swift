import Engine
import Foundation

/// Applies `BLASKernelSelection` before anything else runs: sets OPENBLAS_CORETYPE and executes
/// this program again when OpenBLAS fell back to a generic kernel (or a kernel failed the
/// self-check). The state variable carried across executions bounds the attempts, so this
/// never loops.
enum BLASKernelStartup {
    static func apply() {
        #if os(Linux)
        let env = ProcessInfo.processInfo.environment
        let cpu = CPUFeatures.current
        if case .reexecute(let kernel, let state) = BLASKernelSelection.decide(environment: env, coreName: BLAS.coreName, cpu: cpu) {
            reexecute(kernel: kernel, state: state)
        }
        let report = BLASKernelReport.current
        guard !report.selfCheck.passed else { return }
        let error = String(format: "%.1e", report.selfCheck.maxRelativeError)
        switch BLASKernelSelection.afterFailedSelfCheck(environment: env, coreName: report.kernel, cpu: cpu) {
        case .reexecute(let kernel, let state):
            warn("OpenBLAS kernel \(report.kernel) failed the self-check (sgemm error \(error)); using \(kernel) instead")
            reexecute(kernel: kernel, state: state)
        case .keep(.user):
            warn("OPENBLAS_CORETYPE=\(env[BLASKernelSelection.coreTypeVariable] ?? "") (kernel \(report.kernel)) failed the self-check "
                 + "(sgemm error \(error)); results may be wrong — unset it to let workbench choose")
        case .keep:
            warn("OpenBLAS kernel \(report.kernel) failed the self-check (sgemm error \(error)) and no safer kernel is left; results may be wrong")
        }
        #endif
    }

    #if os(Linux)
    /// Replaces this process with a fresh copy of itself; returns only if that failed (then the
    /// current kernel stays, with a word on stderr).
    private static func reexecute(kernel: String, state: BLASKernelState) {
        setenv(BLASKernelSelection.coreTypeVariable, kernel, 1)
        setenv(BLASKernelSelection.stateVariable, state.encoded, 1)
        // Nothing has been printed yet: no buffered output to lose across exec.
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        warn("could not restart with OpenBLAS kernel \(kernel) (\(String(cString: strerror(errno)))); going on with \(BLAS.coreName)")
        // So the report and any child process see the kernel actually in use.
        unsetenv(BLASKernelSelection.coreTypeVariable)
        setenv(BLASKernelSelection.stateVariable, "off", 1)
    }
    #endif

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data("workbench: \(message)\n".utf8))
    }
}

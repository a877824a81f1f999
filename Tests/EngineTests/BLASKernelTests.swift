import Testing
@testable import Engine

/// The start-up choice of OpenBLAS kernel: the table from CPU flags to kernels, the re-execution
/// protocol and its loop guard, and the sgemm self-check. Pure functions, so every CPU and
/// OpenBLAS build is a test input.
@Suite struct BLASKernelTests {
    static let sse = ["fpu", "sse", "sse2", "pni", "ssse3", "sse4_1", "sse4_2"]
    static let avx2 = sse + ["avx", "avx2", "fma", "f16c", "bmi2"]
    static let avx512 = avx2 + ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]
    /// Family 6 model 207 (the Xeon OpenBLAS 0.3.21 does not know): AVX-512 with BF16, FP16, AMX.
    static let emeraldRapids = CPUFeatures(vendor: "GenuineIntel",
                                           flags: Set(avx512 + ["avx512_bf16", "avx512_fp16", "amx_bf16", "amx_tile", "amx_int8"]))
    static let cascadeLake = CPUFeatures(vendor: "GenuineIntel", flags: Set(avx512))
    static let haswellCPU = CPUFeatures(vendor: "GenuineIntel", flags: Set(avx2))
    static let epyc = CPUFeatures(vendor: "AuthenticAMD", flags: Set(avx2))
    static let oldCPU = CPUFeatures(vendor: "GenuineIntel", flags: Set(sse + ["avx"]))

    @Test func cpuinfoParsing() {
        let text = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            cpu family\t: 6
            model\t\t: 207
            flags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512bw avx512dq avx512vl avx512cd avx512_bf16
            processor\t: 1
            vendor_id\t: Other
            flags\t\t: fpu
            """
        let cpu = CPUFeatures.parse(procCPUInfo: text)
        #expect(cpu.vendor == "GenuineIntel")
        #expect(cpu.hasAVX512BF16 && !cpu.hasAMX && !cpu.isAMD)
        #expect(CPUFeatures.parse(procCPUInfo: "").flags.isEmpty)
    }

    @Test func choiceTable() {
        #expect(BLASKernelTable.candidates(for: Self.emeraldRapids) == ["SapphireRapids", "Cooperlake", "SkylakeX", "Haswell"])
        #expect(BLASKernelTable.candidates(for: Self.cascadeLake) == ["SkylakeX", "Haswell"])
        #expect(BLASKernelTable.candidates(for: Self.haswellCPU) == ["Haswell"])
        #expect(BLASKernelTable.candidates(for: Self.epyc) == ["Zen", "Haswell"])
        #expect(BLASKernelTable.candidates(for: Self.oldCPU) == [])
        // AVX-512 without one of the subsets SkylakeX needs is not AVX-512 to OpenBLAS.
        let partial = CPUFeatures(vendor: "GenuineIntel", flags: Set(Self.avx2 + ["avx512f"]))
        #expect(BLASKernelTable.candidates(for: partial) == ["Haswell"])
        for generic in ["Prescott", "Core2", "Katmai", "Nehalem", "Sandybridge", "Unknown", "PRESCOTT"] {
            #expect(BLASKernelTable.isGenericFallback(generic), "\(generic)")
        }
        for chosen in ["Haswell", "Zen", "SkylakeX", "Cooperlake", "Excavator", "Bulldozer"] {
            #expect(!BLASKernelTable.isGenericFallback(chosen), "\(chosen)")
        }
        #expect(BLASKernelTable.saferKernels(than: "Cooperlake", for: Self.emeraldRapids) == ["SkylakeX", "Haswell", "Sandybridge", "Prescott"])
        #expect(BLASKernelTable.saferKernels(than: "Zen", for: Self.epyc) == ["Sandybridge", "Prescott"])
        #expect(BLASKernelTable.saferKernels(than: "Prescott", for: Self.epyc) == [])
    }

    @Test func fallbackOnAKnownGoodCPUIsReplaced() {
        let decision = BLASKernelSelection.decide(environment: [:], coreName: "Prescott", cpu: Self.emeraldRapids)
        #expect(decision == .reexecute(kernel: "SapphireRapids", state: BLASKernelState(detected: "Prescott", tried: ["SapphireRapids"])))
        #expect(BLASKernelSelection.decide(environment: [:], coreName: "Prescott", cpu: Self.epyc)
                == .reexecute(kernel: "Zen", state: BLASKernelState(detected: "Prescott", tried: ["Zen"])))
    }

    @Test func keepsWhatNeedsNoChange() {
        // OpenBLAS knows the CPU.
        #expect(BLASKernelSelection.decide(environment: [:], coreName: "Zen", cpu: Self.epyc) == .keep(.detected))
        #expect(BLASKernelSelection.decide(environment: [:], coreName: "SkylakeX", cpu: Self.cascadeLake) == .keep(.detected))
        // A CPU without AVX2: the generic kernel is the right one.
        #expect(BLASKernelSelection.decide(environment: [:], coreName: "Prescott", cpu: Self.oldCPU) == .keep(.detected))
        // The user's own choice, even a slow one.
        #expect(BLASKernelSelection.decide(environment: ["OPENBLAS_CORETYPE": "Prescott"], coreName: "Prescott", cpu: Self.emeraldRapids)
                == .keep(.user))
        // Turned off.
        #expect(BLASKernelSelection.decide(environment: ["WORKBENCH_BLAS_AUTO": "off"], coreName: "Prescott", cpu: Self.emeraldRapids)
                == .keep(.detected))
        // A state variable this code did not write is not ours: the user's kernel stands.
        #expect(BLASKernelSelection.decide(environment: ["WORKBENCH_BLAS_AUTO": "garbage", "OPENBLAS_CORETYPE": "Haswell"],
                                           coreName: "Haswell", cpu: Self.emeraldRapids) == .keep(.user))
    }

    /// Plays the protocol against a model of an OpenBLAS build: `available` are the kernels it
    /// has; asked for another, it keeps its own detection. Returns the final decision and the
    /// number of executions.
    func play(cpu: CPUFeatures, detected: String, available: Set<String>, failing: Set<String> = [],
              environment start: [String: String] = [:]) -> (BLASKernelDecision, Int) {
        var env = start
        var runs = 0
        while runs < 20 {
            runs += 1
            let requested = env["OPENBLAS_CORETYPE"] ?? ""
            let loaded = available.contains(requested) ? requested : detected
            var decision = BLASKernelSelection.decide(environment: env, coreName: loaded, cpu: cpu)
            if case .keep = decision, failing.contains(loaded) {
                decision = BLASKernelSelection.afterFailedSelfCheck(environment: env, coreName: loaded, cpu: cpu)
            }
            guard case .reexecute(let kernel, let state) = decision else { return (decision, runs) }
            env["OPENBLAS_CORETYPE"] = kernel
            env["WORKBENCH_BLAS_AUTO"] = state.encoded
        }
        return (.keep(.detected), runs)
    }

    @Test func reexecutionSettlesOnTheBestKernelTheBuildHas() {
        // Debian 12's 0.3.21: no SapphireRapids kernel; Cooperlake is there.
        let debian: Set = ["Prescott", "Haswell", "SkylakeX", "Cooperlake", "Zen", "Sandybridge"]
        let (d1, runs1) = play(cpu: Self.emeraldRapids, detected: "Prescott", available: debian)
        #expect(d1 == .keep(.automatic(detected: "Prescott")))
        #expect(runs1 == 3)   // first run, SapphireRapids (missing), Cooperlake
        let (d2, runs2) = play(cpu: Self.epyc, detected: "Prescott", available: debian)
        #expect(d2 == .keep(.automatic(detected: "Prescott")) && runs2 == 2)
    }

    @Test func loopGuardEndsWhenNothingBetterExists() {
        // A build with no AVX2 kernel at all: every candidate is tried once, then it stops.
        let (d, runs) = play(cpu: Self.emeraldRapids, detected: "Prescott", available: ["Prescott"])
        #expect(d == .keep(.noBetterKernel(detected: "Prescott")))
        #expect(runs <= BLASKernelSelection.maximumAttempts + 1)
        // A state already at the attempt limit never asks for another execution.
        let full = BLASKernelState(detected: "Prescott", tried: ["A", "B", "C", "D"])
        let env = ["OPENBLAS_CORETYPE": "D", "WORKBENCH_BLAS_AUTO": full.encoded]
        #expect(BLASKernelSelection.decide(environment: env, coreName: "Prescott", cpu: Self.emeraldRapids)
                == .keep(.noBetterKernel(detected: "Prescott")))
    }

    @Test func aKernelThatFailsTheSelfCheckIsReplaced() {
        let debian: Set = ["Prescott", "Haswell", "SkylakeX", "Cooperlake", "Sandybridge"]
        let (d, runs) = play(cpu: Self.emeraldRapids, detected: "Prescott", available: debian, failing: ["Cooperlake"])
        #expect(d == .keep(.fallback(failed: "Cooperlake")))
        #expect(runs == 4)
        // Everything fails: it ends, with the last kernel kept.
        let (worst, worstRuns) = play(cpu: Self.epyc, detected: "Zen", available: ["Zen", "Haswell", "Sandybridge", "Prescott"],
                                      failing: ["Zen", "Haswell", "Sandybridge", "Prescott"])
        #expect(worstRuns <= BLASKernelSelection.maximumAttempts + 1)
        if case .keep = worst {} else { Issue.record("did not settle: \(worst)") }
        // The user's kernel is never replaced (the caller warns instead).
        #expect(BLASKernelSelection.afterFailedSelfCheck(environment: ["OPENBLAS_CORETYPE": "SkylakeX"], coreName: "SkylakeX",
                                                         cpu: Self.cascadeLake) == .keep(.user))
    }

    @Test func stateRoundTrips() {
        let s = BLASKernelState(detected: "Prescott", tried: ["SapphireRapids", "Cooperlake"], failed: "Cooperlake")
        #expect(BLASKernelState(encoded: s.encoded) == s)
        #expect(BLASKernelState(encoded: "nonsense") == nil)
        #expect(BLASKernelState(encoded: "off") == nil)
    }

    @Test func selfCheckPassesAndCatchesAWrongProduct() {
        let good = BLASSelfCheck.run()
        #expect(good.passed, "max error \(good.maxRelativeError)")
        // A kernel that drops the last term of every dot product.
        let wrong = BLASSelfCheck.run { ta, tb, m, n, k, a, lda, b, ldb, c, ldc in
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Float = 0
                    for p in 0..<(k - 1) { sum += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]) }
                    c[i * ldc + j] = sum
                }
            }
        }
        #expect(!wrong.passed)
        // One that never writes C.
        #expect(!BLASSelfCheck.run { _, _, _, _, _, _, _, _, _, _, _ in }.passed)
    }
}

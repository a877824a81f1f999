import Basics
import Foundation

/// The on-screen form of a `BenchReport`: settings, one row per model, the sgemm figures and
/// the machine.
enum BenchTable {
    static func render(_ r: BenchReport) -> String {
        let s = r.settings, m = r.machine
        var out: [String] = []
        out.append("workbench bench — \(URL(fileURLWithPath: s.data).lastPathComponent): \(grouped(Double(s.trainExamples))) training, "
                   + "\(grouped(Double(s.testExamples))) test texts")
        let neural = r.models.filter { !$0.isLearner }, learners = r.models.filter(\.isLearner)
        if learners.isEmpty || !neural.isEmpty {
            out.append("tokens: \(s.tokenizer), vocabulary \(grouped(Double(s.vocabSize))), length \(s.maxLength); batch \(s.batchSize), "
                       + "Adam \(s.learningRate), \(s.epochs) epoch\(s.epochs == 1 ? "" : "s"); \(s.blasThreads) BLAS thread\(s.blasThreads == 1 ? "" : "s"); "
                       + "\(m.build) build; \(s.isolation)")
            out.append("training samples/s: \(s.throughputRule); latency: one raw text, median / p99 of \(s.predictCalls) calls")
        } else {
            out.append("seed \(s.seed); \(m.build) build; \(s.isolation); latency: one raw text, median / p99 of \(s.predictCalls) calls")
        }
        if !neural.isEmpty {
            out.append("")
            let header = ["model", "params", "samples/s", "s/epoch", "test acc", "predict µs", "forward µs",
                          "peak RSS MB", "GEMM GFLOP/s", "of sgemm peak", "sgemm share"]
            var rows: [[String]] = []
            for x in neural {
                let epochSeconds = x.epochSeconds ?? []
                let g = x.gemm ?? GemmStepFigures(flopsPerStep: 0, achievedGflops: 0, uncountedLayers: ["?"], calls: [])
                rows.append([
                    x.name, grouped(Double(x.parameters ?? 0)), grouped(x.trainSamplesPerSecond),
                    String(format: "%.2f", Stats.median(Array(epochSeconds.dropFirst(epochSeconds.count > 1 ? 1 : 0)))),
                    String(format: "%.4f", x.testAccuracy),
                    String(format: "%.0f / %.0f", x.predictLatencyUsMedian, x.predictLatencyUsP99),
                    String(format: "%.0f / %.0f", x.forwardLatencyUsMedian, x.forwardLatencyUsP99),
                    String(format: "%.0f", x.peakRssMb),
                    g.uncountedLayers.isEmpty ? String(format: "%.1f", g.achievedGflops) : "not counted",
                    g.uncountedLayers.isEmpty ? g.fractionOfSgemmPeak.map { String(format: "%.0f%%", $0 * 100) } ?? "—" : "—",
                    !g.uncountedLayers.isEmpty ? "—" : g.sgemmTimeShare.map { String(format: "%.0f%%", $0 * 100) } ?? "—",
                ])
            }
            out.append(contentsOf: table(header, rows, left: [0]))
            out.append("(predict = tokenise + pad + forward; GEMM GFLOP/s = counted sgemm FLOPs per step ÷ step time; "
                       + "of sgemm peak = that ÷ sgemm at 1024³; sgemm share = time the step's sgemm calls take alone ÷ step time)")
        }
        if !learners.isEmpty {
            out.append("")
            let header = ["learner", "samples/s", "train s", "test acc", "predict µs", "model µs", "tokens µs", "size",
                          "peak RSS MB"]
            let rows = learners.map { x in
                [x.name, grouped(x.trainSamplesPerSecond), String(format: "%.2f", x.trainSeconds ?? 0),
                 String(format: "%.4f", x.testAccuracy),
                 String(format: "%.1f / %.1f", x.predictLatencyUsMedian, x.predictLatencyUsP99),
                 String(format: "%.1f / %.1f", x.forwardLatencyUsMedian, x.forwardLatencyUsP99),
                 String(format: "%.1f", x.tokenizeLatencyUsMedian), CompareCommand.bytes(x.modelBytes ?? 0),
                 String(format: "%.0f", x.peakRssMb)]
            }
            out.append(contentsOf: table(header, rows, left: [0]))
            out.append("(learners: tokens chosen from the data as `compare` does; samples/s = training texts ÷ the whole fit, "
                       + "tokenising and features included; predict = one raw text through predictProbabilities; "
                       + "model = the same on its tokens; size = the saved model)")
            for x in learners { out.append("  \(x.name): \(x.description)") }
        }
        if let g = r.sgemm {
            out.append("")
            out.append("sgemm, \(g.threads) thread\(g.threads == 1 ? "" : "s"), OpenBLAS kernel \(g.openblasCore):")
            var rows: [[String]] = []
            for f in g.shapes {
                let used = neural.filter { $0.gemm?.calls.contains { $0.shape == f.shape } ?? false }.map(\.name)
                rows.append([f.label, String(format: "%.1f", f.gflops), String(format: "%.1f", f.gflopsBest),
                             String(format: "%.2f", f.microsecondsPerCall), String(format: "%.1e", f.maxRelativeError),
                             used.isEmpty ? (f.label == g.peakShape ? "peak" : "") : used.joined(separator: ", ")])
            }
            out.append(contentsOf: table(["shape", "GFLOP/s", "best", "µs/call", "max rel err", "used by"], rows, left: [0, 5]))
        }
        out.append("")
        let env = m.openblasEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        out.append("machine: \(m.cpuModel), \(m.logicalCores) cores, \(m.memoryGb) GB, \(m.os); \(m.openblasConfig) "
                   + "(kernel \(m.openblasCore)\(m.openblasKernelChoice.map { ", " + $0 } ?? ""))\(env.isEmpty ? "" : "; " + env); \(m.swiftCompiler)")
        out.append("load average at start \(m.loadAverageStart), at end \(m.loadAverageEnd)")
        return out.joined(separator: "\n")
    }

    /// Columns padded to their widest cell; the `left` columns left-aligned, the rest right.
    static func table(_ header: [String], _ rows: [[String]], left: Set<Int>) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.indices.map { c in
                let pad = String(repeating: " ", count: max(0, widths[c] - row[c].count))
                return left.contains(c) ? row[c] + pad : pad + row[c]
            }.joined(separator: "  ")
        }
    }

    /// 13889 → "13,889"; whole numbers only.
    static func grouped(_ v: Double) -> String {
        guard v.isFinite else { return "—" }
        return (v < 0 ? "-" : "") + Digits.grouped(Int(v.rounded()).magnitude)
    }
}

import Foundation

/// Limited-memory BFGS (Nocedal 1980) for smooth unconstrained problems, with the stopping
/// rules scikit-learn hands SciPy's L-BFGS-B: stop when the largest gradient component is at
/// most `gradientTolerance`, when the objective's relative decrease falls to 64 machine
/// epsilons, or after `maxIterations` iterations. The line search backtracks (quadratic
/// interpolation) until the Armijo condition holds; the first step is scaled to length 1.
struct LBFGS {
    var memory = 10
    var maxIterations = 100
    var gradientTolerance = 1e-4
    var maxLineSearchSteps = 50

    struct Outcome {
        var iterations: Int
        var converged: Bool
        var value: Double
    }

    /// Minimises `f` from `x` (updated in place). `f(x, &g)` returns the objective and
    /// writes its gradient into `g`.
    func minimize(_ x: inout [Double], _ f: (_ x: [Double], _ g: inout [Double]) -> Double) -> Outcome {
        let n = x.count
        var g = [Double](repeating: 0, count: n)
        var fx = f(x, &g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var d = [Double](repeating: 0, count: n)
        var xNew = x, gNew = g
        var alpha = [Double](repeating: 0, count: memory)
        if !fx.isFinite { return Outcome(iterations: 0, converged: false, value: fx) }
        if Self.maxAbs(g) <= gradientTolerance { return Outcome(iterations: 0, converged: true, value: fx) }

        for iteration in 1...max(1, maxIterations) {
            // Direction: −H·g by the two-loop recursion.
            for i in 0..<n { d[i] = -g[i] }
            let m = s.count
            if m > 0 {
                for k in stride(from: m - 1, through: 0, by: -1) {
                    alpha[k] = rho[k] * Self.dot(s[k], d)
                    Self.axpy(-alpha[k], y[k], &d)
                }
                let gamma = Self.dot(s[m - 1], y[m - 1]) / Self.dot(y[m - 1], y[m - 1])
                for i in 0..<n { d[i] *= gamma }
                for k in 0..<m {
                    let beta = rho[k] * Self.dot(y[k], d)
                    Self.axpy(alpha[k] - beta, s[k], &d)
                }
            }
            var slope = Self.dot(g, d)
            if slope >= 0 {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                s.removeAll(); y.removeAll(); rho.removeAll()
                for i in 0..<n { d[i] = -g[i] }
                slope = Self.dot(g, d)
            }
            var step = s.isEmpty ? min(1, 1 / max(Self.norm(d), 1e-300)) : 1.0

            // Backtracking line search.
            var fNew = 0.0
            var accepted = false
            for _ in 0..<maxLineSearchSteps {
                for i in 0..<n { xNew[i] = x[i] + step * d[i] }
                fNew = f(xNew, &gNew)
                if fNew.isFinite && fNew <= fx + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                let denom = 2 * (fNew - fx - slope * step)
                var next = fNew.isFinite && denom > 0 ? -slope * step * step / denom : step / 2
                next = min(max(next, 0.1 * step), 0.5 * step)
                step = next
            }
            if !accepted { return Outcome(iterations: iteration, converged: false, value: fx) }

            // Update the memory.
            var sk = [Double](repeating: 0, count: n), yk = [Double](repeating: 0, count: n)
            for i in 0..<n {
                sk[i] = xNew[i] - x[i]
                yk[i] = gNew[i] - g[i]
            }
            let sy = Self.dot(sk, yk)
            if sy > 1e-10 * Self.dot(yk, yk) && sy > 0 {
                if s.count == memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
                s.append(sk); y.append(yk); rho.append(1 / sy)
            }
            let previous = fx
            swap(&x, &xNew)
            swap(&g, &gNew)
            fx = fNew
            if Self.maxAbs(g) <= gradientTolerance { return Outcome(iterations: iteration, converged: true, value: fx) }
            if (previous - fx) / max(abs(previous), abs(fx), 1) <= 64 * Double.ulpOfOne {
                return Outcome(iterations: iteration, converged: true, value: fx)
            }
        }
        return Outcome(iterations: maxIterations, converged: false, value: fx)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { p in b.withUnsafeBufferPointer { q in
            var s = 0.0
            for i in 0..<p.count { s += p[i] * q[i] }
            return s
        } }
    }

    static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        x.withUnsafeBufferPointer { p in y.withUnsafeMutableBufferPointer { q in
            for i in 0..<p.count { q[i] += a * p[i] }
        } }
    }

    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    static func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }
}

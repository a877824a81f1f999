// The C maths library only (no Foundation): log10 and pow for ticks, scales and smoothing.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

enum CMath {
    @inline(__always) static func log10(_ x: Double) -> Double { _log10(x) }

    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { _pow(x, y) }

    /// 10^k, correctly rounded by libm for integer k.
    @inline(__always) static func pow10(_ k: Int) -> Double { _pow(10, Double(k)) }
}

// Module-level forwarders so the enum's members do not shadow the C functions.
@inline(__always) private func _log10(_ x: Double) -> Double { log10(x) }
@inline(__always) private func _pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }

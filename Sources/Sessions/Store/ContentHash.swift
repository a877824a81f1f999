import Foundation

/// The content hash a session records for its data set: XXH64 (seed 0) of the file's bytes,
/// written `xxh64:<16 hex digits>`, the value `xxhsum -H64 FILE` prints. Not cryptographic:
/// it detects a data file that changed, not a forged one.
///
/// A folder-per-class data set hashes, in sorted order of relative path, every regular file
/// under it: the path's UTF-8 bytes, a 0 byte, the file's length as 8 little-endian bytes and
/// its XXH64, all fed into one XXH64.
public enum ContentHash {
    public static let prefix = "xxh64:"

    /// The hash of a data file or folder.
    public static func of(path: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw SessionError.file(path: path, reason: "no such file or directory")
        }
        if !isDir.boolValue { return format(try fileHash(path)) }
        let root = URL(fileURLWithPath: path)
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw SessionError.file(path: path, reason: "cannot list the folder")
        }
        var files: [String] = []
        let base = root.standardizedFileURL.path
        for case let url as URL in e {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var rel = url.standardizedFileURL.path
            if rel.hasPrefix(base) { rel.removeFirst(base.count) }
            while rel.hasPrefix("/") { rel.removeFirst() }
            files.append(rel)
        }
        var summary: [UInt8] = []
        for rel in files.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let full = root.appendingPathComponent(rel).path
            summary.append(contentsOf: Array(rel.utf8))
            summary.append(0)
            let size = UInt64((try? FileManager.default.attributesOfItem(atPath: full)[.size] as? NSNumber)?.uint64Value ?? 0)
            withUnsafeBytes(of: size.littleEndian) { summary.append(contentsOf: $0) }
            withUnsafeBytes(of: try fileHash(full).littleEndian) { summary.append(contentsOf: $0) }
        }
        return format(summary.withUnsafeBytes { XXH64.hash($0) })
    }

    public static func format(_ h: UInt64) -> String {
        let hex = String(h, radix: 16)
        return prefix + String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func fileHash(_ path: String) throws -> UInt64 {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw SessionError.file(path: path, reason: "cannot open the file")
        }
        defer { try? h.close() }
        var state = XXH64()
        while true {
            let chunk: Data
            do { chunk = try h.read(upToCount: 1 << 20) ?? Data() } catch {
                throw SessionError.file(path: path, reason: "read failed: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { state.update($0) }
        }
        return state.digest()
    }
}

/// XXH64 (Yann Collet's xxHash, 64-bit), streaming.
struct XXH64 {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64
    private var total: UInt64 = 0
    private var buffer: [UInt8] = []   // < 32 bytes not yet consumed
    private let seed: UInt64

    init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ Self.p1 &+ Self.p2
        v2 = seed &+ Self.p2
        v3 = seed
        v4 = seed &- Self.p1
    }

    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var s = XXH64(seed: seed)
        s.update(bytes)
        return s.digest()
    }

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }
    @inline(__always) static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    mutating func update(_ input: UnsafeRawBufferPointer) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        total &+= UInt64(input.count)
        var i = 0
        if !buffer.isEmpty {
            let take = min(32 - buffer.count, input.count)
            buffer.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            i = take
            if buffer.count < 32 { return }
            buffer.withUnsafeBytes { stripe($0.baseAddress!) }
            buffer.removeAll(keepingCapacity: true)
        }
        while input.count - i >= 32 {
            stripe(base + i)
            i += 32
        }
        if i < input.count { buffer.append(contentsOf: UnsafeRawBufferPointer(start: base + i, count: input.count - i)) }
    }

    @inline(__always) private mutating func stripe(_ p: UnsafeRawPointer) {
        v1 = Self.round(v1, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        v2 = Self.round(v2, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        v3 = Self.round(v3, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        v4 = Self.round(v4, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    func digest() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h = Self.rotl(v1, 1) &+ Self.rotl(v2, 7) &+ Self.rotl(v3, 12) &+ Self.rotl(v4, 18)
            h = Self.merge(h, v1); h = Self.merge(h, v2); h = Self.merge(h, v3); h = Self.merge(h, v4)
        } else {
            h = seed &+ Self.p5
        }
        h &+= total
        buffer.withUnsafeBytes { raw in
            var i = 0
            let n = raw.count
            while n - i >= 8 {
                let k = Self.round(0, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                h = Self.rotl(h ^ k, 27) &* Self.p1 &+ Self.p4
                i += 8
            }
            if n - i >= 4 {
                let k = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
                h = Self.rotl(h ^ (k &* Self.p1), 23) &* Self.p2 &+ Self.p3
                i += 4
            }
            while i < n {
                h = Self.rotl(h ^ (UInt64(raw[i]) &* Self.p5), 11) &* Self.p1
                i += 1
            }
        }
        h ^= h >> 33
        h &*= Self.p2
        h ^= h >> 29
        h &*= Self.p3
        h ^= h >> 32
        return h
    }
}

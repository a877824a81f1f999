import Foundation

/// A zip archive of stored (uncompressed) entries, as Python's `zipfile` reads them: the
/// container of a `.keras` file. Entries and sizes stay far below zip64's limits (a model
/// file over 4 GiB is refused).
enum ZipWriter {
    struct TooLarge: Error { var entry: String }

    static func archive(_ entries: [(name: String, data: Data)]) throws(TooLarge) -> Data {
        var out = Data()
        var central = Data()
        for (name, data) in entries {
            let nameBytes = Data(name.utf8)
            guard data.count < Int(UInt32.max), out.count < Int(UInt32.max) - data.count - 30 - nameBytes.count else {
                throw TooLarge(entry: name)
            }
            let offset = UInt32(out.count)
            let crc = crc32(data)
            // Local file header: version 2.0, no flags, stored, a fixed DOS time (1980-01-01),
            // so the same model gives the same bytes.
            out.append(le32: 0x0403_4b50); out.append(le16: 20); out.append(le16: 0); out.append(le16: 0)
            out.append(le16: 0); out.append(le16: 0x21)
            out.append(le32: crc); out.append(le32: UInt32(data.count)); out.append(le32: UInt32(data.count))
            out.append(le16: UInt16(nameBytes.count)); out.append(le16: 0)
            out.append(nameBytes); out.append(data)

            central.append(le32: 0x0201_4b50); central.append(le16: 20); central.append(le16: 20)
            central.append(le16: 0); central.append(le16: 0); central.append(le16: 0); central.append(le16: 0x21)
            central.append(le32: crc); central.append(le32: UInt32(data.count)); central.append(le32: UInt32(data.count))
            central.append(le16: UInt16(nameBytes.count)); central.append(le16: 0); central.append(le16: 0)
            central.append(le16: 0); central.append(le16: 0); central.append(le32: 0o100644 << 16)
            central.append(le32: offset)
            central.append(nameBytes)
        }
        guard out.count < Int(UInt32.max) - central.count else { throw TooLarge(entry: "central directory") }
        let centralOffset = UInt32(out.count)
        out.append(central)
        out.append(le32: 0x0605_4b50); out.append(le16: 0); out.append(le16: 0)
        out.append(le16: UInt16(entries.count)); out.append(le16: UInt16(entries.count))
        out.append(le32: UInt32(central.count)); out.append(le32: centralOffset); out.append(le16: 0)
        return out
    }

    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 (IEEE), as zip stores it.
    static func crc32(_ data: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        data.withUnsafeBytes { (p: UnsafeRawBufferPointer) in
            for b in p { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}

private extension Data {
    mutating func append(le16 v: UInt16) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    mutating func append(le32 v: UInt32) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
}

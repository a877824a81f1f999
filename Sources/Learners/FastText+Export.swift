/// fastText's input rows laid out as one dense table for export: the dictionary's rows, then
/// one row per bucket `0..<bucket` (a bucket never met in training holds its starting values,
/// as predictions use them).
extension FastText {
    /// Rows in the dense table: the words, then every bucket when there are word n-grams.
    public var denseRowCount: Int { words.count + (options.wordNgrams > 1 ? options.bucket : 0) }

    /// The dense-table rows a token list averages (known words, `</s>`, then the n-grams), as
    /// `predictProbabilities(tokens:)` reads them.
    public func denseRows(tokens: [String]) -> [Int] {
        var rows: [Int] = []
        forEachRow(tokens) { row, bucket in rows.append(bucket >= 0 ? words.count + Int(bucket) : Int(row)) }
        return rows
    }

    /// The dense table, row-major (`denseRowCount` × dim).
    public func denseTable() -> [Float] {
        let dim = options.dim
        var table = [Float](repeating: 0, count: denseRowCount * dim)
        table.replaceSubrange(0..<(words.count * dim), with: input[0..<(words.count * dim)])
        guard options.wordNgrams > 1 else { return table }
        var row = [Float](repeating: 0, count: dim)
        for b in 0..<options.bucket {
            let start = (words.count + b) * dim
            if let stored = bucketRow[Int32(b)] {
                let s = Int(stored) * dim
                table.replaceSubrange(start..<(start + dim), with: input[s..<(s + dim)])
            } else {
                Self.initialRow(seed: seed, row: words.count + b, dim: dim, into: &row)
                table.replaceSubrange(start..<(start + dim), with: row)
            }
        }
        return table
    }
}

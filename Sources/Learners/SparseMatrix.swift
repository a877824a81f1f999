/// A sparse matrix in compressed sparse row (CSR) form, as scipy's `csr_matrix`: row `r`
/// holds `colIdx[rowPtr[r]..<rowPtr[r + 1]]` with `values` beside them, columns ascending
/// and distinct within a row. Only the stored entries exist; everything else is zero.
public struct SparseMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `rows + 1` offsets into `colIdx` / `values`; `rowPtr[0] == 0`, `rowPtr[rows] == nnz`.
    public let rowPtr: [Int]
    public let colIdx: [Int32]
    public let values: [Float]

    /// Checks the structure: offsets non-decreasing and ending at the entry count, columns in
    /// range and ascending within each row.
    public init(rows: Int, columns: Int, rowPtr: [Int], colIdx: [Int32], values: [Float]) throws {
        func fail(_ why: String) -> LearnerError { .invalidData(what: "sparse matrix", reason: why) }
        guard rows >= 0, columns >= 0 else { throw fail("negative size \(rows)×\(columns)") }
        guard rowPtr.count == rows + 1, rowPtr.first == 0 else {
            throw fail("rowPtr needs \(rows + 1) offsets starting at 0, got \(rowPtr.count)")
        }
        guard colIdx.count == values.count, rowPtr[rows] == colIdx.count else {
            throw fail("rowPtr ends at \(rowPtr[rows]) but there are \(colIdx.count) columns and \(values.count) values")
        }
        for r in 0..<rows {
            guard rowPtr[r] <= rowPtr[r + 1] else { throw fail("rowPtr decreases at row \(r)") }
            var last: Int32 = -1
            for k in rowPtr[r]..<rowPtr[r + 1] {
                let c = colIdx[k]
                guard c > last, Int(c) < columns else {
                    throw fail("row \(r): column \(c) out of order or outside 0..<\(columns)")
                }
                last = c
            }
        }
        self.init(unchecked: rows, columns: columns, rowPtr: rowPtr, colIdx: colIdx, values: values)
    }

    /// For builders that produce a valid structure by construction.
    init(unchecked rows: Int, columns: Int, rowPtr: [Int], colIdx: [Int32], values: [Float]) {
        self.rows = rows
        self.columns = columns
        self.rowPtr = rowPtr
        self.colIdx = colIdx
        self.values = values
    }

    /// Number of stored entries.
    public var nonZeroCount: Int { colIdx.count }

    /// One row's entries as (column, value) pairs.
    public func row(_ r: Int) -> [(column: Int, value: Float)] {
        guard r >= 0 && r < rows else { return [] }
        return (rowPtr[r]..<rowPtr[r + 1]).map { (Int(colIdx[$0]), values[$0]) }
    }

    /// The value at (r, c): a binary search in row r.
    public subscript(r: Int, c: Int) -> Float {
        guard r >= 0 && r < rows else { return 0 }
        var lo = rowPtr[r], hi = rowPtr[r + 1]
        let key = Int32(truncatingIfNeeded: c)
        while lo < hi {
            let mid = (lo + hi) / 2
            if colIdx[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo < rowPtr[r + 1] && colIdx[lo] == key ? values[lo] : 0
    }

    /// The rows at `indices`, in that order (repeats allowed).
    public func selecting(rows indices: [Int]) -> SparseMatrix {
        var ptr = [0]
        ptr.reserveCapacity(indices.count + 1)
        var cols: [Int32] = [], vals: [Float] = []
        for r in indices where r >= 0 && r < rows {
            cols.append(contentsOf: colIdx[rowPtr[r]..<rowPtr[r + 1]])
            vals.append(contentsOf: values[rowPtr[r]..<rowPtr[r + 1]])
            ptr.append(cols.count)
        }
        return SparseMatrix(unchecked: ptr.count - 1, columns: columns, rowPtr: ptr, colIdx: cols, values: vals)
    }

    /// The transpose, also in CSR form (so the CSC form of this matrix): row `c` of the
    /// result lists the rows where column `c` is stored, ascending.
    public func transposed() -> SparseMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for c in colIdx { counts[Int(c) + 1] += 1 }
        for c in 0..<columns { counts[c + 1] += counts[c] }
        var next = counts
        var cols = [Int32](repeating: 0, count: nonZeroCount)
        var vals = [Float](repeating: 0, count: nonZeroCount)
        for r in 0..<rows {
            for k in rowPtr[r]..<rowPtr[r + 1] {
                let c = Int(colIdx[k])
                cols[next[c]] = Int32(r)
                vals[next[c]] = values[k]
                next[c] += 1
            }
        }
        return SparseMatrix(unchecked: columns, columns: rows, rowPtr: counts, colIdx: cols, values: vals)
    }
}

/// One sparse row: ascending distinct columns and their values.
public struct SparseVector: Sendable, Equatable {
    public var indices: [Int32]
    public var values: [Float]

    public init(indices: [Int32] = [], values: [Float] = []) {
        self.indices = indices
        self.values = values
    }

    public var isEmpty: Bool { indices.isEmpty }
}

extension SparseVector {
    /// w·x + b for feature-major weights (`weights[j * outputs + c]`, outputs = intercepts.count),
    /// the scores of every linear learner. Features at or past `featureCount` (terms the model
    /// never saw) are ignored.
    func linearScores(weights: [Float], intercepts: [Float], featureCount: Int) -> [Float] {
        let k = intercepts.count
        var z = intercepts
        weights.withUnsafeBufferPointer { w in
            for (j, v) in zip(indices, values) where Int(j) < featureCount {
                let base = Int(j) * k
                for c in 0..<k { z[c] += v * w[base + c] }
            }
        }
        return z
    }
}

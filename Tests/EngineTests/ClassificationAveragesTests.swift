import Testing
@testable import Engine

/// Macro and weighted averages of the per-class scores, as scikit-learn's
/// `precision_recall_fscore_support(average="macro" / "weighted")` gives them.
@Suite struct ClassificationAveragesTests {
    @Test func macroAndWeightedAverages() {
        // truth: 4 × a, 2 × b; predicted: a a a b | b a.
        let r = ClassificationReport(truth: [0, 0, 0, 0, 1, 1], predicted: [0, 0, 0, 1, 1, 0], classCount: 2)
        // a: precision 3/4, recall 3/4, F1 0.75; b: precision 1/2, recall 1/2, F1 0.5.
        #expect(abs(r.macroAverage.precision - 0.625) < 1e-12)
        #expect(abs(r.macroAverage.f1 - r.macroF1) < 1e-12)
        #expect(abs(r.weightedAverage.precision - (0.75 * 4 + 0.5 * 2) / 6) < 1e-12)
        #expect(abs(r.weightedAverage.recall - (0.75 * 4 + 0.5 * 2) / 6) < 1e-12)
        #expect(abs(r.weightedAverage.f1 - (0.75 * 4 + 0.5 * 2) / 6) < 1e-12)
    }

    @Test func emptyReportAveragesToZero() {
        let r = ClassificationReport(truth: [], predicted: [], classCount: 3)
        #expect(r.weightedAverage == ClassificationReport.Average(precision: 0, recall: 0, f1: 0))
        #expect(r.macroAverage.f1 == 0)
    }
}

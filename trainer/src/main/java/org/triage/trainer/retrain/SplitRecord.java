package org.triage.trainer.retrain;

/** The split as a release records it (DataSplit), plus the fractions it was drawn with. */
public record SplitRecord(String method, long seed, double trainFraction, double valFraction, long train, long val, long test,
                          String hash) {
    public org.triage.events.DataSplit toAvro() {
        return org.triage.events.DataSplit.newBuilder().setMethod(method).setSeed(seed).setTrain(train).setVal(val).setTest(test)
                .setHash(hash).build();
    }
}

package org.triage.cli.demo;

/** Rounding for what the demo prints and writes: three decimals, non-finite values as null in JSON. */
final class DemoNumbers {
    private DemoNumbers() {
    }

    static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000.0) / 1000.0 : null;
    }
}

package org.triage.stream.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.triage.events.AlertPolicy;
import org.triage.events.LabelPrototype;
import org.triage.events.ThresholdMode;
import org.triage.schemas.cli.ConnectionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code triage prototypes calibrate}: fixes an unseen label's alert threshold on the stored
 * embeddings of recent films under the model in service, and writes it as a new prototype
 * version. Every stream instance and every replay then alerts on that one number, and the alert
 * count follows the prevalence of the disease. Run it after a new model is promoted, or to
 * recalibrate on purpose; {@code prototypes add} calibrates a new unseen label by itself.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Calibrate an unseen label's alert threshold on recent stored embeddings and record it on a new prototype version.")
public final class CalibrateCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--id", required = true, description = "Label id.")
    String id;

    @Option(names = "--lookback-days", defaultValue = "7", description = "Reference population: embeddings of the last N days (default ${DEFAULT-VALUE}).")
    double lookbackDays;

    @Option(names = "--target-rate", description = "Share of the reference films within the threshold (default: the seen labels' median alert rate).")
    Double targetRate;

    @Option(names = "--model-dir", description = "Model directory (default: the PROMOTED release on model-releases).")
    Path modelDir;

    @Option(names = "--model-name", description = "Calibrate for the PROMOTED release of this model name (default: the newest).")
    String modelName;

    @Option(names = "--by", defaultValue = "${env:USER:-triage}", description = "Who calibrates (recorded on the prototype; default ${DEFAULT-VALUE}).")
    String by;

    @Override
    public Integer call() throws Exception {
        PrototypeRepository repo = new PrototypeRepository(connection.bootstrapServers, connection.schemaRegistryUrl,
                connection.clientProperties());
        Map<String, LabelPrototype> all = repo.current(PrototypesCommand.TIMEOUT);
        LabelPrototype p = all.get(id);
        if (p == null) {
            System.err.println("triage prototypes calibrate: no active prototype '" + id + "' (see: triage prototypes list)");
            return 2;
        }
        PrototypeCalibration.Calibrated c;
        try {
            c = PrototypeCalibration.calibrate(connection, PrototypeCalibration.modelDir(connection, modelDir, modelName), p, all,
                    lookbackDays, targetRate);
        } catch (IllegalArgumentException e) {
            System.err.println("triage prototypes calibrate: " + e.getMessage());
            return 2;
        }
        AlertPolicy policy = AlertPolicy.newBuilder(p.getAlertPolicy()).setMode(ThresholdMode.CALIBRATED).setValue(null)
                .setCalibration(c.calibration()).build();
        LabelPrototype next = LabelPrototype.newBuilder(p).setAlertPolicy(policy).setVersion(p.getVersion() + 1).setAuthor(by)
                .setUpdatedAt(Instant.now()).build();
        repo.write(id, next);
        System.out.println("calibrated " + id + " v" + next.getVersion() + ": " + PrototypeCalibration.describe(c));
        return 0;
    }
}

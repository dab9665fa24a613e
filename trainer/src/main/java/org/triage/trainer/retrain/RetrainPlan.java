package org.triage.trainer.retrain;

import java.nio.file.Path;
import java.time.Duration;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.trainer.lifecycle.ChampionChallengerRule;
import org.triage.trainer.train.TrainSettings;

/**
 * Everything one retraining job is told.
 *
 * @param offsets      read up to these (rebuild); null: the topics' ends when the job starts
 * @param forceRetrain train even when nothing is new since the parent
 * @param version      release version; null: UTC time + visual.onnx SHA-256 prefix
 */
public record RetrainPlan(String bootstrap, String registryUrl, KafkaClientProperties client, Duration timeout, String modelName,
                          Path workDir, String store, PatientSplit split, SeenPromotion promotion, int minImages,
                          TrainSettings train, ChampionChallengerRule rule, String by, TopicOffsets offsets, boolean forceRetrain,
                          String version, int threads) {
}

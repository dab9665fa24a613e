package org.triage.cli.demo;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.triage.events.LabelPrototype;
import org.triage.events.Severity;
import org.triage.platform.LocalStack;
import org.triage.schemas.Topics;
import org.triage.schemas.serde.AvroSerdes;
import org.triage.trainer.data.DatasetPrototypes;
import org.triage.trainer.data.GzslDataset;

/**
 * The prototypes a site has before the story starts: every seen label (the release's thresholds)
 * and the unseen labels added earlier, CALIBRATED but not yet calibrated: they are scored without
 * alerting until {@code prototypes calibrate} has the site's stored films to calibrate on. The
 * emerging class is left out: that is the story.
 */
final class DemoPrototypes {
    private DemoPrototypes() {
    }

    /** @return the known unseen labels, to calibrate once reference films are stored */
    static List<String> seed(LocalStack stack, GzslDataset dataset, String emerging) throws Exception {
        List<String> knownUnseen = dataset.unseenLabels().stream().filter(l -> !l.equals(emerging)).toList();
        Instant now = Instant.now();
        try (KafkaProducer<String, LabelPrototype> producer = producer(stack)) {
            for (String label : dataset.allLabels()) {
                if (label.equals(emerging)) {
                    continue;
                }
                boolean unseen = knownUnseen.contains(label);
                LabelPrototype p = DatasetPrototypes.of(dataset, label, now)
                        .setDescription(unseen ? "emerging finding added earlier by the site's epidemiologist" : null)
                        .setSeverity(unseen ? Severity.HIGH : Severity.MEDIUM).setAuthor("demo").build();
                producer.send(new ProducerRecord<>(Topics.LABEL_PROTOTYPES, label, p)).get(30, TimeUnit.SECONDS);
            }
        }
        return knownUnseen;
    }

    private static KafkaProducer<String, LabelPrototype> producer(LocalStack stack) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        cfg.put(ProducerConfig.ACKS_CONFIG, "all");
        cfg.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(cfg, new StringSerializer(), AvroSerdes.specific(LabelPrototype.class, stack.schemaRegistryUrl(), false).serializer());
    }
}

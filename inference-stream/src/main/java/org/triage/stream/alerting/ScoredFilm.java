package org.triage.stream.alerting;

import java.util.List;
import java.util.Map;
import org.triage.events.LabelScore;
import org.triage.events.ModelRef;
import org.triage.events.RadiographEvent;
import org.triage.stream.topology.ActivePrototype;
import org.triage.stream.topology.Scorer;

/**
 * One film as scored, everything an alert rule may look at: the event, the model, the label
 * scores (with thresholds), the novelty score and the prototypes in force.
 *
 * @param novelty      nearest-prototype distance over its recent median (NaN reference: not yet known)
 * @param noveltyRef   that median; NaN while too few films have been scored
 * @param prototypes   label id -> prototype in force
 * @param evidence     the top labels, carried on every alert
 */
public record ScoredFilm(RadiographEvent event, ModelRef model, Scorer.Scored scored, float novelty, float noveltyRef,
                         Map<String, ActivePrototype> prototypes, List<LabelScore> evidence, long scoredAt) {
}

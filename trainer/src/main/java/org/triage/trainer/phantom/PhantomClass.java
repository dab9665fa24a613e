package org.triage.trainer.phantom;

import java.util.List;

/**
 * A phantom finding class: one value per attribute group, in {@link PhantomCatalog#GROUPS} order.
 *
 * @param prevalence relative frequency as a primary finding
 */
public record PhantomClass(String name, boolean unseen, List<String> attributes, double prevalence) {
    public PhantomClass {
        attributes = List.copyOf(attributes);
    }

    public String attribute(String group) {
        return attributes.get(PhantomCatalog.groupIndex(group));
    }

    public boolean has(String group, String value) {
        return attribute(group).equals(value);
    }
}

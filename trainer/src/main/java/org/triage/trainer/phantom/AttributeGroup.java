package org.triage.trainer.phantom;

import java.util.List;

/** One visual attribute dimension shared by all phantom classes (e.g. density: opaque | lucent). */
public record AttributeGroup(String name, List<String> values) {
    public AttributeGroup {
        values = List.copyOf(values);
    }

    public int indexOf(String value) {
        int i = values.indexOf(value);
        if (i < 0) {
            throw new IllegalArgumentException("attribute '" + name + "' has no value '" + value + "' (values: " + values + ")");
        }
        return i;
    }
}

package org.triage.trainer.phantom;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The 14 phantom classes and the attribute vocabulary they are built from. Every attribute value
 * of an unseen class appears in some seen class, but no unseen combination is seen in training:
 * a model can only score an unseen class by having learned the attributes (checked by
 * {@link #validate()}). Class names echo the radiological findings they loosely imitate.
 */
public final class PhantomCatalog {
    public static final List<AttributeGroup> GROUPS = List.of(
            new AttributeGroup("density", List.of("opaque", "lucent")),
            new AttributeGroup("pattern", List.of("focal", "diffuse", "linear", "reticular")),
            new AttributeGroup("size", List.of("small", "large")),
            new AttributeGroup("border", List.of("sharp", "ill-defined")),
            new AttributeGroup("zone", List.of("upper", "lower", "central", "peripheral")),
            new AttributeGroup("laterality", List.of("right", "left", "bilateral")));

    /*
     * Design: the seen classes hold three minimal pairs that isolate one attribute contrast each
     * (Atelectasis/Scarring: zone lower vs upper; Nodule/Mass: size small vs large;
     * Consolidation/Effusion: border ill-defined vs sharp). Each unseen class is a seen class with
     * one attribute changed along such a contrast, so its attribute encoding is exactly
     * A + (B - C) of seen encodings, e.g. Pneumonia = Consolidation + Scarring - Atelectasis. A model
     * that learned how each attribute looks can place it; one that memorised the ten seen classes
     * cannot. (A first design, with unseen classes three or four attributes from any seen class,
     * left the unseen encodings partly outside the span of the seen ones: a proxy model's unseen
     * AUROC then came from novelty alone and equalled the random-vector control.)
     */
    public static final List<PhantomClass> CLASSES = List.of(
            seen("Atelectasis", 1.2, "opaque", "linear", "small", "sharp", "lower", "right"),
            seen("Scarring", 0.7, "opaque", "linear", "small", "sharp", "upper", "right"),
            seen("Nodule", 1.0, "opaque", "focal", "small", "sharp", "upper", "left"),
            seen("Mass", 0.8, "opaque", "focal", "large", "sharp", "upper", "left"),
            seen("Consolidation", 0.9, "opaque", "diffuse", "large", "ill-defined", "lower", "left"),
            seen("Effusion", 1.3, "opaque", "diffuse", "large", "sharp", "lower", "left"),
            seen("Infiltration", 1.3, "opaque", "diffuse", "small", "ill-defined", "central", "bilateral"),
            seen("Pneumothorax", 0.8, "lucent", "diffuse", "large", "sharp", "peripheral", "left"),
            seen("Bulla", 0.7, "lucent", "focal", "large", "sharp", "upper", "right"),
            seen("Reticulation", 0.7, "opaque", "reticular", "small", "ill-defined", "lower", "bilateral"),
            unseen("Pneumonia", 0.8, "opaque", "diffuse", "large", "ill-defined", "upper", "left"),
            unseen("Fibrosis", 0.7, "opaque", "reticular", "large", "ill-defined", "lower", "bilateral"),
            unseen("Emphysema", 0.7, "lucent", "diffuse", "large", "ill-defined", "peripheral", "left"),
            unseen("Edema", 0.8, "opaque", "diffuse", "large", "ill-defined", "central", "bilateral"));

    /** Pairs that co-occur more often than chance (as effusion with atelectasis in real films). */
    static final List<String[]> COOCCURRING = List.of(
            new String[] {"Effusion", "Atelectasis"}, new String[] {"Effusion", "Consolidation"},
            new String[] {"Infiltration", "Consolidation"}, new String[] {"Nodule", "Mass"},
            new String[] {"Bulla", "Pneumothorax"}, new String[] {"Scarring", "Reticulation"},
            new String[] {"Edema", "Effusion"}, new String[] {"Pneumonia", "Infiltration"},
            new String[] {"Emphysema", "Bulla"}, new String[] {"Fibrosis", "Reticulation"},
            new String[] {"Fibrosis", "Scarring"}, new String[] {"Pneumonia", "Effusion"},
            new String[] {"Atelectasis", "Consolidation"});
    static final double COOCCURRENCE_BOOST = 4.0;

    private static final Map<String, Integer> GROUP_INDEX = new HashMap<>();

    static {
        for (int i = 0; i < GROUPS.size(); i++) {
            GROUP_INDEX.put(GROUPS.get(i).name(), i);
        }
        validate();
    }

    private PhantomCatalog() {}

    private static PhantomClass seen(String name, double prevalence, String... attrs) {
        return new PhantomClass(name, false, List.of(attrs), prevalence);
    }

    private static PhantomClass unseen(String name, double prevalence, String... attrs) {
        return new PhantomClass(name, true, List.of(attrs), prevalence);
    }

    static int groupIndex(String group) {
        Integer i = GROUP_INDEX.get(group);
        if (i == null) {
            throw new IllegalArgumentException("no attribute group '" + group + "'");
        }
        return i;
    }

    public static List<PhantomClass> seenClasses() {
        return CLASSES.stream().filter(c -> !c.unseen()).toList();
    }

    public static List<PhantomClass> unseenClasses() {
        return CLASSES.stream().filter(PhantomClass::unseen).toList();
    }

    public static PhantomClass byName(String name) {
        return CLASSES.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no phantom class '" + name + "'"));
    }

    /** Total number of attribute values (length of the multi-hot encoding). */
    public static int encodingLength() {
        return GROUPS.stream().mapToInt(g -> g.values().size()).sum();
    }

    /** The multi-hot attribute encoding of a class: one 1 per group. */
    public static float[] encode(PhantomClass c) {
        float[] v = new float[encodingLength()];
        int offset = 0;
        for (int g = 0; g < GROUPS.size(); g++) {
            v[offset + GROUPS.get(g).indexOf(c.attributes().get(g))] = 1f;
            offset += GROUPS.get(g).values().size();
        }
        return v;
    }

    /** The zero-shot design rules; a violation is a programming error, so it fails at class load. */
    static void validate() {
        Set<String> seenCombos = new HashSet<>();
        List<Set<String>> seenValues = new ArrayList<>();
        for (int g = 0; g < GROUPS.size(); g++) {
            seenValues.add(new HashSet<>());
        }
        for (PhantomClass c : CLASSES) {
            if (c.attributes().size() != GROUPS.size()) {
                throw new IllegalStateException(c.name() + " needs one value per attribute group");
            }
            for (int g = 0; g < GROUPS.size(); g++) {
                GROUPS.get(g).indexOf(c.attributes().get(g));
            }
        }
        for (PhantomClass c : seenClasses()) {
            if (!seenCombos.add(String.join("|", c.attributes()))) {
                throw new IllegalStateException("two seen classes share the attributes of " + c.name());
            }
            for (int g = 0; g < GROUPS.size(); g++) {
                seenValues.get(g).add(c.attributes().get(g));
            }
        }
        for (PhantomClass c : unseenClasses()) {
            if (seenCombos.contains(String.join("|", c.attributes()))) {
                throw new IllegalStateException("unseen class " + c.name() + " repeats a seen combination");
            }
            for (int g = 0; g < GROUPS.size(); g++) {
                if (!seenValues.get(g).contains(c.attributes().get(g))) {
                    throw new IllegalStateException("unseen class " + c.name() + " uses " + GROUPS.get(g).name() + "="
                            + c.attributes().get(g) + " that no seen class shows");
                }
            }
        }
    }
}

package org.triage.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.trainer.testing.DebianPython;

/**
 * --backbone-weights: torchvision state_dict names map onto our block tree, shapes are enforced,
 * and (where Debian's python3-torchvision is installed) our DenseNet121 with torchvision's own
 * weights computes torchvision's features.
 */
class BackboneWeightsTest {
    @Test
    void namesFollowTorchvisionForDensenet121() {
        try (NDManager m = NDManager.newBaseManager()) {
            CrossModalNet net = new CrossModalNet(ArchSpec.densenet121());
            net.initialize(m, 3, 64, 8);
            List<BackboneWeights.Mapping> maps = BackboneWeights.mappings(net.backbone());
            // torchvision densenet121().state_dict() minus its 121 num_batches_tracked buffers and the classifier
            assertEquals(727 - 121 - 2, maps.size());
            assertEquals("features.conv0.weight", maps.get(0).torchKey());
            assertTrue(maps.stream().anyMatch(x -> x.torchKey().equals("features.denseblock3.denselayer24.conv2.weight")));
            assertTrue(maps.stream().anyMatch(x -> x.torchKey().equals("features.transition3.norm.running_var")));
            assertEquals("features.norm5.running_var", maps.get(maps.size() - 1).torchKey());
            assertEquals(maps.size(), maps.stream().map(BackboneWeights.Mapping::torchKey).distinct().count());
        }
    }

    @Test
    void loadsItsOwnExportIncludingOldStyleKeys(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            CrossModalNet a = new CrossModalNet(ArchSpec.densenetSmall());
            a.initialize(m, 3, 32, 8);
            randomiseBatchNormStatistics(a, m);
            Path npz = dir.resolve("weights.npz");
            NDList list = new NDList();
            for (BackboneWeights.Mapping map : BackboneWeights.mappings(a.backbone())) {
                NDArray copy = map.parameter().getArray().duplicate();
                // pre-0.3 torchvision spelling for layer norms/convs, no "features." prefix
                copy.setName(map.torchKey().replace("features.", "").replaceAll("\\.(norm|conv)([12])\\.", ".$1.$2."));
                list.add(copy);
            }
            NDArray classifier = m.zeros(new Shape(10, 120));
            classifier.setName("classifier.weight");
            list.add(classifier);
            Files.write(npz, list.encode(NDList.Encoding.NPZ));

            Engine.getInstance().setRandomSeed(2);
            CrossModalNet b = new CrossModalNet(ArchSpec.densenetSmall());
            b.initialize(m, 3, 32, 8);
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
            float[] before = features(b, m, x);
            float[] expected = features(a, m, x);
            assertTrue(maxAbsDiff(before, expected) > 1e-3, "two random initialisations should differ");
            int loaded = BackboneWeights.load(b.backbone(), npz, m);
            assertEquals(BackboneWeights.mappings(a.backbone()).size(), loaded);
            assertEquals(0f, maxAbsDiff(features(b, m, x), expected));
        }
    }

    @Test
    void refusesWeightsOfAnotherArchitectureNamingTheKeys(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            CrossModalNet tiny = new CrossModalNet(ArchSpec.densenetTiny());
            tiny.initialize(m, 3, 16, 8);
            NDList list = new NDList();
            for (BackboneWeights.Mapping map : BackboneWeights.mappings(tiny.backbone())) {
                NDArray copy = map.parameter().getArray().duplicate();
                copy.setName(map.torchKey());
                list.add(copy);
            }
            Path npz = dir.resolve("tiny.npz");
            Files.write(npz, list.encode(NDList.Encoding.NPZ));
            CrossModalNet small = new CrossModalNet(ArchSpec.densenetSmall());
            small.initialize(m, 3, 32, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackboneWeights.load(small.backbone(), npz, m));
            assertTrue(e.getMessage().contains("tiny.npz"), e.getMessage());
            assertTrue(e.getMessage().contains("missing: features.denseblock"), e.getMessage());
            assertTrue(e.getMessage().contains("wrong shape: features.conv0.weight"), e.getMessage());

            Path notNpz = dir.resolve("weights.pth");
            Files.writeString(notNpz, "not a zip");
            e = assertThrows(IllegalArgumentException.class, () -> BackboneWeights.load(small.backbone(), notNpz, m));
            assertTrue(e.getMessage().contains("weights.pth"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> BackboneWeights.load(small.backbone(), dir.resolve("absent.npz"), m));
            assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        }
    }

    /** Torchvision's own DenseNet121 state_dict (random, with non-trivial BN statistics) gives torchvision's features. */
    @Test
    void densenet121WithTorchvisionWeightsMatchesTorchvision(@TempDir Path dir) throws Exception {
        DebianPython.assumeOptionalModules("torch, torchvision, numpy", "apt-get install python3-torchvision runs this check");
        String script = String.join("\n",
                "import sys, numpy as np, torch, torchvision",
                "torch.manual_seed(0)",
                "net = torchvision.models.densenet121()",
                "for mod in net.modules():",
                "    if isinstance(mod, torch.nn.BatchNorm2d):",
                "        with torch.no_grad():",
                "            mod.weight.uniform_(0.5, 1.5); mod.bias.uniform_(-0.2, 0.2)",
                "            mod.running_mean.uniform_(-0.2, 0.2); mod.running_var.uniform_(0.5, 1.5)",
                "net.eval()",
                "np.savez(sys.argv[1] + '/w.npz', **{k: v.numpy() for k, v in net.state_dict().items()})",
                "x = torch.randn(2, 3, 64, 64)",
                "with torch.no_grad():",
                "    f = torch.flatten(torch.nn.functional.adaptive_avg_pool2d(torch.relu(net.features(x)), 1), 1)",
                "x.numpy().astype('<f4').tofile(sys.argv[1] + '/x.bin')",
                "f.numpy().astype('<f4').tofile(sys.argv[1] + '/f.bin')");
        DebianPython.Result run = DebianPython.run(300, dir, List.of("-c", script, dir.toString()));
        assertEquals(0, run.exitCode(), "torchvision script failed:\n" + run.output());
        try (NDManager m = NDManager.newBaseManager()) {
            CrossModalNet net = new CrossModalNet(ArchSpec.densenet121());
            net.initialize(m, 3, 64, 8);
            assertEquals(604, BackboneWeights.load(net.backbone(), dir.resolve("w.npz"), m));
            NDArray x = m.create(readFloats(dir.resolve("x.bin")), new Shape(2, 3, 64, 64));
            float[] ours = features(net, m, x);
            float[] ref = readFloats(dir.resolve("f.bin"));
            assertEquals(2 * 1024, ref.length);
            float scale = 0;
            for (float v : ref) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0.01f, "reference features are degenerate");
            float diff = maxAbsDiff(ours, ref);
            System.out.printf("densenet121 with torchvision weights: max |ours - torchvision| = %.3g over %d features (max |feature| %.3g)%n", diff,
                    ref.length, scale);
            assertTrue(diff <= 1e-4f * Math.max(1f, scale), "max |ours - torchvision| = " + diff + " (max |feature| " + scale + ")");
        }
    }

    private static float[] features(CrossModalNet net, NDManager m, NDArray x) {
        try (NDManager sub = m.newSubManager()) {
            NDArray y = net.backbone().forward(new ParameterStore(sub, false), new NDList(x), false).singletonOrThrow();
            return y.toFloatArray();
        }
    }

    private static void randomiseBatchNormStatistics(CrossModalNet net, NDManager m) {
        Random rng = new Random(3);
        for (BackboneWeights.Mapping map : BackboneWeights.mappings(net.backbone())) {
            if (map.torchKey().endsWith("running_mean") || map.torchKey().endsWith("running_var")) {
                NDArray a = map.parameter().getArray();
                float[] v = new float[(int) a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = map.torchKey().endsWith("running_var") ? 0.5f + rng.nextFloat() : rng.nextFloat() - 0.5f;
                }
                a.set(v);
            }
        }
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static float[] readFloats(Path f) throws IOException {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(Files.readAllBytes(f)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bb.remaining() / 4];
        bb.asFloatBuffer().get(out);
        return out;
    }
}

#!/usr/bin/env python3
"""Reference PyTorch training step for `triage bench train`.

Same network (DenseNet of the given shape + 512-256-E mapping MLPs), same weighted-Euclidean
distance, same eq. 9-10 loss, same Adam (L2 weight decay) as the Java DJL loop, on random data.
Prints one JSON object: imagesPerSec, cpuSecondsPerImage, steps, batch, imageSize, threads, torch.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class DenseLayer(nn.Module):
    def __init__(self, cin, growth, bn_size):
        super().__init__()
        self.branch = nn.Sequential(
            nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, bn_size * growth, 1, bias=False),
            nn.BatchNorm2d(bn_size * growth), nn.ReLU(), nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False))

    def forward(self, x):
        return torch.cat([x, self.branch(x)], 1)


def densenet(init, blocks, growth, bn_size, stem_kernel, stem_pool, in_ch=3):
    layers = [nn.Conv2d(in_ch, init, stem_kernel, 2, stem_kernel // 2, bias=False), nn.BatchNorm2d(init), nn.ReLU()]
    if stem_pool:
        layers.append(nn.MaxPool2d(3, 2, 1))
    c = init
    for b, n in enumerate(blocks):
        for _ in range(n):
            layers.append(DenseLayer(c, growth, bn_size))
            c += growth
        if b < len(blocks) - 1:
            layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c // 2, 1, bias=False), nn.AvgPool2d(2, 2)]
            c = c // 2
    layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), c


def mlp(cin, hidden, out, slope):
    layers = []
    for h in hidden:
        layers += [nn.Linear(cin, h), nn.LeakyReLU(slope)]
        cin = h
    layers.append(nn.Linear(cin, out))
    return nn.Sequential(*layers)


def weighted_euclidean(a, b, eps=1e-12):
    t2 = (a[:, None, :] - b[None, :, :]) ** 2
    return torch.sqrt((t2 ** 2).sum(2) / (t2.sum(2) + eps) + eps)


def cmdml_loss(d, pos, alpha, margin):
    g = d.pow(alpha + 1) * math.log10(math.e)
    pairs = margin + g[:, :, None] - g[:, None, :]
    mask = pos[:, :, None] * (1 - pos)[:, None, :]
    return (pairs.clamp(min=0) * mask).sum() / (d.shape[0] * d.shape[1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--init", type=int, required=True)
    p.add_argument("--blocks", type=str, required=True)
    p.add_argument("--growth", type=int, required=True)
    p.add_argument("--bn-size", type=int, default=4)
    p.add_argument("--stem-kernel", type=int, default=7)
    p.add_argument("--stem-pool", action="store_true")
    p.add_argument("--hidden", type=str, default="512,256")
    p.add_argument("--embedding", type=int, default=100)
    p.add_argument("--slope", type=float, default=0.01)
    p.add_argument("--image-size", type=int, required=True)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--class-dim", type=int, default=1024)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    backbone, feat = densenet(a.init, [int(x) for x in a.blocks.split(",")], a.growth, a.bn_size, a.stem_kernel, a.stem_pool, a.channels)
    hidden = [int(x) for x in a.hidden.split(",")]
    visual = nn.Sequential(backbone, mlp(feat, hidden, a.embedding, a.slope))
    semantic = mlp(a.class_dim, hidden, a.embedding, a.slope)
    params = list(visual.parameters()) + list(semantic.parameters())
    opt = torch.optim.Adam(params, lr=1e-4, betas=(0.9, 0.999), weight_decay=3e-4)
    x = torch.randn(a.batch, a.channels, a.image_size, a.image_size)
    v = torch.randn(a.classes, a.class_dim)
    pos = (torch.rand(a.batch, a.classes) < 0.2).float()
    pos[:, 0] = 1

    def step():
        opt.zero_grad()
        d = weighted_euclidean(visual(x), semantic(v))
        loss = cmdml_loss(d, pos, 2.0, 1.0)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    images = a.steps * a.batch
    print(json.dumps({"imagesPerSec": images / wall, "cpuSecondsPerImage": cpu / images, "steps": a.steps, "batch": a.batch,
                      "imageSize": a.image_size, "threads": a.threads, "wallSeconds": wall, "torch": torch.__version__}))


if __name__ == "__main__":
    main()

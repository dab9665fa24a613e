#!/usr/bin/env python3
"""PyTorch mirror of the Java CM-DML-GZSL training loop, for fast hyper-parameter sweeps on a GPU.

Same network (reference_train.py), same preprocessing for 64 px phantom films (ImageNet mean/std,
3 channels, random crop, no flip), same loss and Adam (L2 decay), same evaluation (AUROC per class,
every test image scored for every label by -distance, plus the random-unseen-vector control).
Usage: mirror_sweep.py DATASET_DIR [--budget-s 420] ; prints one JSON line per configuration.
"""
import argparse
import csv
import itertools
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "resources", "org", "triage", "trainer", "bench"))
from reference_train import densenet, mlp  # noqa: E402

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def load(d):
    from PIL import Image
    classes = json.load(open(os.path.join(d, "classes.json")))
    seen, unseen = classes["seen"], classes["unseen"]
    labels = seen + unseen
    splits = {"train": [], "val": [], "test": []}
    with open(os.path.join(d, "labels.csv")) as f:
        for row in csv.DictReader(f):
            img = np.asarray(Image.open(os.path.join(d, "images", row["image"] + ".png")), dtype=np.float32)
            if img.max() > 255:
                img = img / 65535.0
            else:
                img = img / 255.0
            y = np.zeros(len(labels), dtype=np.float32)
            for l in row["labels"].split("|"):
                y[labels.index(l)] = 1
            splits[row["split"]].append((img, y))
    out = {}
    for k, v in splits.items():
        if not v:
            continue
        out[k] = (np.stack([a for a, _ in v]), np.stack([b for _, b in v]))
    vec = np.stack([np.asarray(classes["vectors"][l], dtype=np.float32) for l in labels])
    return seen, unseen, out, vec


def to_tensor(imgs, crop, train, rng, dev):
    n, h, w = imgs.shape
    if train:
        xs = rng.integers(0, w - crop + 1, n)
        ys = rng.integers(0, h - crop + 1, n)
    else:
        xs = np.full(n, (w - crop) // 2)
        ys = np.full(n, (h - crop) // 2)
    out = np.empty((n, crop, crop), dtype=np.float32)
    for i in range(n):
        out[i] = imgs[i, ys[i]:ys[i] + crop, xs[i]:xs[i] + crop]
    t = torch.from_numpy(out).to(dev)[:, None, :, :]
    mean = torch.from_numpy(MEAN).to(dev)[None, :, None, None]
    std = torch.from_numpy(STD).to(dev)[None, :, None, None]
    return (t - mean) / std


def dist(a, b, kind, eps=1e-12):
    t = a[:, None, :] - b[None, :, :]
    if kind == "weighted-euclidean":
        t2 = t * t
        return torch.sqrt((t2 * t2).sum(2) / (t2.sum(2) + eps) + eps)
    if kind == "euclidean":
        return torch.sqrt((t * t).sum(2) + eps)
    if kind == "manhattan":
        return t.abs().sum(2)
    if kind == "chebyshev":
        return t.abs().max(2).values
    num = t.abs().sum(2)
    den = a.abs().sum(1)[:, None] + b.abs().sum(1)[None, :]
    return num / (den + eps)


def loss_fn(d, pos, alpha, margin):
    g = d.pow(alpha + 1) * math.log10(math.e)
    pairs = margin + g[:, :, None] - g[:, None, :]
    mask = pos[:, :, None] * (1 - pos)[:, None, :]
    return (pairs.clamp(min=0) * mask).sum() / (d.shape[0] * d.shape[1])


def auroc(s, y):
    order = np.argsort(s, kind="mergesort")
    s_sorted = s[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s_sorted[j + 1] == s_sorted[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    npos = y.sum()
    nneg = len(y) - npos
    if npos == 0 or nneg == 0:
        return float("nan")
    return (ranks[y == 1].sum() - npos * (npos + 1) / 2) / (npos * nneg)


def run(cfg, seen, unseen, data, vec, dev):
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    S = len(seen)
    backbone, feat = densenet(cfg["init"], cfg["blocks"], cfg["growth"], 4, cfg["stem_kernel"], True, 3)
    visual = torch.nn.Sequential(backbone, mlp(feat, [512, 256], 100, 0.01)).to(dev)
    semantic = mlp(vec.shape[1], [512, 256], 100, cfg.get("sem_slope", 0.01)).to(dev)
    if cfg.get("sem_init_std"):
        # directions of class-vector space the seen vectors never span are never trained: start them near zero
        torch.nn.init.normal_(semantic[0].weight, 0.0, cfg["sem_init_std"])
    params = list(visual.parameters()) + list(semantic.parameters())
    opt = torch.optim.Adam(params, lr=cfg["lr"], betas=(0.9, 0.999), weight_decay=cfg["wd"])
    xtr, ytr = data["train"]
    vseen = torch.from_numpy(vec[:S]).to(dev)
    ytr_seen = ytr[:, :S]
    bs = cfg["batch"]
    for epoch in range(cfg["epochs"]):
        lr = cfg["lr"] * (0.1 ** (epoch // cfg["lr_step"]))
        for g in opt.param_groups:
            g["lr"] = lr
        visual.train()
        semantic.train()
        perm = rng.permutation(len(xtr))
        for s in range(len(xtr) // bs):
            idx = perm[s * bs:(s + 1) * bs]
            x = to_tensor(xtr[idx], cfg["crop"], True, rng, dev)
            pos = torch.from_numpy(ytr_seen[idx]).to(dev)
            d = dist(visual(x), semantic(vseen), cfg["distance"])
            loss = loss_fn(d, pos, cfg["alpha"], cfg["delta"] - cfg["beta"] * (epoch // 10))
            opt.zero_grad()
            loss.backward()
            opt.step()
    visual.eval()
    semantic.eval()
    res = {}
    with torch.no_grad():
        xte, yte = data["test"]
        emb = torch.cat([visual(to_tensor(xte[i:i + 256], cfg["crop"], False, rng, dev)) for i in range(0, len(xte), 256)])
        for name, v in (("real", vec), ("control", control(vec, S, cfg["seed"]))):
            sc = -dist(emb, semantic(torch.from_numpy(v).to(dev)), cfg["distance"]).cpu().numpy()
            a = [auroc(sc[:, j], yte[:, j]) for j in range(len(seen) + len(unseen))]
            sm, um = float(np.nanmean(a[:S])), float(np.nanmean(a[S:]))
            res[name] = {"seen": sm, "unseen": um, "H": 2 * sm * um / (sm + um)}
    return res


def control(vec, S, seed):
    r = np.random.default_rng(seed + 99)
    v = vec.copy()
    for j in range(S, len(v)):
        g = r.standard_normal(v.shape[1]).astype(np.float32)
        v[j] = g / np.linalg.norm(g) * np.linalg.norm(vec[j])
    return v


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--budget-s", type=float, default=420)
    p.add_argument("--grid", default=None, help="JSON list of changes to the base configuration")
    a = p.parse_args()
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    seen, unseen, data, vec = load(a.data)
    base = dict(seed=7, init=32, blocks=[4, 4, 4], growth=16, stem_kernel=3, crop=56, lr=1e-3, wd=3e-4, batch=32, epochs=10,
                lr_step=7, alpha=2.0, beta=0.03, delta=1.0, distance="weighted-euclidean")
    grid = [{}, dict(lr=3e-3), dict(delta=0.3), dict(delta=3.0), dict(epochs=16, lr_step=12), dict(alpha=0.0),
            dict(distance="euclidean"), dict(seed=11), dict(lr=3e-4), dict(epochs=6, lr_step=4), dict(delta=10.0), dict(alpha=1.0),
            dict(distance="manhattan"), dict(distance="chebyshev"), dict(distance="lance-williams"), dict(wd=1e-3), dict(batch=16)]
    if a.grid:
        grid = json.loads(a.grid)
    t0 = time.time()
    print(json.dumps({"device": dev, "torch": torch.__version__}), flush=True)
    for g in grid:
        if time.time() - t0 > a.budget_s:
            print(json.dumps({"stopped": "budget"}), flush=True)
            break
        cfg = dict(base, **g)
        t = time.time()
        r = run(cfg, seen, unseen, data, vec, dev)
        print(json.dumps({"change": g, "result": r, "seconds": round(time.time() - t, 1)}), flush=True)


if __name__ == "__main__":
    main()

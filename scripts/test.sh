#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine with JDK 17 and Maven: installs the real peers the
# integration tests talk to (dcmtk, Orthanc, pydicom's DICOM files, python3-onnx's checker,
# python3-sklearn's AUROC, chromium and a font for the alerts page) and the npm packages used for registry
# interoperability and the page's browser test (playwright-core, axe-core), then
# `mvn verify`. Tests that need something missing skip with a message saying what, unless
# TRIAGE_REQUIRE_PEERS=1 (CI sets it): then they fail, so a missing peer can never pass as green.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

debs=(dcmtk orthanc python3-pydicom python3-numpy python3-pil python3-onnx python3-sklearn chromium fonts-liberation)
missing=()
for p in "${debs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# node + npm run the Confluent/kafkajs interop clients and the page script checks. Any node that brings npm will do
# (a NodeSource build ships npm itself and conflicts with Debian's npm package), so install Debian's only when absent.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    updated=1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: not root or no apt-get; tests needing ${missing[*]} will skip" >&2
  fi
fi
# Optional: torchvision lets BackboneWeightsTest compare our DenseNet121 with torchvision's on the same weights
# (and `triage bench train` run its PyTorch reference). Large, so a failed install only makes that check skip.
optional=(python3-torchvision)
opt_missing=()
for p in "${optional[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || opt_missing+=("$p"); done
if [ ${#opt_missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test.sh: installing ${opt_missing[*]} (optional)" >&2
  [ -n "${updated:-}" ] || apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${opt_missing[@]}" >/dev/null \
    || echo "test.sh: could not install ${opt_missing[*]}; the torchvision cross-check will skip" >&2
fi
# Orthanc's Debian package starts a system service; our tests run their own instances on ephemeral ports.
if command -v service >/dev/null && service orthanc status >/dev/null 2>&1; then service orthanc stop >/dev/null 2>&1 || true; fi

if [ -f platform/src/test/node/package-lock.json ]; then
  if command -v npm >/dev/null; then
    (cd platform/src/test/node && npm ci --no-audit --no-fund --loglevel=error)
  elif [ "${TRIAGE_REQUIRE_PEERS:-}" = 1 ]; then
    echo "test.sh: npm is required (TRIAGE_REQUIRE_PEERS=1) but could not be installed" >&2
    exit 1
  fi
fi

if [ -f alerts/src/test/browser/package-lock.json ]; then
  if command -v npm >/dev/null; then
    (cd alerts/src/test/browser && npm ci --no-audit --no-fund --loglevel=error)
  elif [ "${TRIAGE_REQUIRE_PEERS:-}" = 1 ]; then
    echo "test.sh: npm is required (TRIAGE_REQUIRE_PEERS=1) but could not be installed" >&2
    exit 1
  fi
fi

mvn -B verify "$@"

# The product's own end-to-end check: the demo, headless, must score every image it sends.
if [ -z "${TRIAGE_SKIP_DEMO:-}" ]; then
  summary="$root/cli/target/demo-summary.json"
  TRIAGE_NO_REBUILD=1 TRIAGE_CACHE_DIR="${TRIAGE_CACHE_DIR:-$root/cli/target/demo-cache}" \
    ./triage demo --headless --images 300 --summary "$summary"
  /usr/bin/python3 - "$summary" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["images"] > 0 and s["findings"] == s["images"], s
print("demo: %d images, %d findings, alerts %s, auroc %s, %.1f images/s" % (s["images"], s["findings"], s["alerts"], s["auroc"], s["throughput"]))
# The emerging-disease story: one alert per fact, the stream's rescan equal to an independent in-process scan of the
# same stored embeddings, and the added class finding its earlier and later films better than random vectors do.
e = s["emergingDisease"]
print("demo: emerging disease %s: %s" % (e["label"], json.dumps(e)))
assert e["repeatedAlertFacts"] == 0, e
r = e["retrospective"]
assert r["agreesWithInProcessScan"], r
assert r["alerts"] > 0 and e["live"]["alerts"] > 0, e
assert r["auroc"] > r["randomVectorControl"]["auroc"], r
# Clusters: films of known classes form no candidate disease. (The held-out class does not form one either on the demo's
# model: a known label claims its films; inference-stream/README.md, "Clusters of the unexplained".)
c = e["cluster"]
print("demo: %d NOVELTY_CLUSTER alert(s), %d mostly of known-class films%s" % (c["clusters"], c["knownClassClusters"],
      "; best cluster %d films, purity %s, recall %s" % (c["size"], c["purity"], c["recall"]) if "size" in c else ""))
assert c["knownClassClusters"] == 0, c
PY
fi

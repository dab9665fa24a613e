"""Independent decode with pydicom: prints 'mean std min max' of the first frame mapped like ingest does
(rescale, VOI window if present else min-max, to 0..65535, MONOCHROME1 inverted; colour -> luminance)."""
import sys
import numpy as np
import pydicom

def first(v):
    if v is None:
        return None
    try:
        return float(v[0])
    except TypeError:
        return float(v)

ds = pydicom.dcmread(sys.argv[1])
a = ds.pixel_array
if int(getattr(ds, "NumberOfFrames", 1) or 1) > 1:
    a = a[0]
pi = ds.PhotometricInterpretation
if ds.SamplesPerPixel == 3:
    if pi.startswith("YBR"):  # pydicom >= 2.2 returns JPEG YBR data unconverted
        a = pydicom.pixel_data_handlers.util.convert_color_space(a, pi, "RGB")
    a = a.astype(np.float64)
    y = 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]
    out = np.clip(np.round(y / (2 ** ds.BitsStored - 1) * 65535), 0, 65535)
else:
    x = a.astype(np.float64) * float(getattr(ds, "RescaleSlope", 1) or 1) + float(getattr(ds, "RescaleIntercept", 0) or 0)
    c = first(ds.get("WindowCenter"))
    w = first(ds.get("WindowWidth"))
    if c is not None and w is not None and w >= 1:
        lo = c - 0.5 - (w - 1) / 2
        hi = c - 0.5 + (w - 1) / 2
        y = np.where(x <= lo, 0.0, np.where(x > hi, 65535.0, ((x - (c - 0.5)) / max(w - 1, 1) + 0.5) * 65535))
    else:
        r = x.max() - x.min()
        y = (x - x.min()) / r * 65535 if r > 0 else np.zeros_like(x)
    out = np.clip(np.round(y), 0, 65535)
    if pi == "MONOCHROME1":
        out = 65535 - out
print("%.6f %.6f %d %d %d %d" % (out.mean(), out.std(), out.min(), out.max(), out.shape[1], out.shape[0]))

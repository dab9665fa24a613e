"""Full-size test radiographs from real chest films: 12-16 bits of signal plus noise.

usage: make_radiographs.py NIH_IMAGES_DIR OUT_DIR COUNT_DICOM COUNT_PNG SEED

Each output starts from one of the genuine ChestX-ray14 films (8-bit), rescaled to a 12-bit or
16-bit range, resampled to a side of 1024-1100 px, and given Gaussian noise, so that its low
bits carry signal a PNG cannot compress away (as in a real detector's output). DICOM files are
DX For Presentation, Explicit VR Little Endian, MONOCHROME2; PNGs are 16-bit grey. One more
file, oversized.dcm, is a 2048x2048 16-bit film whose event exceeds a few MiB.
Prints one line per file: name, rows, cols, bits stored, bytes.
"""
import os
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

DX = "1.2.840.10008.5.1.4.1.1.1.1"


def films(src):
    names = sorted(n for n in os.listdir(src) if n.endswith(".png"))
    if not names:
        raise SystemExit("no PNG films in " + src)
    return [np.asarray(Image.open(os.path.join(src, n)).convert("L"), dtype=np.float64) for n in names]


def make(base, side, bits, rng):
    img = Image.fromarray(base.astype(np.uint8)).resize((side, side), Image.BILINEAR)
    a = np.asarray(img, dtype=np.float64) / 255.0
    top = (1 << bits) - 1
    noisy = a * top + rng.normal(0.0, top * 0.01, a.shape)
    return np.clip(np.rint(noisy), 0, top).astype(np.uint16)


def write_dicom(path, pixels, bits, i):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DX
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = DX
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientID = "FULLSIZE%03d" % i
    ds.PatientName = "Test^FullSize%03d" % i
    ds.Modality = "DX"
    ds.BodyPartExamined = "CHEST"
    ds.ViewPosition = "PA"
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    ds.PixelData = pixels.astype("<u2").tobytes()
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.save_as(path, write_like_original=False)


def main():
    src, out, n_dicom, n_png, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    base = films(src)
    for i in range(n_dicom):
        bits = (12, 14, 16)[i % 3]
        side = 1024 + 16 * (i % 5)
        px = make(base[i % len(base)], side, bits, rng)
        path = os.path.join(out, "dx%03d.dcm" % i)
        write_dicom(path, px, bits, i)
        print("%s %d %d %d %d" % (os.path.basename(path), side, side, bits, os.path.getsize(path)))
    for i in range(n_png):
        bits = (12, 16)[i % 2]
        side = 1024
        px = make(base[(i + 3) % len(base)], side, bits, rng)
        px = (px.astype(np.uint32) << (16 - bits)).astype(np.uint16)  # 12 significant bits, as a 12-bit detector's PNG export
        path = os.path.join(out, "film%03d.png" % i)
        Image.fromarray(px, mode="I;16").save(path)
        print("%s %d %d %d %d" % (os.path.basename(path), side, side, bits, os.path.getsize(path)))
    big = rng.integers(0, 65536, size=(2048, 2048), dtype=np.uint16)
    path = os.path.join(out, "oversized.dcm")
    write_dicom(path, big, 16, 999)
    print("%s %d %d %d %d" % (os.path.basename(path), 2048, 2048, 16, os.path.getsize(path)))


if __name__ == "__main__":
    main()

"""Writes the DICOM fixtures of ingest's tests into a folder (argv[1]); needs pydicom and numpy.

dx16.dcm      DX For Presentation, 16-bit unsigned MONOCHROME2, Explicit VR LE, PHI set to marker strings
dx16_implicit.dcm the same pixels, Implicit VR LE
multiframe.dcm 3 frames of 12-bit in 16 (only the first is ingested)
mono1_signed.dcm CR MONOCHROME1, signed 12-bit in 16, rescale, Implicit VR LE
big_NNN.dcm   (argv[2] = N > 0) N 1024x1024 16-bit DX images, for the benchmark
"""
import sys, os
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

MARKERS = dict(name="ZZMARKERNAME^Quixote", pid="ZZMARKERPID4711", birth="19010203", addr="ZZMARKERADDR Elm Street 13",
               comment="ZZMARKERFREETEXT patient said hello", private="ZZMARKERPRIVATE")

def make(rows, cols, pixels, sop_class, modality, photometric="MONOCHROME2", bits_stored=16, signed=0, ts=ExplicitVRLittleEndian,
         slope=None, intercept=None, window=None, seed_uid=None):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = seed_uid or generate_uid()
    meta.TransferSyntaxUID = ts
    meta.ImplementationClassUID = generate_uid()
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = ts == ImplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = modality
    ds.PatientName = MARKERS["name"]
    ds.PatientID = MARKERS["pid"]
    ds.PatientBirthDate = MARKERS["birth"]
    ds.PatientAddress = MARKERS["addr"]
    ds.ImageComments = MARKERS["comment"]
    ds.StudyDescription = MARKERS["comment"]
    block = ds.private_block(0x0099, "ZZ TRIAGE TEST", create=True)
    block.add_new(0x01, "LO", MARKERS["private"])
    ds.StudyDate = "20240131"
    ds.AcquisitionDate = "20240131"
    ds.AcquisitionTime = "101530.25"
    ds.BodyPartExamined = "CHEST"
    ds.ViewPosition = "PA"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.Rows = rows
    ds.Columns = cols
    ds.BitsAllocated = 16
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = signed
    if slope is not None:
        ds.RescaleSlope = slope
        ds.RescaleIntercept = intercept
    if window is not None:
        ds.WindowCenter, ds.WindowWidth = window
    ds.PixelData = pixels.astype("<i2" if signed else "<u2").tobytes()
    return ds

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:300, 0:200]
    px = (xx * 150 + yy * 100 + rng.integers(0, 500, size=(300, 200))).astype(np.uint16)
    dx = "1.2.840.10008.5.1.4.1.1.1.1"
    make(300, 200, px, dx, "DX").save_as(os.path.join(out, "dx16.dcm"), write_like_original=False)
    make(300, 200, px, dx, "DX", ts=ImplicitVRLittleEndian).save_as(os.path.join(out, "dx16_implicit.dcm"), write_like_original=False)
    signed = (rng.integers(-2048, 2047, size=(64, 48))).astype(np.int16)
    make(64, 48, signed, "1.2.840.10008.5.1.4.1.1.1", "CR", photometric="MONOCHROME1", bits_stored=12, signed=1,
         ts=ImplicitVRLittleEndian, slope=0.5, intercept=100).save_as(os.path.join(out, "mono1_signed.dcm"), write_like_original=False)
    frames = rng.integers(0, 4096, size=(3, 32, 40)).astype(np.uint16)
    mf = make(32, 40, frames, "1.2.840.10008.5.1.4.1.1.7", "OT", bits_stored=12)
    mf.NumberOfFrames = 3
    mf.save_as(os.path.join(out, "multiframe.dcm"), write_like_original=False)
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if n > 0:
        base = (np.mgrid[0:1024, 0:1024][1] * 60).astype(np.uint16)
        for i in range(n):
            img = base + rng.integers(0, 4000, size=(1024, 1024)).astype(np.uint16)
            make(1024, 1024, img, dx, "DX").save_as(os.path.join(out, "big_%05d.dcm" % i), write_like_original=False)

if __name__ == "__main__":
    main()

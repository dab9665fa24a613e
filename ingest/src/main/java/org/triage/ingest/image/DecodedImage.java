package org.triage.ingest.image;

/** Decoder output: the full-resolution normalised image and what it was before. */
public record DecodedImage(Gray16 image, String originalPhotometric, int originalBitsStored) {
}

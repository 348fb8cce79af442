import { GridBotError } from '@gridbot/core';

/** What a provider takes in one image. */
export interface ImageLimits {
  /** Largest encoded image (bytes). */
  maxBytes: number;
  /** Longest side (pixels); absent: any. */
  maxEdge?: number;
}

export interface FittedImage {
  data: Uint8Array;
  mimeType: string;
  /** Whether the bytes were re-encoded (false: the stored bytes as they are). */
  resized: boolean;
}

/** The image could not be decoded, or stays over the limit at the smallest size tried. */
export class ImageFitError extends GridBotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageFitError';
  }
}

/** Below this longest side an image is no longer worth showing. */
const SMALLEST_EDGE = 320;
const JPEG_QUALITY = 82;

/**
 * An image the provider accepts: the stored bytes untouched when they are within `limits`
 * (the sender's declared size says so without decoding them), otherwise scaled down
 * and re-encoded as JPEG (transparency flattened on white), a quarter smaller each time,
 * until it fits. `sharp` is loaded only when an image needs it.
 */
export async function fitImage(
  image: { data: Uint8Array; mimeType: string; width?: number | null; height?: number | null },
  limits: ImageLimits,
): Promise<FittedImage> {
  const declaredEdge = Math.max(image.width ?? 0, image.height ?? 0);
  const edgeFits = limits.maxEdge === undefined || declaredEdge <= limits.maxEdge;
  if (image.data.length <= limits.maxBytes && edgeFits) {
    return { data: image.data, mimeType: image.mimeType, resized: false };
  }
  const { default: sharp } = await import('sharp');
  let width: number;
  let height: number;
  try {
    // Only the first frame of an animation is read.
    ({ width, height } = await sharp(image.data, { animated: false }).metadata());
  } catch (error) {
    throw new ImageFitError(`it could not be read as an image (${image.mimeType})`, {
      cause: error,
    });
  }
  const actualEdge = Math.max(width, height);
  if (image.data.length <= limits.maxBytes && actualEdge <= (limits.maxEdge ?? actualEdge)) {
    return { data: image.data, mimeType: image.mimeType, resized: false };
  }
  let edge = Math.min(actualEdge, limits.maxEdge ?? actualEdge);
  for (;;) {
    const data = await sharp(image.data, { animated: false })
      .rotate() // applies the EXIF orientation before the metadata is dropped
      .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: JPEG_QUALITY, mozjpeg: true })
      .toBuffer();
    if (data.length <= limits.maxBytes) {
      return { data: new Uint8Array(data), mimeType: 'image/jpeg', resized: true };
    }
    if (edge <= SMALLEST_EDGE) {
      throw new ImageFitError(
        `it stays over ${Math.round(limits.maxBytes / 1024)} KB even at ${edge} pixels`,
      );
    }
    edge = Math.max(SMALLEST_EDGE, Math.floor(edge * 0.75));
  }
}

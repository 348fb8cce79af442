import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fitImage, ImageFitError } from './fit-image.ts';

/** A PNG of random pixels: it does not compress, so its size is about width × height × 3. */
async function noisyPng(width: number, height: number) {
  const raw = randomBytes(width * height * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

describe('fitImage', () => {
  it('hands an image within the limits over byte for byte, without decoding it', async () => {
    const data = Buffer.from('not an image at all, but small');
    const fitted = await fitImage(
      { data, mimeType: 'image/jpeg', width: 800, height: 600 },
      { maxBytes: 1024, maxEdge: 8000 },
    );
    expect(fitted).toEqual({ data, mimeType: 'image/jpeg', resized: false });
  });

  it('scales an image over the byte limit down to a JPEG under it, keeping its shape', async () => {
    const png = await noisyPng(1600, 1000);
    expect(png.length).toBeGreaterThan(4 * 1024 * 1024);
    const fitted = await fitImage(
      { data: png, mimeType: 'image/png' },
      { maxBytes: 1024 * 1024, maxEdge: 8000 },
    );
    expect(fitted.resized).toBe(true);
    expect(fitted.mimeType).toBe('image/jpeg');
    expect(fitted.data.length).toBeLessThanOrEqual(1024 * 1024);
    const { width, height, format } = await sharp(fitted.data).metadata();
    expect(format).toBe('jpeg');
    expect(width / height).toBeCloseTo(1.6, 1);
  });

  it('scales an image whose side is over the limit even when its bytes fit', async () => {
    const png = await sharp({
      create: { width: 3000, height: 500, channels: 3, background: '#3060c0' },
    })
      .png()
      .toBuffer();
    const fitted = await fitImage(
      { data: png, mimeType: 'image/png', width: 3000, height: 500 },
      { maxBytes: 5 * 1024 * 1024, maxEdge: 2000 },
    );
    expect(fitted.resized).toBe(true);
    expect(await sharp(fitted.data).metadata()).toMatchObject({ width: 2000, height: 333 });
  });

  it('keeps the bytes when the declared size was wrong but the real one fits', async () => {
    const png = await sharp({
      create: { width: 400, height: 300, channels: 4, background: '#00000000' },
    })
      .png()
      .toBuffer();
    const fitted = await fitImage(
      { data: png, mimeType: 'image/png', width: 4000, height: 3000 },
      { maxBytes: 5 * 1024 * 1024, maxEdge: 2000 },
    );
    expect(fitted).toEqual({ data: png, mimeType: 'image/png', resized: false });
  });

  it('says so when the bytes are not an image it can read', async () => {
    const junk = Buffer.alloc(4096, 7);
    await expect(
      fitImage({ data: junk, mimeType: 'image/webp' }, { maxBytes: 1024 }),
    ).rejects.toThrow(ImageFitError);
    await expect(
      fitImage({ data: junk, mimeType: 'image/webp' }, { maxBytes: 1024 }),
    ).rejects.toThrow(/could not be read as an image \(image\/webp\)/);
  });

  it('gives up with a clear error when even the smallest size stays over the limit', async () => {
    const png = await noisyPng(800, 800);
    await expect(
      fitImage({ data: png, mimeType: 'image/png' }, { maxBytes: 2_000 }),
    ).rejects.toThrow(/stays over 2 KB even at 320 pixels/);
  });
});

import { describe, expect, it } from 'vitest';
import { DESCRIPTOR_BYTE_LENGTH, DESCRIPTOR_LENGTH, bytesToDescriptor, descriptorToBytes, euclideanDistance, isValidDescriptor } from '@/lib/face/descriptor';

/** A descriptor-shaped array with varied, sign-mixed values. */
function sampleDescriptor(seed = 1): Float32Array {
  return Float32Array.from({ length: DESCRIPTOR_LENGTH }, (_, i) => Math.sin(seed * (i + 1)) * 0.2);
}

describe('euclideanDistance', () => {
  it('is the straight-line distance', () => {
    expect(euclideanDistance([0, 0], [3, 4])).toBe(5);
    expect(euclideanDistance(new Float32Array([1, 2, 3]), [1, 2, 3])).toBe(0);
  });

  it('is symmetric and accepts Float32Array and number[] alike', () => {
    const a = sampleDescriptor(1);
    const b = Array.from(sampleDescriptor(2));
    expect(euclideanDistance(a, b)).toBeCloseTo(euclideanDistance(b, a), 12);
    expect(euclideanDistance(a, b)).toBeGreaterThan(0);
  });

  it('refuses descriptors of different lengths rather than comparing a prefix', () => {
    expect(() => euclideanDistance(new Float32Array(128), new Float32Array(127))).toThrow(RangeError);
  });
});

describe('descriptorToBytes / bytesToDescriptor', () => {
  it('stores 128 float32 values in 512 little-endian bytes and reads them back exactly', () => {
    const descriptor = sampleDescriptor();
    descriptor[0] = 1; // float32 1.0 is 00 00 80 3F little-endian
    const bytes = descriptorToBytes(descriptor);
    expect(bytes).toHaveLength(DESCRIPTOR_BYTE_LENGTH);
    expect(DESCRIPTOR_BYTE_LENGTH).toBe(512);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect(bytesToDescriptor(bytes)).toEqual(descriptor);
  });

  it('reads a Node Buffer that is a view into a larger pool', () => {
    const descriptor = sampleDescriptor(3);
    const pool = Buffer.alloc(7 + DESCRIPTOR_BYTE_LENGTH + 5);
    pool.set(descriptorToBytes(descriptor), 7);
    const view = pool.subarray(7, 7 + DESCRIPTOR_BYTE_LENGTH);
    expect(view.byteOffset).toBe(7);
    expect(bytesToDescriptor(view)).toEqual(descriptor);
  });

  it('refuses stored bytes of the wrong length', () => {
    expect(() => bytesToDescriptor(new Uint8Array(511))).toThrow(RangeError);
    expect(() => bytesToDescriptor(new Uint8Array(513))).toThrow(RangeError);
    expect(() => bytesToDescriptor(new Uint8Array())).toThrow(RangeError);
  });

  it('refuses stored values that are not finite numbers', () => {
    const bytes = descriptorToBytes(sampleDescriptor());
    new DataView(bytes.buffer).setFloat32(40, Number.NaN, true);
    expect(() => bytesToDescriptor(bytes)).toThrow(/finite/);
    new DataView(bytes.buffer).setFloat32(40, Number.POSITIVE_INFINITY, true);
    expect(() => bytesToDescriptor(bytes)).toThrow(/finite/);
  });

  it('refuses to store anything but 128 finite numbers', () => {
    expect(() => descriptorToBytes(new Float32Array(127))).toThrow(RangeError);
    const withNaN = sampleDescriptor();
    withNaN[5] = Number.NaN;
    expect(() => descriptorToBytes(withNaN)).toThrow(RangeError);
  });
});

describe('isValidDescriptor', () => {
  it('accepts exactly 128 finite numbers, typed or plain', () => {
    expect(isValidDescriptor(sampleDescriptor())).toBe(true);
    expect(isValidDescriptor(Array.from(sampleDescriptor()))).toBe(true);
    expect(isValidDescriptor(new Array(128).fill(0))).toBe(true);
  });

  it('rejects the wrong length, non-finite values, non-numbers and non-arrays', () => {
    expect(isValidDescriptor(new Float32Array(127))).toBe(false);
    expect(isValidDescriptor(new Array(129).fill(0))).toBe(false);
    expect(isValidDescriptor([...new Array(127).fill(0), Number.NaN])).toBe(false);
    expect(isValidDescriptor([...new Array(127).fill(0), Number.POSITIVE_INFINITY])).toBe(false);
    expect(isValidDescriptor([...new Array(127).fill(0), '0.1'])).toBe(false);
    expect(isValidDescriptor([...new Array(127).fill(0), null])).toBe(false);
    expect(isValidDescriptor(new Array(128))).toBe(false); // holes are not numbers
    expect(isValidDescriptor(null)).toBe(false);
    expect(isValidDescriptor('0,0,0')).toBe(false);
    expect(isValidDescriptor({ length: 128 })).toBe(false);
  });
});

/**
 * Face descriptors: the 128 numbers face-api's recognition net gives a face. Two faces of one
 * person lie close together (Euclidean distance); the deployment's threshold (e.g. 0.6) decides
 * what counts as a match.
 *
 * Pure: no Node or browser APIs, so the browser and the server share one implementation.
 */

export const DESCRIPTOR_LENGTH = 128;

/** Stored form: 128 float32 values, little-endian, whatever the machine's byte order. */
export const DESCRIPTOR_BYTE_LENGTH = DESCRIPTOR_LENGTH * 4;

export type DescriptorLike = Float32Array | readonly number[];

/** Euclidean distance between two descriptors of equal length. */
export function euclideanDistance(a: DescriptorLike, b: DescriptorLike): number {
  if (a.length !== b.length) {
    throw new RangeError(`Cannot compare descriptors of different lengths (${a.length} and ${b.length}).`);
  }
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const difference = a[i]! - b[i]!;
    sum += difference * difference;
  }
  return Math.sqrt(sum);
}

/** Exactly 128 finite numbers, as a Float32Array or a plain array (e.g. parsed JSON). */
export function isValidDescriptor(value: unknown): value is DescriptorLike {
  if (!(value instanceof Float32Array) && !Array.isArray(value)) return false;
  if (value.length !== DESCRIPTOR_LENGTH) return false;
  for (const element of value as ArrayLike<unknown> & Iterable<unknown>) {
    if (typeof element !== 'number' || !Number.isFinite(element)) return false;
  }
  return true;
}

/** The 512-byte stored form of a descriptor. Throws if it is not 128 finite numbers. */
export function descriptorToBytes(descriptor: Float32Array): Uint8Array {
  if (!isValidDescriptor(descriptor)) {
    throw new RangeError(`A descriptor must be ${DESCRIPTOR_LENGTH} finite numbers.`);
  }
  const bytes = new Uint8Array(DESCRIPTOR_BYTE_LENGTH);
  const view = new DataView(bytes.buffer);
  descriptor.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
}

/**
 * A descriptor from its stored form (a Uint8Array or Node Buffer, which may be a view into a
 * larger pool). Throws on the wrong length or non-finite values: a corrupt stored descriptor must
 * not silently match or miss.
 */
export function bytesToDescriptor(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength !== DESCRIPTOR_BYTE_LENGTH) {
    throw new RangeError(`A stored descriptor must be ${DESCRIPTOR_BYTE_LENGTH} bytes, not ${bytes.byteLength}.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const descriptor = new Float32Array(DESCRIPTOR_LENGTH);
  for (let i = 0; i < DESCRIPTOR_LENGTH; i++) {
    const value = view.getFloat32(i * 4, true);
    if (!Number.isFinite(value)) throw new RangeError('A stored descriptor holds a value that is not a finite number.');
    descriptor[i] = value;
  }
  return descriptor;
}

import { describe, expect, it } from 'vitest';
import { engineKey, FACEAPI_128, ManifestSchema, parseManifest } from '@/lib/recognition/manifest';

const valid = {
  id: 'mobilefacenet-test',
  version: '1',
  name: 'MobileFaceNet (test)',
  licence: { code: 'MIT', weights: 'unstated: tests only' },
  trainedOn: 'unknown',
  input: { width: 112, height: 112, colourOrder: 'RGB', layout: 'NCHW', mean: [127, 127, 127], std: [128, 128, 128], alignment: 'arcface-5pt' },
  descriptorLength: 512,
  metric: 'cosine',
};

const parse = (value: unknown) => () => parseManifest(JSON.stringify(value), 'model.json');

describe('recogniser manifests', () => {
  it('accepts a complete manifest', () => {
    expect(parseManifest(JSON.stringify(valid), 'model.json')).toMatchObject({ id: 'mobilefacenet-test', descriptorLength: 512, metric: 'cosine' });
  });

  it('the bundled recogniser has a valid manifest of its own', () => {
    expect(ManifestSchema.parse(FACEAPI_128)).toEqual(FACEAPI_128);
    expect(engineKey(FACEAPI_128)).toBe('faceapi-128@1.7.15');
  });

  it('refuses a missing licence, naming the field and the file', () => {
    const { licence: _licence, ...withoutLicence } = valid;
    expect(parse(withoutLicence)).toThrow(/model\.json.*licence is required/);
    expect(parse({ ...valid, licence: { code: 'MIT' } })).toThrow(/licence\.weights: licence\.weights is required/);
  });

  it('refuses an unknown metric and says which exist', () => {
    expect(parse({ ...valid, metric: 'manhattan' })).toThrow(/metric must be one of: euclidean, cosine/);
  });

  it('refuses a length that is not a whole number of at least 16', () => {
    expect(parse({ ...valid, descriptorLength: 0 })).toThrow(/descriptorLength must be at least 16/);
    expect(parse({ ...valid, descriptorLength: 511.5 })).toThrow(/descriptorLength must be a whole number/);
    expect(parse({ ...valid, descriptorLength: '512' })).toThrow(/descriptorLength/);
  });

  it('refuses bad input descriptions, unknown fields, not-JSON and the bundled id', () => {
    expect(parse({ ...valid, input: { ...valid.input, std: [128, 0, 128] } })).toThrow(/input\.std must not contain 0/);
    expect(parse({ ...valid, input: { ...valid.input, mean: [127] } })).toThrow(/input\.mean must be three numbers/);
    expect(parse({ ...valid, input: { ...valid.input, layout: 'CHW' } })).toThrow(/input\.layout must be "NCHW" or "NHWC"/);
    expect(parse({ ...valid, input: { ...valid.input, alignment: 'dlib-68' } })).toThrow(/arcface-5pt/);
    expect(parse({ ...valid, extra: true })).toThrow(/extra/);
    expect(parse({ ...valid, id: 'Bad Id' })).toThrow(/id must be 2–63 characters/);
    expect(parse({ ...valid, id: 'faceapi-128' })).toThrow(/belongs to the bundled recogniser/);
    expect(() => parseManifest('{ not json', 'model.json')).toThrow(/model\.json is not valid JSON/);
  });

  it('normalises a checksum to lower case and refuses a malformed one', () => {
    expect(parseManifest(JSON.stringify({ ...valid, sha256: 'A'.repeat(64) }), 'm').sha256).toBe('a'.repeat(64));
    expect(parse({ ...valid, sha256: 'abc' })).toThrow(/sha256 must be 64 hexadecimal characters/);
  });
});

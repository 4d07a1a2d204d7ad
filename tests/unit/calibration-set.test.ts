/**
 * Reading an uploaded labelled set: the layout (person folders, an optional top folder and
 * groups.csv), and the limits that keep a hostile or careless zip from costing the server more
 * than the upload itself — every entry counted, sizes checked before anything is unpacked, and
 * headers that lie caught without inflating what they hide.
 */
import { zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES } from '@/lib/face/media';
import { CalibrationSetError, checked, MAX_SET_UNPACKED_BYTES, MAX_ZIP_ENTRIES, readSetFromZip } from '@/lib/recognition/calibration-set';

const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Stand-in photo bytes: zeros deflate to almost nothing, which is what a bomb relies on. */
const photo = (size = 1000) => new Uint8Array(size);

function twoPeople(extra: Zippable = {}): Zippable {
  return { 'ann/1.jpg': photo(), 'ann/2.jpg': photo(), 'bob/1.jpg': photo(), 'bob/2.png': photo(), ...extra };
}

/** The byte offsets of every header of `signature` (central or local) in the zip. */
function headers(zip: Uint8Array, signature: number): { offset: number; name: string }[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const nameAt = signature === CENTRAL ? 46 : 30;
  const lengthAt = signature === CENTRAL ? 28 : 26;
  const found: { offset: number; name: string }[] = [];
  for (let i = 0; i + 4 <= zip.length; i++) {
    if (view.getUint32(i, true) !== signature) continue;
    const length = view.getUint16(i + lengthAt, true);
    found.push({ offset: i, name: new TextDecoder().decode(zip.subarray(i + nameAt, i + nameAt + length)) });
  }
  return found;
}

/** Rewrites a header field of the named entries, in the central directory and (where it has one) the local header. */
function patch(zip: Uint8Array, names: (name: string) => boolean, field: 'size' | 'method' | 'flags', value: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const at = { size: { central: 24, local: 22, bytes: 4 }, method: { central: 10, local: 8, bytes: 2 }, flags: { central: 8, local: 6, bytes: 2 } }[field];
  for (const signature of [CENTRAL, LOCAL]) {
    for (const header of headers(zip, signature)) {
      if (!names(header.name)) continue;
      const offset = header.offset + (signature === CENTRAL ? at.central : at.local);
      if (at.bytes === 4) view.setUint32(offset, value, true);
      else view.setUint16(offset, value, true);
    }
  }
  return out;
}

async function refusal(zip: Uint8Array): Promise<string> {
  try {
    await readSetFromZip(zip);
  } catch (error) {
    expect(error).toBeInstanceOf(CalibrationSetError);
    return (error as Error).message;
  }
  throw new Error('the zip was accepted');
}

describe('a labelled set from a zip', () => {
  it('reads person folders, deflated or stored, under a top folder or not, with groups.csv', async () => {
    for (const level of [0, 6] as const) {
      const flat = await readSetFromZip(zipSync(twoPeople({ 'groups.csv': new TextEncoder().encode('person,group\nann,A\nbob,B\n') }), { level }));
      expect(flat.images.map((i) => i.name)).toEqual(['ann/1.jpg', 'ann/2.jpg', 'bob/1.jpg', 'bob/2.png']);
      expect(flat.images[0]!.bytes).toEqual(photo());
      expect([...flat.groups]).toEqual([
        ['ann', 'A'],
        ['bob', 'B'],
      ]);

      const nested = await readSetFromZip(zipSync({ set: twoPeople(), '__MACOSX/set/._x.jpg': photo(10) }, { level }));
      expect(nested.images.map((i) => `${i.identity}:${i.name}`)).toEqual(['ann:ann/1.jpg', 'ann:ann/2.jpg', 'bob:bob/1.jpg', 'bob:bob/2.png']);
    }
  });

  it('gives each photo its own bytes, not a view of the whole zip (which would be copied with each one to the face worker)', async () => {
    const zip = zipSync(twoPeople(), { level: 0 });
    for (const image of (await readSetFromZip(zip)).images) expect(image.bytes.buffer.byteLength).toBe(image.bytes.byteLength);
  });

  it('counts every entry, whatever its name, and refuses more than the limit, naming it', async () => {
    const clutter: Zippable = {};
    for (let i = 0; i <= MAX_ZIP_ENTRIES; i++) clutter[`notes/${i}.txt`] = new Uint8Array(0);
    const message = await refusal(zipSync(twoPeople(clutter), { level: 0 }));
    expect(message).toMatch(new RegExp(`more than ${MAX_ZIP_ENTRIES.toLocaleString('en-GB')} files and folders`));
  });

  it('refuses a photo larger than a reference photo may be, naming it, before unpacking anything', async () => {
    const message = await refusal(zipSync(twoPeople({ 'bob/huge.jpg': photo(MAX_IMAGE_BYTES + 1) })));
    expect(message).toMatch(/^bob\/huge\.jpg is 10\.1 MB unpacked; each photo in a set may be at most 10 MB/);
  });

  it('refuses a set whose photos together unpack to more than the limit, from the declared sizes alone', async () => {
    // 45 entries each declaring 9.5 MB (under the per-photo limit): 427 MB in all. The data is
    // never unpacked — had it been, the sizes would not match and the message would differ.
    const many: Zippable = {};
    for (let i = 0; i < 45; i++) many[`cy/${i}.jpg`] = photo(10);
    const zip = patch(zipSync(twoPeople(many)), (name) => name.startsWith('cy/'), 'size', 9.5 * 1024 * 1024);
    expect(45 * 9.5 * 1024 * 1024).toBeGreaterThan(MAX_SET_UNPACKED_BYTES);
    expect(await refusal(zip)).toMatch(/^The set unpacks to more than 400 MB/);
  });

  it('refuses compression other than stored or Deflate, and encryption, naming the file and what to do', async () => {
    const bzip2 = patch(zipSync(twoPeople()), (name) => name === 'bob/1.jpg', 'method', 12);
    expect(await refusal(bzip2)).toMatch(/^bob\/1\.jpg is compressed with BZIP2 \(method 12\); only stored or Deflate entries can be read\. Zip the set again/);
    const unknown = patch(zipSync(twoPeople()), (name) => name === 'bob/1.jpg', 'method', 77);
    expect(await refusal(unknown)).toMatch(/^bob\/1\.jpg is compressed with method 77;/);
    const encrypted = patch(zipSync(twoPeople()), (name) => name === 'ann/2.jpg', 'flags', 1);
    expect(await refusal(encrypted)).toMatch(/^ann\/2\.jpg is encrypted/);
  });

  it('ignores the compression of entries it does not read', async () => {
    const zip = patch(zipSync(twoPeople({ 'readme.txt': photo(10) })), (name) => name === 'readme.txt', 'method', 12);
    expect((await readSetFromZip(zip)).images).toHaveLength(4);
  });

  it('refuses an entry that inflates to more than it declares, as not a readable zip', async () => {
    // 64 MB of zeros deflates to ~64 KB; the header says 1,000 bytes. (fflate's unzipSync would
    // inflate all 64 MB into nothing and hand back the first 1,000 bytes as if all were well.)
    const bomb = patch(zipSync(twoPeople({ 'bob/bomb.jpg': photo(64 * 1024 * 1024) }), { level: 1 }), (name) => name === 'bob/bomb.jpg', 'size', 1000);
    expect(await refusal(bomb)).toBe('The file is not a readable zip archive: bob/bomb.jpg does not unpack to the size the zip declares for it.');
  });

  it('refuses an entry that inflates to less than it declares, or is stored with a wrong size', async () => {
    const short = patch(zipSync(twoPeople()), (name) => name === 'ann/1.jpg', 'size', 2000);
    expect(await refusal(short)).toBe('The file is not a readable zip archive: ann/1.jpg does not unpack to the size the zip declares for it.');
    const stored = patch(zipSync(twoPeople(), { level: 0 }), (name) => name === 'ann/1.jpg', 'size', 999);
    expect(await refusal(stored)).toMatch(/ann\/1\.jpg does not unpack to the size the zip declares for it/);
  });

  it('refuses what is not a zip, or is cut short, as not a readable zip', async () => {
    expect(await refusal(new TextEncoder().encode('not a zip at all'))).toBe('The file is not a readable zip archive.');
    expect(await refusal(new Uint8Array(0))).toBe('The file is not a readable zip archive.');
    const zip = zipSync(twoPeople());
    // The central directory survives; the data it points at does not.
    const central = headers(zip, CENTRAL)[0]!.offset;
    const cut = new Uint8Array(zip.length - central + 40);
    cut.set(zip.subarray(0, 40));
    cut.set(zip.subarray(central), 40);
    expect(await refusal(cut)).toMatch(/^The file is not a readable zip archive/);
  });
});

describe("a set's warnings", () => {
  const image = (identity: string, name: string) => ({ identity, name, bytes: photo(10) });

  it('say one person in the singular and several in the plural', () => {
    const one = checked([image('ann', '1'), image('ann', '2'), image('bob', '1')], new Map([['ann', 'A']]));
    expect(one.warnings).toEqual([
      '1 of 2 people has a single photo: they count only in impostor pairs.',
      '1 person has no group in groups.csv: they are left out of the per-group figures.',
    ]);
    const two = checked([image('ann', '1'), image('ann', '2'), image('bob', '1'), image('cy', '1')], new Map([['ann', 'A']]));
    expect(two.warnings).toEqual([
      '2 of 3 people have a single photo: they count only in impostor pairs.',
      '2 people have no group in groups.csv: they are left out of the per-group figures.',
    ]);
  });
});

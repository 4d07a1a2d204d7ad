/**
 * A count with its noun, singular or plural as English needs ("1 person", "2 people",
 * "1,204 alerts"). One home for it, so no page says "1 people". Pure: pages, components and
 * server code share it.
 */
const NUMBER = new Intl.NumberFormat('en-GB');

/** Plurals that are not the singular plus "s". */
const IRREGULAR: Record<string, string> = { person: 'people' };

export function plural(count: number, singular: string, pluralForm = IRREGULAR[singular] ?? `${singular}s`): string {
  return `${NUMBER.format(count)} ${count === 1 ? singular : pluralForm}`;
}

import { CATEGORIES, CATEGORY_LABELS, type Category } from '@/lib/watchlists/schema';

export function CategoryChip({ category }: { category: Category }) {
  return <span className={`category-chip category-${category}`}>{CATEGORY_LABELS[category] ?? category}</span>;
}

/** The closed list of categories as `<option>`s, for every category `<select>`. */
export function CategoryOptions() {
  return CATEGORIES.map((c) => (
    <option key={c} value={c}>
      {CATEGORY_LABELS[c]}
    </option>
  ));
}

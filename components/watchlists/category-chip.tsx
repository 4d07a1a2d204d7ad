import { CATEGORY_LABELS, type Category } from '@/lib/watchlists/schema';

export function CategoryChip({ category }: { category: Category }) {
  return <span className={`category-chip category-${category}`}>{CATEGORY_LABELS[category] ?? category}</span>;
}

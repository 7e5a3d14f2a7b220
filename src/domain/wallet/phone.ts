/** Indonesian mobile numbers in any accepted form (08…, 628…, +628…) as stored: +628…; null when it is not one. */
export function normalisePhone(text: string): string | null {
  const t = text.replace(/[\s-]/g, '');
  const m = /^(?:\+?62|0)(8\d{7,12})$/.exec(t);
  return m ? `+62${m[1]}` : null;
}

/**
 * Regulators see no email and only a masked phone: the country and operator prefix and the last
 * four digits (`+62812****5678`). The mask has a fixed width, so it does not reveal the length.
 */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  if (phone.length < 10) return '****';
  return `${phone.slice(0, 6)}****${phone.slice(-4)}`;
}

/** What an API key may read. */
export const PERMISSIONS = ['READ_TRANSACTIONS', 'READ_REPORTS', 'READ_AUDIT'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const isPermission = (v: string): v is Permission => (PERMISSIONS as readonly string[]).includes(v);

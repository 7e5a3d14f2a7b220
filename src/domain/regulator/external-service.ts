import type { Permission } from './permissions.ts';
import type { RateLimits } from './rate-limits.ts';

/** A regulator or partner that reads transactions through the API (Bank Indonesia, OJK, …). */
export interface ExternalService {
  id: string;
  company: string;
  serviceType: string;
  contactEmail: string;
  description: string | null;
  isActive: boolean;
  /** What a newly issued key gets unless the operator says otherwise. */
  defaultPermissions: Permission[];
  defaultRateLimits: RateLimits;
  createdAt: Date;
}

/** One regulator request as audited in api_access_logs. Service and key are null when the key was missing or unknown. */
/** The http_method enum of api_access_logs: what a regulator request may be audited with. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface AccessLogEntry {
  externalServiceId: string | null;
  apiKeyId: string | null;
  endpoint: string;
  method: string;
  ipAddress: string;
  userAgent: string | null;
  status: number;
  durationMs: number;
  errorCode: string | null;
  requestId: string | null;
  at: Date;
}

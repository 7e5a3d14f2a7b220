/** One regulator request as audited in api_access_logs. Service and key are null when the key was missing or unknown. */
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

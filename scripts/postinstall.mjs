// Fixes the cause of kafkajs 2.2.4's TimeoutNegativeWarning on Node 24 (kafkajs issue 1751):
// RequestQueue.scheduleCheckPendingRequests passes `throttledUntil - Date.now()` to setTimeout,
// which is negative once the throttle has already passed. Clamp it at zero. Idempotent.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const file = new URL('../node_modules/kafkajs/src/network/requestQueue/index.js', import.meta.url);
if (existsSync(file)) {
  const before = 'let scheduleAt = this.throttledUntil - Date.now()';
  const after = 'let scheduleAt = Math.max(0, this.throttledUntil - Date.now())';
  const src = readFileSync(file, 'utf8');
  if (src.includes(before)) {
    writeFileSync(file, src.replace(before, after));
    console.log('postinstall: clamped kafkajs RequestQueue timeout at 0 (kafkajs#1751)');
  }
}

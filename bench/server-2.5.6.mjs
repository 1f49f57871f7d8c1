#!/usr/bin/env node
// A sync server wired exactly like the official @automerge/automerge-repo-sync-server (src/server.js),
// but from the current automerge-repo 2.5.6 packages: Express + ws WebSocketServer({noServer:true})
// attached to the HTTP upgrade event on any path, NodeWSServerAdapter, NodeFSStorageAdapter(DATA_DIR),
// peerId storage-server-<hostname>, and a share policy that never announces.
//   PORT=3030 DATA_DIR=/tmp/data node bench/server-2.5.6.mjs     (prints "Listening on port N")
// Binds 127.0.0.1 (HOST overrides). One difference: on SIGTERM/SIGINT it flushes pending saves before
// it exits (bounded to 10 s), so the benchmark can restart it without losing the last 100 ms of writes.
import fs from "node:fs"
import os from "node:os"
import { importDep, repo256 } from "./lib/deps.mjs"

const { default: express } = await importDep("express")
const { WebSocketServer } = (await importDep("ws")).default
const { Repo, NodeWSServerAdapter, NodeFSStorageAdapter } = await repo256()

const dir = process.env.DATA_DIR ?? ".amrg"
if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true })
const port = process.env.PORT !== undefined ? parseInt(process.env.PORT) : 3030
const host = process.env.HOST ?? "127.0.0.1"

const socket = new WebSocketServer({ noServer: true })
const repo = new Repo({
  network: [new NodeWSServerAdapter(socket)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: `storage-server-${os.hostname()}`,
  sharePolicy: async () => false,
})

const app = express()
app.get("/", (req, res) => {
  res.send(`👍 automerge-repo 2.5.6 sync server is running`)
})
const server = app.listen(port, host, () => console.log(`Listening on port ${port}`))
server.on("upgrade", (request, sock, head) => {
  socket.handleUpgrade(request, sock, head, ws => socket.emit("connection", ws, request))
})

let stopping = false
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    if (stopping) return
    stopping = true
    setTimeout(() => process.exit(0), 10000).unref()
    try {
      await repo.flush()
    } finally {
      process.exit(0)
    }
  })
}

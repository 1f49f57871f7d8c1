#!/usr/bin/env node
// Starts the OFFICIAL @automerge/automerge-repo-sync-server 0.2.8 (automerge-repo 1.2.1), unchanged,
// bound to 127.0.0.1 instead of every interface.
//   PORT=3030 DATA_DIR=/tmp/amrg node official-server.mjs
// PORT (default 3030) and DATA_DIR (default ".amrg", relative to the cwd) are read by the server itself.
// It prints "Listening on port N" on stdout when ready. Stop it with SIGTERM / SIGINT (no flush on exit:
// give it ~200 ms after the last change; it saves with a 100 ms debounce).
import net from "node:net"

const host = process.env.HOST ?? "127.0.0.1"
const listen = net.Server.prototype.listen
// express app.listen(PORT, cb) -> server.listen(PORT, cb): add the host.
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && typeof args[1] === "function") args.splice(1, 0, host)
  return listen.apply(this, args)
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0))

await import("@automerge/automerge-repo-sync-server/src/index.js")

#!/usr/bin/env node
// Operations test client for rott-sync: long-running writers that record what the server acknowledged.
//   node ops-client.mjs <command> --server ws://127.0.0.1:PORT [flags]
// Prints exactly one JSON line on stdout and exits 0, or explains on stderr and exits 1 (like client.mjs).
//
// keep-writing --docs N --duration MS [--interval MS=25] --acks-file F [--states-file F]
//   Creates N documents {title, n: 0} and then, round robin, sets n = n + 1 in one of them every
//   interval until duration has passed, staying connected across server restarts. Every time the server
//   reports new heads for a document (a sync message from the server, which rott-sync sends only once
//   the change is on disk), appends {url, heads, n} to the acks file: n is the counter at those heads.
//   --states-file gets {url, heads, n} for every state the writer itself had. Both are JSON lines.
//   stdout: {"docs":[{"url","n","acked"}]}
// check-acked --acks-file F
//   For each document, takes its last acknowledged {heads, n} and checks through a fresh repo that the
//   server's document contains those heads (the value at those heads is n) and that its n is >= it.
//   stdout: {"checked", "docs":[{"url","ackedN","serverN"}]}
import { appendFileSync, readFileSync, writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { decodeHeads, view } from "@automerge/automerge-repo"
import { Deadline, Failure, Unavailable, confirmViaFreshPeer, loadClient, log } from "./lib.mjs"

console.log = console.info = console.debug = console.error

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    server: { type: "string" },
    timeout: { type: "string", default: "60000" },
    docs: { type: "string", default: "1" },
    duration: { type: "string", default: "5000" },
    interval: { type: "string", default: "25" },
    "acks-file": { type: "string" },
    "states-file": { type: "string" },
  },
})
const need = name => {
  if (o[name] === undefined) throw new Failure(`--${name} is required`)
  return o[name]
}

async function keepWriting(api, dl) {
  const server = need("server"), acksFile = need("acks-file"), statesFile = o["states-file"]
  const docs = Number(o.docs), duration = Number(o.duration), interval = Number(o.interval)
  writeFileSync(acksFile, "")
  if (statesFile) writeFileSync(statesFile, "")
  const ctx = api.open({ server, name: "writer" })
  const started = Date.now()
  try {
    const handles = []
    const nAtHeads = new Map() // url -> Map(headsKey -> n)
    const acked = new Map()
    const record = (url, heads, n) => {
      nAtHeads.get(url).set(heads.join(","), n)
      if (statesFile) appendFileSync(statesFile, JSON.stringify({ url, heads, n }) + "\n")
    }
    for (let i = 0; i < docs; i++) {
      const h = api.create(ctx, { title: `writer-${i}`, n: 0 })
      nAtHeads.set(h.url, new Map())
      record(h.url, api.heads(h), 0)
      h.on("remote-heads", ({ heads }) => {
        const hex = [...decodeHeads(heads)].sort()
        if (!hex.length) return // "I have nothing yet" is not an acknowledgement
        const n = nAtHeads.get(h.url).get(hex.join(","))
        if (n === undefined) {
          log(`writer: server reports heads ${hex} for ${h.url} that this writer never had`)
          appendFileSync(acksFile, JSON.stringify({ url: h.url, heads: hex, n: null }) + "\n")
          return
        }
        if ((acked.get(h.url) ?? -1) < n) acked.set(h.url, n)
        appendFileSync(acksFile, JSON.stringify({ url: h.url, heads: hex, n }) + "\n")
      })
      handles.push(h)
    }
    await confirmViaFreshPeer(api, server, handles.map(h => ({ url: h.url, heads: api.heads(h) })), dl)
    log(`writer: ${docs} doc(s) created and confirmed; writing every ${interval} ms for ${duration} ms`)
    let changeErrors = 0
    for (let k = 0; Date.now() - started < duration; k++) {
      const h = handles[k % handles.length]
      try {
        h.change(d => { d.n = d.n + 1 })
        record(h.url, api.heads(h), api.doc(h).n)
      } catch (e) {
        // automerge-repo 2.5.6 throws from a change whose sync send meets a closing socket (fixed upstream
        // by automerge-repo PR #627); the writer carries on, as an app would.
        if (changeErrors++ < 5) log(`writer: change failed: ${e.message}`)
      }
      await new Promise(r => setTimeout(r, interval))
    }
    return {
      docs: handles.map(h => ({ url: h.url, n: api.doc(h).n, acked: acked.get(h.url) ?? -1 })),
      changeErrors,
    }
  } finally {
    await api.close(ctx)
  }
}

async function checkAcked(api, dl) {
  const server = need("server")
  const last = new Map()
  for (const line of readFileSync(need("acks-file"), "utf8").split("\n")) {
    if (!line.trim()) continue
    const ack = JSON.parse(line)
    if (ack.n === null) throw new Failure(`the server acknowledged heads the writer never had: ${line}`)
    if (!last.has(ack.url) || last.get(ack.url).n < ack.n) last.set(ack.url, ack)
  }
  if (!last.size) throw new Failure("no acknowledgements in the acks file")
  const out = []
  for (let attempt = 1; out.length < last.size; attempt++) {
    const ctx = api.open({ server, name: `checker#${attempt}` })
    try {
      for (const ack of last.values()) {
        if (out.some(d => d.url === ack.url)) continue
        let handle
        try {
          handle = await api.find(ctx, ack.url, dl)
        } catch (e) {
          if (!(e instanceof Unavailable)) throw e
          throw new Failure(`${ack.url}: the server does not have it (acknowledged n=${ack.n})`)
        }
        const atAck = view(handle.doc(), ack.heads)
        await dl.until(() => view(handle.doc(), ack.heads).n === ack.n && handle.doc().n >= ack.n,
          `${ack.url} to contain acknowledged heads ${ack.heads} (n=${ack.n})`,
          () => `(value there: ${JSON.stringify(atAck)}, current n: ${handle.doc().n})`)
        out.push({ url: ack.url, ackedN: ack.n, serverN: handle.doc().n })
      }
    } finally {
      await api.close(ctx)
    }
  }
  return { checked: out.length, docs: out }
}

const commands = { "keep-writing": keepWriting, "check-acked": checkAcked }
const NET_ERRORS = new Set(["ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT", "ECONNABORTED"])
process.on("uncaughtException", e => {
  if (NET_ERRORS.has(e?.code) || /WebSocket was closed before|Unexpected server response|Websocket not ready/.test(e?.message)) {
    log(`network error (adapter will retry): ${e.code ?? ""} ${e.message}`)
    return
  }
  console.error(`ops-client: uncaught exception: ${e?.stack ?? e}`)
  process.exit(1)
})
process.on("unhandledRejection", e => log(`unhandled rejection (ignored): ${e?.stack ?? e}`))

const cmd = positionals[0]
try {
  if (!commands[cmd]) throw new Failure(`usage: node ops-client.mjs <${Object.keys(commands).join("|")}> --server URL`)
  const timeout = Number(o.timeout)
  const dl = new Deadline(timeout)
  setTimeout(() => {
    console.error(`ops-client ${cmd} FAILED: hard timeout after ${timeout + 10000} ms`)
    process.exit(1)
  }, timeout + 10000).unref()
  const api = await loadClient("v2")
  const result = await commands[cmd](api, dl)
  process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0))
} catch (e) {
  console.error(`ops-client ${cmd} FAILED: ${e instanceof Failure ? e.message : e?.stack ?? e}`)
  process.exit(1)
}

#!/usr/bin/env node
// One benchmark workload, run by bench/run.mjs as its own process with real automerge-repo 2.5.6
// clients (WebSocketClientAdapter, no client storage):
//   node bench/workload.mjs <command> [--server ws://127.0.0.1:PORT] [flags]
// Prints exactly one JSON line on stdout and exits 0; on a failure or timeout it explains on stderr and
// exits 1. Every wait is bounded by --timeout (ms); a watchdog exits 1 at timeout + 15 s.
//
// "Acknowledged" below means the client's sync state with the server (keyed by the server's storage
// id) reports the server's heads equal to the client's heads: the server has every change.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { performance } from "node:perf_hooks"
import { importDep, repo256 } from "./lib/deps.mjs"

console.log = console.info = console.debug = console.error // stdout carries only the result line
const t0 = Date.now()
const log = (...a) => console.error(`[workload +${Date.now() - t0}ms]`, ...a)

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    server: { type: "string" },
    timeout: { type: "string", default: "300000" },
    count: { type: "string", default: "100" },
    "text-bytes": { type: "string", default: "256" },
    rounds: { type: "string", default: "100" },
    warmup: { type: "string", default: "10" },
    clients: { type: "string", default: "10" },
    docs: { type: "string", default: "2" },
    edits: { type: "string", default: "3" },
    batch: { type: "string", default: "1000" },
    wave: { type: "string", default: "100" },
    mb: { type: "string", default: "1" },
    out: { type: "string" },
    in: { type: "string" },
    from: { type: "string", default: "0" },
    to: { type: "string" },
    dir: { type: "string" },
  },
})

const int = name => {
  const v = Number(o[name])
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`)
  return v
}
const timeoutMs = int("timeout")
const deadline = Date.now() + timeoutMs
setTimeout(() => {
  console.error(`workload FAILED: hard timeout after ${timeoutMs + 15000} ms`)
  process.exit(1)
}, timeoutMs + 15000).unref()

// The WebSocket adapters throw network errors from their socket listeners and reconnect anyway.
process.on("uncaughtException", e => {
  if (/ECONNRESET|EPIPE|ECONNREFUSED|WebSocket was closed before|Unexpected server response/.test(`${e?.code} ${e?.message}`)) {
    log(`network error (adapter retries): ${e.message}`)
    return
  }
  console.error(`workload FAILED: uncaught ${e?.stack ?? e}`)
  process.exit(1)
})
process.on("unhandledRejection", e => log(`unhandled rejection (ignored): ${e?.stack ?? e}`))

const { Repo, WebSocketClientAdapter, NodeWSServerAdapter, NodeFSStorageAdapter } = await repo256()

// ---------------------------------------------------------------- helpers

const remaining = () => Math.max(0, deadline - Date.now())
const sleep = ms => new Promise(r => setTimeout(r, Math.min(ms, remaining())))

function bounded(promise, what) {
  let timer
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout (${timeoutMs} ms) waiting for ${what}`)), remaining())
  })
  return Promise.race([promise, t]).finally(() => clearTimeout(timer))
}

async function until(pred, what, intervalMs = 5) {
  for (;;) {
    if (pred()) return
    if (remaining() === 0) throw new Error(`timeout (${timeoutMs} ms) waiting for ${what}`)
    await sleep(intervalMs)
  }
}

const sorted = heads => [...(heads ?? [])].sort()
const sameHeads = (a, b) => {
  const x = sorted(a), y = sorted(b)
  return x.length === y.length && x.every((h, i) => h === y[i])
}

/** `bytes` bytes of deterministic ASCII text (letters, spaces, newlines). */
function makeText(bytes, seed) {
  let s = (seed * 2654435761) >>> 0 || 1
  const letters = "abcdefghijklmnopqrstuvwxyz"
  const out = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0
    const r = s % 32
    out[i] = r < 26 ? letters.charCodeAt(r) : r < 31 ? 32 : 10
  }
  return out.toString("latin1")
}

/** A small document: the shape every many-documents workload uses. */
const smallDoc = (i, textBytes) => ({ title: `doc-${i}`, n: i, text: makeText(textBytes, i + 1) })

function openClient(server, name = "client") {
  const adapter = new WebSocketClientAdapter(server)
  const repo = new Repo({ network: [adapter] })
  return { repo, name, closed: false }
}

async function closeClient(c) {
  if (!c || c.closed) return
  c.closed = true
  let timer
  const bound = new Promise(r => { timer = setTimeout(r, 20000) })
  await Promise.race([bound, c.repo.shutdown().catch(e => log(`${c.name}: shutdown: ${e}`))])
  clearTimeout(timer)
}

/** Waits for the server's `peer` answer and returns the server's storage id. */
async function serverStorageId(c) {
  await until(() => c.repo.peers.length > 0, `${c.name} to connect`)
  let sid
  await until(() => (sid = c.repo.peerMetadataByPeerId[c.repo.peers[0]]?.storageId), `${c.name}: server storage id`)
  return sid
}

/** Resolves once the server has acknowledged the handle's current heads. */
function acknowledged(handle, storageId) {
  const done = () => sameHeads(handle.getSyncInfo(storageId)?.lastHeads, handle.heads())
  if (done()) return Promise.resolve()
  return bounded(new Promise(resolve => {
    const check = () => {
      if (done()) {
        handle.off("remote-heads", check)
        resolve()
      }
    }
    handle.on("remote-heads", check)
  }), `the server to acknowledge ${handle.url}`)
}

/** Resolves once `pred(doc)` holds for the handle's document. */
function seen(handle, pred, what) {
  if (pred(handle.doc())) return Promise.resolve()
  return bounded(new Promise(resolve => {
    const check = ({ doc }) => {
      if (pred(doc)) {
        handle.off("change", check)
        resolve()
      }
    }
    handle.on("change", check)
  }), what)
}

/**
 * A fresh client finds every document in `items` and checks its heads; fails on unavailable. It asks
 * for --wave documents at a time (all of a wave at once, the next wave when those have arrived).
 */
async function fetchAll(server, items, name) {
  const wave = Math.max(1, int("wave"))
  const c = openClient(server, name)
  try {
    await serverStorageId(c)
    for (let i = 0; i < items.length; i += wave) await findAll(c, items.slice(i, i + wave))
  } finally {
    await closeClient(c)
  }
}

async function findAll(c, items) {
  const started = Date.now()
  try {
    await Promise.all(items.map(async item => {
      const handle = await bounded(c.repo.find(item.url), `find ${item.url}`)
      if (item.heads && !sameHeads(handle.heads(), item.heads)) {
        await until(() => sameHeads(handle.heads(), item.heads), `${item.url} to reach the pushed heads`)
      }
      if (item.title !== undefined && handle.doc().title !== item.title)
        throw new Error(`${item.url}: title ${handle.doc().title}, expected ${item.title}`)
    }))
  } catch (e) {
    // automerge-repo also reports "unavailable" for every pending find when the connection drops.
    throw new Error(`${c.name}: ${e.message} (${Date.now() - started} ms into a wave of ${items.length}; ` +
      `connected to the server now: ${c.repo.peers.length > 0})`)
  }
}

function percentile(samples, p) {
  const s = [...samples].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}

async function roundTrips(ha, hb) {
  const rounds = int("rounds"), warmup = int("warmup")
  const samples = []
  for (let i = 0; i < warmup + rounds; i++) {
    const started = performance.now()
    const bSees = seen(hb, d => d?.ping === i, `B to see ping ${i}`)
    const aSees = seen(ha, d => d?.pong === i, `A to see pong ${i}`)
    ha.change(d => { d.ping = i })
    await bSees
    hb.change(d => { d.pong = i })
    await aSees
    if (i >= warmup) samples.push(performance.now() - started)
  }
  const round = x => Math.round(x * 100) / 100
  return {
    rounds, p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)),
    min: round(Math.min(...samples)), max: round(Math.max(...samples)),
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    }).on("error", reject)
  })
}

// ---------------------------------------------------------------- workloads

/** A and B on one document through the server: A sets ping=i, B answers pong=i; time until A sees it. */
async function roundtrip() {
  const server = need("server")
  const a = openClient(server, "A"), b = openClient(server, "B")
  try {
    const sid = await serverStorageId(a)
    const ha = a.repo.create({ title: "round trip" })
    await acknowledged(ha, sid)
    await serverStorageId(b)
    const hb = await bounded(b.repo.find(ha.url), "B to find the document")
    return await roundTrips(ha, hb)
  } finally {
    await closeClient(b)
    await closeClient(a)
  }
}

/** The same round trip between two repos wired directly (A hosts a WebSocket server, B connects). */
async function floor() {
  const { WebSocketServer } = (await importDep("ws")).default
  const port = await freePort()
  const wss = new WebSocketServer({ host: "127.0.0.1", port })
  const a = { repo: new Repo({ network: [new NodeWSServerAdapter(wss)], peerId: "floor-a" }), name: "A" }
  const b = openClient(`ws://127.0.0.1:${port}`, "B")
  try {
    await until(() => b.repo.peers.length > 0, "B to connect to A")
    const ha = a.repo.create({ title: "round trip" })
    const hb = await bounded(b.repo.find(ha.url), "B to find the document")
    return await roundTrips(ha, hb)
  } finally {
    await closeClient(b)
    await closeClient(a)
    wss.close()
  }
}

/** Client A pushes --count small documents; once the server acknowledged them all, client B receives them all. */
async function push() {
  const server = need("server"), count = int("count"), textBytes = int("text-bytes")
  const docs = Array.from({ length: count }, (_, i) => smallDoc(i, textBytes))
  const a = openClient(server, "pusher")
  let items
  const started = performance.now()
  try {
    const sid = await serverStorageId(a)
    const handles = docs.map(d => a.repo.create(d))
    await Promise.all(handles.map(h => acknowledged(h, sid)))
    items = handles.map((h, i) => ({ url: h.url, heads: h.heads(), title: docs[i].title }))
  } finally {
    await closeClient(a)
  }
  const pushed = performance.now()
  await fetchAll(server, items, "receiver")
  const done = performance.now()
  if (o.out) writeFileSync(o.out, JSON.stringify(items))
  return { count, pushMs: Math.round(pushed - started), receiveMs: Math.round(done - pushed), wallMs: Math.round(done - started) }
}

/** A fresh client finds documents --from..--to of the list in --in, --batch at a time (a fresh client per batch). */
async function fetch() {
  const server = need("server"), batch = Math.max(1, int("batch"))
  const all = JSON.parse(readFileSync(need("in"), "utf8"))
  const from = int("from"), to = o.to === undefined ? all.length : Math.min(all.length, int("to"))
  const items = all.slice(from, to)
  const started = performance.now()
  for (let i = 0; i < items.length; i += batch) {
    await fetchAll(server, items.slice(i, i + batch), `fetcher#${i / batch + 1}`)
  }
  return { count: items.length, wallMs: Math.round(performance.now() - started) }
}

/** One document with --mb MiB of text: A pushes it, B (fresh) receives it. */
async function big() {
  const server = need("server"), bytes = Math.round(Number(need("mb")) * 1024 * 1024)
  const value = { title: "big", n: 0, text: makeText(bytes, 42) }
  const a = openClient(server, "writer")
  let item
  const started = performance.now()
  try {
    const sid = await serverStorageId(a)
    const h = a.repo.create(value)
    await acknowledged(h, sid)
    item = { url: h.url, heads: h.heads(), title: "big" }
  } finally {
    await closeClient(a)
  }
  const pushed = performance.now()
  await fetchAll(server, [item], "reader")
  const done = performance.now()
  return { bytes, pushMs: Math.round(pushed - started), receiveMs: Math.round(done - pushed), wallMs: Math.round(done - started) }
}

/**
 * --clients clients connect at once; each creates --docs documents of its own and makes --edits
 * rounds of changes to all of them, waiting for the server's acknowledgement after each round.
 */
async function concurrent() {
  const server = need("server"), clients = int("clients"), perClient = int("docs"), edits = int("edits")
  const textBytes = int("text-bytes")
  const started = performance.now()
  const all = Array.from({ length: clients }, (_, i) => openClient(server, `client-${i}`))
  let connectedMs
  try {
    const sids = await Promise.all(all.map(serverStorageId))
    connectedMs = Math.round(performance.now() - started)
    await Promise.all(all.map(async (c, ci) => {
      const handles = Array.from({ length: perClient }, (_, k) => c.repo.create(smallDoc(ci * perClient + k, textBytes)))
      await Promise.all(handles.map(h => acknowledged(h, sids[ci])))
      for (let e = 1; e <= edits; e++) {
        handles.forEach(h => h.change(d => { d.rev = e }))
        await Promise.all(handles.map(h => acknowledged(h, sids[ci])))
      }
    }))
  } finally {
    await Promise.all(all.map(closeClient))
  }
  return { clients, docs: clients * perClient, edits, connectedMs, wallMs: Math.round(performance.now() - started) }
}

/**
 * Writes --count small documents straight into a data directory (--dir) in the NodeFS layout, the way
 * automerge-repo 2.5.6 stores a new document (Repo.create is Automerge.from; the first save is one
 * snapshot keyed by the SHA-256 of its heads), without a Repo (which slows down with many handles).
 * Lists them in --out.
 */
async function seed() {
  const A = await importDep("@automerge/automerge")
  const { generateAutomergeUrl, parseAutomergeUrl, encodeHeads } = await importDep("@automerge/automerge-repo")
  const { createHash } = await import("node:crypto")
  const dir = need("dir"), count = int("count"), textBytes = int("text-bytes")
  mkdirSync(dir, { recursive: true })
  const storage = new NodeFSStorageAdapter(dir)
  const items = []
  for (let i = 0; i < count; i += 100) {
    const writes = []
    for (let k = i; k < Math.min(count, i + 100); k++) {
      const d = smallDoc(k, textBytes)
      const doc = A.from(d)
      const heads = A.getHeads(doc)
      const url = generateAutomergeUrl()
      const { documentId } = parseAutomergeUrl(url)
      const hash = createHash("sha256").update(heads.join("")).digest("hex")
      writes.push(storage.save([documentId, "snapshot", hash], A.save(doc)))
      items.push({ url, heads: encodeHeads(heads), title: d.title })
    }
    await Promise.all(writes)
  }
  writeFileSync(need("out"), JSON.stringify(items))
  return { count }
}

/**
 * Records the sync messages a 2.5.6 client sends a server that lacks a --mb MiB document (the same
 * document `big` pushes), and a fresh reader's first request, for the automerge-java floor.
 * Files in --dir: client-<i>.bin (upload, in order), reader-0.bin, doc.bin (Automerge.save).
 */
async function recordBig() {
  const A = await importDep("@automerge/automerge")
  const dir = need("dir"), bytes = Math.round(Number(need("mb")) * 1024 * 1024)
  mkdirSync(dir, { recursive: true })
  const repo = new Repo({ network: [] })
  const h = repo.create({ title: "big", n: 0, text: makeText(bytes, 42) })
  const saved = A.save(h.doc())
  await repo.shutdown()
  writeFileSync(join(dir, "doc.bin"), saved)
  let client = A.load(saved), server = A.init()
  let cs = A.initSyncState(), ss = A.initSyncState()
  const sent = []
  for (let round = 0; round < 10; round++) {
    let msg
    ;[cs, msg] = A.generateSyncMessage(client, cs)
    if (msg) {
      writeFileSync(join(dir, `client-${sent.length}.bin`), msg)
      sent.push(msg.length)
      ;[server, ss] = A.receiveSyncMessage(server, ss, msg)
    }
    let reply
    ;[ss, reply] = A.generateSyncMessage(server, ss)
    if (reply) [client, cs] = A.receiveSyncMessage(client, cs, reply)
    if (!msg && !reply) break
  }
  const [, request] = A.generateSyncMessage(A.init(), A.initSyncState())
  writeFileSync(join(dir, "reader-0.bin"), request)
  return { bytes, savedBytes: saved.length, clientMessages: sent }
}

function need(name) {
  if (o[name] === undefined) throw new Error(`--${name} is required`)
  return o[name]
}

const commands = { roundtrip, floor, push, fetch, big, concurrent, seed, "record-big": recordBig }
const cmd = positionals[0]
try {
  if (!commands[cmd]) throw new Error(`usage: node bench/workload.mjs <${Object.keys(commands).join("|")}> [flags]`)
  const result = await commands[cmd]()
  const cpu = process.cpuUsage()
  result.clientCpuS = Math.round((cpu.user + cpu.system) / 1e4) / 100 // this process, all of it
  process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0))
} catch (e) {
  console.error(`workload ${cmd} FAILED: ${e?.stack ?? e}`)
  process.exit(1)
}

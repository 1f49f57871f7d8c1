// Shared helpers for client.mjs: logging, deadlines, the two client flavours
// (automerge-repo 2.5.6 and the 1.x copy nested in the official sync server),
// and "confirm via a fresh peer".
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"

const t0 = Date.now()
export const log = (...args) =>
  console.error(`[client +${Date.now() - t0}ms]`, ...args)

/** An expectation failed: client.mjs prints the message and exits 1. */
export class Failure extends Error {}
export class Unavailable extends Error {}

// ---------------------------------------------------------------- deadlines

export class Deadline {
  constructor(ms) {
    this.ms = ms
    this.end = Date.now() + ms
  }
  remaining() {
    return Math.max(0, this.end - Date.now())
  }
  expired() {
    return this.remaining() === 0
  }
  /** Resolves/rejects like `promise`, or fails when the deadline passes. */
  race(promise, what) {
    let timer
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Failure(`timeout (${this.ms} ms) waiting for ${what}`)),
        this.remaining(),
      )
    })
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
  }
  sleep(ms) {
    return new Promise(r => setTimeout(r, Math.min(ms, this.remaining())))
  }
  /** Polls `pred` until it returns truthy; `describe()` explains a timeout. */
  async until(pred, what, describe = () => "", intervalMs = 25) {
    for (;;) {
      const v = await pred()
      if (v) return v
      if (this.expired())
        throw new Failure(`timeout (${this.ms} ms) waiting for ${what} ${describe()}`)
      await this.sleep(intervalMs)
    }
  }
}

// ---------------------------------------------------------------- clients

export function sameHeads(a, b) {
  const x = [...a].sort(), y = [...b].sort()
  return x.length === y.length && x.every((h, i) => h === y[i])
}

const isUnavailableError = e => /unavailable/i.test(String(e?.message ?? e))

/** Path of the automerge-repo 1.x packages nested in the official server. */
export function v1Paths() {
  const req = createRequire(import.meta.url)
  const serverPkg = req.resolve("@automerge/automerge-repo-sync-server/package.json")
  const inner = createRequire(serverPkg)
  const resolve = name => inner.resolve(name)
  return {
    repo: resolve("@automerge/automerge-repo"),
    websocket: resolve("@automerge/automerge-repo-network-websocket"),
    nodefs: resolve("@automerge/automerge-repo-storage-nodefs"),
  }
}

/**
 * Returns a small uniform API over one client flavour:
 *   open({server, storage, network}) -> ctx, close(ctx), create(ctx, value),
 *   find(ctx, url, deadline) -> handle (throws Unavailable), heads(handle)
 *   (sorted hex change hashes), doc(handle), newUrl().
 */
export async function loadClient(flavour = "v2") {
  if (flavour !== "v1" && flavour !== "v2")
    throw new Failure(`--client must be v1 or v2, not ${flavour}`)
  const v1 = flavour === "v1"
  let Repo, Adapter, Storage, decodeHeads, generateAutomergeUrl
  if (v1) {
    const p = v1Paths()
    const repoMod = await import(pathToFileURL(p.repo).href)
    const ws = await import(pathToFileURL(p.websocket).href)
    const fs = await import(pathToFileURL(p.nodefs).href)
    ;({ Repo, generateAutomergeUrl } = repoMod)
    Adapter = ws.BrowserWebSocketClientAdapter
    Storage = fs.NodeFSStorageAdapter
    decodeHeads = h => h // 1.x handle.heads() is already hex
  } else {
    const repoMod = await import("@automerge/automerge-repo")
    const ws = await import("@automerge/automerge-repo-network-websocket")
    const fs = await import("@automerge/automerge-repo-storage-nodefs")
    ;({ Repo, decodeHeads, generateAutomergeUrl } = repoMod)
    Adapter = ws.WebSocketClientAdapter
    Storage = fs.NodeFSStorageAdapter
  }

  const api = {
    flavour,
    open({ server, storage, network = true, name = "repo" }) {
      if (network && !server) throw new Failure("--server is required")
      const adapter = network ? new Adapter(server) : undefined
      const repo = new Repo({
        network: adapter ? [adapter] : [],
        storage: storage ? new Storage(storage) : undefined,
      })
      log(`${name}: ${flavour} repo ${repo.networkSubsystem.peerId}` +
        (adapter ? ` -> ${server}` : " (offline)") + (storage ? ` storage=${storage}` : ""))
      return { repo, adapter, name, closed: false }
    },
    async close(ctx) {
      if (!ctx || ctx.closed) return
      ctx.closed = true
      // Bounded, so a hanging shutdown cannot keep the process alive.
      let timer
      const bound = new Promise(r => { timer = setTimeout(() => r(log(`${ctx.name}: shutdown still running after 30 s`)), 30000) })
      await Promise.race([bound, api.shutdown(ctx).catch(e => log(`${ctx.name}: shutdown: ${e}`))])
      clearTimeout(timer)
    },
    async shutdown(ctx) {
      if (v1) {
        // 1.x has no Repo.shutdown(); its adapter.disconnect() only sends "leave".
        await ctx.repo.flush()
        if (ctx.adapter) {
          ctx.adapter.retryInterval = 0
          ctx.adapter.socket?.close()
        }
      } else {
        await ctx.repo.shutdown()
      }
    },
    create(ctx, value) {
      return ctx.repo.create(value)
    },
    /** Waits until the server has answered our join (so "unavailable" is the server's word). */
    async connected(ctx, deadline) {
      if (ctx.adapter && !ctx.repo.peers.length)
        await deadline.until(() => ctx.repo.peers.length > 0, `${ctx.name} to connect to the server`)
    },
    async find(ctx, url, deadline) {
      await api.connected(ctx, deadline)
      if (v1) {
        const handle = ctx.repo.find(url)
        await deadline.race(handle.whenReady(["ready", "unavailable", "deleted"]), `find ${url}`)
        if (!handle.isReady()) throw new Unavailable(`Document ${url} is unavailable (${handle.state})`)
        return handle
      }
      const ac = new AbortController()
      try {
        return await deadline.race(ctx.repo.find(url, { signal: ac.signal }), `find ${url}`)
      } catch (e) {
        if (isUnavailableError(e)) throw new Unavailable(e.message)
        throw e
      } finally {
        ac.abort()
      }
    },
    doc(handle) {
      return v1 ? handle.docSync() : handle.doc()
    },
    heads(handle) {
      return [...decodeHeads(handle.heads() ?? [])].sort()
    },
    newUrl() {
      return generateAutomergeUrl()
    },
  }
  return api
}

// ---------------------------------------------------------------- documents

/** `bytes` bytes of deterministic pseudo-random ASCII text (words and spaces). */
export function makeText(bytes, seed = 1) {
  let s = (seed * 2654435761) >>> 0 || 1
  const rnd = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0
    return s
  }
  const letters = "abcdefghijklmnopqrstuvwxyz"
  const out = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i++) {
    const r = rnd() % 32
    out[i] = r < 26 ? letters.charCodeAt(r) : r < 31 ? 32 : 10
  }
  return out.toString("latin1")
}

/** A JSON-safe summary of a document for output. */
export function summarize(doc) {
  const keys = Object.keys(doc ?? {}).sort()
  const fields = {}
  for (const k of keys) {
    if (k === "text") continue
    const v = JSON.parse(JSON.stringify(doc[k]) ?? "null")
    if (JSON.stringify(v).length <= 1000) fields[k] = v
  }
  return {
    title: doc?.title,
    n: doc?.n,
    textLength: typeof doc?.text === "string" ? doc.text.length : undefined,
    keys,
    fields,
  }
}

// ---------------------------------------------------------------- fetching

/**
 * Finds `items` ([{url, heads?}]) through fresh storage-less repos on `server`.
 * When an item has `heads`, waits (until the deadline) for the found doc to
 * have exactly those heads. With `retryUnavailable`, a doc the server does
 * not have (yet) is asked for again by a new fresh repo (an unavailable handle
 * stays cached in a repo), otherwise it fails at once.
 * Returns [{url, heads, ...summarize(doc)}] in the order of `items`.
 */
export async function fetchDocs(api, server, items, deadline, { retryUnavailable = false, name = "fetcher" } = {}) {
  const results = new Map()
  let pending = items
  for (let attempt = 1; pending.length; attempt++) {
    const ctx = api.open({ server, name: `${name}#${attempt}` })
    const missing = []
    try {
      await Promise.all(pending.map(async item => {
        let handle
        try {
          handle = await api.find(ctx, item.url, deadline)
        } catch (e) {
          if (e instanceof Unavailable && retryUnavailable) return missing.push(item)
          if (e instanceof Unavailable) throw new Failure(`find rejected: ${e.message}`)
          throw e
        }
        if (item.heads) {
          await deadline.until(
            () => sameHeads(api.heads(handle), item.heads),
            `${item.url} to reach the expected heads`,
            () => `(expected ${JSON.stringify(item.heads)}, have ${JSON.stringify(api.heads(handle))})`,
          )
        }
        results.set(item.url, { url: item.url, heads: api.heads(handle), ...summarize(api.doc(handle)) })
      }))
    } finally {
      await api.close(ctx)
    }
    pending = missing
    if (pending.length) {
      if (deadline.expired())
        throw new Failure(`timeout (${deadline.ms} ms): still unavailable: ${pending.map(i => i.url).join(" ")}`)
      log(`${name}: ${pending.length} doc(s) unavailable on attempt ${attempt}, retrying`)
      await deadline.sleep(200)
    }
  }
  return items.map(i => results.get(i.url))
}

/** The server has a change once a fresh peer finds the doc with the same heads. */
export async function confirmViaFreshPeer(api, server, items, deadline) {
  const started = Date.now()
  await fetchDocs(api, server, items, deadline, { retryUnavailable: true, name: "confirm" })
  log(`confirm: server has ${items.length} doc(s) at the expected heads after ${Date.now() - started} ms`)
}

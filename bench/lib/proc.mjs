// Server processes for the benchmark: start on 127.0.0.1, probe readiness with a real join/peer
// handshake, read CPU and memory from /proc, stop with a bound.
import { spawn } from "node:child_process"
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync } from "node:fs"
import { dirname } from "node:path"
import { createServer } from "node:net"
import { importDep } from "./deps.mjs"

const CLK_TCK = 100 // Linux USER_HZ for /proc/<pid>/stat times (getconf CLK_TCK)

export const sleep = ms => new Promise(r => setTimeout(r, ms))

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    }).on("error", reject)
  })
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces). */
function statFields(path) {
  const text = readFileSync(path, "utf8")
  return { comm: text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")), f: text.slice(text.lastIndexOf(")") + 2).split(" ") }
}

/** CPU seconds (user + system) the process has used so far, all its threads. */
export function cpuSeconds(pid) {
  const { f } = statFields(`/proc/${pid}/stat`)
  // after ")": f[0] = state (field 3), utime = field 14, stime = field 15
  return (Number(f[11]) + Number(f[12])) / CLK_TCK
}

/** VmRSS and VmHWM (peak) in MB (MiB). */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = key => Number((status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m")) ?? [0, 0])[1])
  return { rssMB: kb("VmRSS") / 1024, hwmMB: kb("VmHWM") / 1024 }
}

/** CPU seconds per thread group ("C2 CompilerThre", "rott-document-N" → "rott-document-*", …). */
export function threadCpu(pid) {
  const out = {}
  let tids = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      const { comm, f } = statFields(`/proc/${pid}/task/${tid}/stat`)
      const group = comm.replace(/[-# ]?\d+$/, "-*")
      out[group] = (out[group] ?? 0) + (Number(f[11]) + Number(f[12])) / CLK_TCK
    } catch {
      // the thread ended between readdir and read
    }
  }
  return out
}

export function diffThreads(before, after) {
  const out = {}
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0)
    if (d > 0.004) out[k] = Math.round(d * 100) / 100
  }
  return out
}

let cbor
/** True when a WebSocket join to `url` is answered with `peer` within `ms`. */
export async function handshake(url, ms = 2000) {
  const { default: WebSocket } = await importDep("ws")
  cbor ??= await importDep("cbor-x")
  const encoder = new cbor.Encoder({ tagUint8Array: false, useRecords: false })
  return new Promise(resolve => {
    let done = false
    const finish = ok => {
      if (done) return
      done = true
      clearTimeout(timer)
      try { ws.terminate() } catch { /* already closed */ }
      resolve(ok)
    }
    const timer = setTimeout(() => finish(false), ms)
    const ws = new WebSocket(url)
    ws.on("open", () => ws.send(encoder.encode({
      type: "join", senderId: `bench-probe-${Math.random().toString(36).slice(2)}`,
      peerMetadata: { isEphemeral: true }, supportedProtocolVersions: ["1"],
    })))
    ws.on("message", data => {
      try {
        finish(cbor.decode(data)?.type === "peer")
      } catch {
        finish(false)
      }
    })
    ws.on("error", () => finish(false))
    ws.on("close", () => finish(false))
  })
}

/**
 * A server under test. `spec` = {name, command: [bin, ...args], env, dataDir, log}. start() returns the
 * start-to-ready time: from spawn until a WebSocket join gets a `peer` answer.
 */
export class Server {
  constructor(spec) {
    this.spec = spec
    this.child = null
  }
  get pid() {
    return this.child.pid
  }
  get url() {
    return `ws://127.0.0.1:${this.port}`
  }
  async start({ timeoutMs = 60000, extraArgs = [] } = {}) {
    this.port = await freePort()
    const env = { ...process.env, ...this.spec.env(this.port), DATA_DIR: this.spec.dataDir }
    mkdirSync(dirname(this.spec.dataDir), { recursive: true })
    const [bin, ...args] = this.spec.command
    const fd = openSync(this.spec.log, "a")
    const started = performance.now()
    this.child = spawn(bin, [...extraArgs, ...args], { env, stdio: ["ignore", fd, fd] })
    closeSync(fd)
    this.exited = new Promise(resolve => this.child.once("exit", (code, signal) => resolve({ code, signal })))
    this.child.once("exit", () => { this.dead = true })
    this.dead = false
    const end = started + timeoutMs
    while (performance.now() < end) {
      if (this.dead) throw new Error(`${this.spec.name} exited during start; see ${this.spec.log}`)
      if (await handshake(this.url, 1000)) return performance.now() - started
      await sleep(10)
    }
    await this.kill()
    throw new Error(`${this.spec.name} was not ready after ${timeoutMs} ms; see ${this.spec.log}`)
  }
  sample() {
    if (this.dead) throw new Error(`${this.spec.name} died; see ${this.spec.log}`)
    return { cpuS: cpuSeconds(this.pid), ...memory(this.pid), threads: threadCpu(this.pid) }
  }
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 30000) {
    if (!this.child || this.dead) return
    this.child.kill("SIGTERM")
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs)
    await this.exited
    clearTimeout(timer)
  }
  async kill() {
    if (!this.child || this.dead) return
    this.child.kill("SIGKILL")
    await this.exited
  }
}

// Starts a real `brook serve` for the kafkajs compatibility tests: a fresh data directory,
// a free port, and the address clients should use. The JavaScript twin of BrookServer in
// ../fixtures.py; the binary comes from $BROOK_BIN (set by ctest to the build's brook).
//
//   const brook = await new BrookServer().start()
//   const kafka = new Kafka({ brokers: [brook.bootstrap] })
//   ...
//   const { code, sanitizerReports } = await brook.stop()
'use strict'

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const readline = require('node:readline')

const LISTENER = /kafka listener on [0-9.]+:(\d+) \(advertised [^)]*\): ([A-Za-z0-9_-]+)/
const SANITIZER_MARKS = ['AddressSanitizer', 'runtime error:', 'LeakSanitizer']

class BrookServer {
  constructor({ extraArgs = [], env = undefined } = {}) {
    this.binary = process.env.BROOK_BIN
    if (!this.binary) {
      throw new Error('BROOK_BIN is not set (run through ctest)')
    }
    this.extraArgs = extraArgs
    this.env = env // the server's environment (default: the test's)
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-compat-js-'))
    this.logLines = []
    this.port = null
    this.listeners = {} // listener name -> bound port
    this.proc = null
    this._logEnded = null
    this._exited = null
  }

  get bootstrap() {
    return `127.0.0.1:${this.port}`
  }

  // Resolves once the server logs its listener (no sleeps); rejects if it exits first or
  // says nothing of the kind within `timeoutMs`.
  start({ timeoutMs = 30000 } = {}) {
    const args = ['serve', '--data-dir', path.join(this.dataDir, 'data'), '--kafka-port', '0', '--http-port', '0',
      ...this.extraArgs]
    // Through setpriv (util-linux) with a parent-death signal: a test process that ends
    // without stop() (an uncaught error, killed by the runner or ctest's timeout) does not
    // leave the server running. setpriv execs the binary: this.proc.pid is brook's.
    const proc = spawn('setpriv', ['--pdeathsig', 'KILL', '--', this.binary, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: this.env ?? process.env })
    this.proc = proc
    this._exited = new Promise(resolve => proc.on('exit', (code, signal) => resolve({ code, signal })))
    const streams = [proc.stdout, proc.stderr].map(stream => {
      const lines = readline.createInterface({ input: stream })
      return { lines, ended: new Promise(resolve => lines.on('close', resolve)) }
    })
    this._logEnded = Promise.all(streams.map(s => s.ended))

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL')
        reject(new Error(`brook did not become ready:\n${this.logTail()}`))
      }, timeoutMs)
      for (const { lines } of streams) {
        lines.on('line', line => {
          this.logLines.push(line)
          const m = LISTENER.exec(line)
          if (m) {
            this.listeners[m[2]] = Number(m[1])
            if (this.port === null) {
              this.port = Number(m[1])
            }
          }
          if (line.includes('brook ready in') && this.port !== null) {
            clearTimeout(timer)
            resolve(this)
          }
        })
      }
      this._exited.then(({ code, signal }) => {
        clearTimeout(timer)
        if (this.port === null) {
          reject(new Error(`brook exited (${code ?? signal}) before listening:\n${this.logTail()}`))
        }
      })
    })
  }

  logTail(n = 80) {
    return this.logLines.slice(-n).join('\n')
  }

  sanitizerReports() {
    const text = this.logLines.join('\n')
    return SANITIZER_MARKS.filter(mark => text.includes(mark))
  }

  // SIGTERM, then waits for the exit and for the last line of output (a LeakSanitizer
  // report is printed at exit). Removes the data directory.
  async stop() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM')
    }
    const { code, signal } = await this._exited
    await this._logEnded
    fs.rmSync(this.dataDir, { recursive: true, force: true })
    return { code, signal, sanitizerReports: this.sanitizerReports() }
  }
}

module.exports = { BrookServer }

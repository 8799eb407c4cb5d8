// kafkajs 2.2.4 with SASL OAUTHBEARER on a SASL_PLAINTEXT listener of a real `brook serve`,
// with access tokens of a real OpenID Connect provider (npm oidc-provider, started by the
// test: ../oidc/issuer.mjs) fetched by kafkajs's oauthBearerProvider with the client
// credentials grant: it produces and reads its records back; a token Brook cannot verify is
// refused with kafkajs's authentication error.
//
// Run: BROOK_BIN=build/src/app/brook node --test tests/compat/kafkajs/oauth.test.js
'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const readline = require('node:readline')
const { Kafka, Partitioners, logLevel } = require('kafkajs')

const { BrookServer } = require('./brook_server')

const issuerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-kafkajs-oidc-'))
let issuer
let issuerUrl
let brook

// Starts issuer.mjs and resolves with its URL once it serves.
function startIssuer () {
  issuer = spawn(process.execPath, ['issuer.mjs', issuerDir], {
    cwd: path.join(__dirname, '..', 'oidc'),
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: issuer.stdout })
    lines.once('line', line => {
      const m = /^issuer (\S+)$/.exec(line)
      if (m) {
        resolve(m[1])
      } else {
        reject(new Error(`the OIDC provider did not start: ${line}`))
      }
    })
    issuer.once('exit', code => reject(new Error(`the OIDC provider exited (${code})`)))
  })
}

before(async () => {
  issuerUrl = await startIssuer()
  brook = new BrookServer({
    extraArgs: ['--listeners', 'SASL_PLAINTEXT://127.0.0.1:0', '--sasl-mechanisms',
      'SCRAM-SHA-512,OAUTHBEARER', '--oidc-issuer', issuerUrl, '--oidc-audience', 'brook',
      '--allow-everyone-if-no-acl-found', 'true', '--group-initial-rebalance-delay-ms', '0'],
    env: { ...process.env, BROOK_SECURITY_ADMIN_PASSWORD: crypto.randomBytes(8).toString('hex') },
  })
  await brook.start()
})

after(async () => {
  try {
    const { code, sanitizerReports } = await brook.stop()
    assert.equal(code, 0)
    assert.deepEqual(sanitizerReports, [])
  } finally {
    issuer.kill()
    fs.rmSync(issuerDir, { recursive: true, force: true })
  }
})

let tokensFetched = 0
async function fetchToken () {
  const auth = Buffer.from('brook-test:brook-test-secret').toString('base64')
  const r = await fetch(`${issuerUrl}/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${auth}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })
  assert.equal(r.status, 200)
  tokensFetched += 1
  return { value: (await r.json()).access_token }
}

function client (oauthBearerProvider) {
  return new Kafka({
    clientId: 'brook-compat-kafkajs-oauth',
    brokers: [`127.0.0.1:${brook.listeners.SASL_PLAINTEXT}`],
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider },
    logLevel: logLevel.NOTHING,
    logCreator: () => () => {},
    retry: { retries: 2, initialRetryTime: 100 },
  })
}

test('tokens of the issuer: produce and consume through a group', async () => {
  const kafka = client(fetchToken)
  const topic = `oauth-kafkajs-${crypto.randomBytes(4).toString('hex')}`
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const values = ['a', 'b', 'c']
  await producer.send({ topic, messages: values.map(value => ({ value })) })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 200 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const got = []
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value.toString())
        if (got.length === values.length) {
          resolve()
        }
      },
    }).catch(reject)
  })
  await consumer.disconnect()
  assert.deepEqual(got, values)
  assert.ok(tokensFetched > 0)
})

test('a token Brook cannot verify is refused', async () => {
  // The provider's token with its signature cut short.
  const forged = async () => {
    const { value } = await fetchToken()
    return { value: value.slice(0, -10) }
  }
  const admin = client(forged).admin()
  await assert.rejects(admin.connect(), err => {
    assert.match(`${err.name} ${err.message}`, /SASL|[Aa]uthentication/)
    return true
  })
})

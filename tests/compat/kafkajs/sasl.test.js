// kafkajs 2.2.4 with SASL SCRAM-SHA-256 and SCRAM-SHA-512 on a SASL_PLAINTEXT listener of a
// real `brook serve`: it logs in, produces, and reads its records back through a consumer
// group; a wrong password is refused with kafkajs's authentication error; and the
// PLAINTEXT listener beside it still serves without a login.
//
// Run: BROOK_BIN=build/src/app/brook node --test tests/compat/kafkajs/sasl.test.js
'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { Kafka, Partitioners, logLevel } = require('kafkajs')

const { BrookServer } = require('./brook_server')

const PASSWORD = 'kafkajs-' + crypto.randomBytes(6).toString('hex')
const brook = new BrookServer({
  extraArgs: ['--listeners', 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    '--group-initial-rebalance-delay-ms', '0'],
  env: { ...process.env, BROOK_SECURITY_ADMIN_PASSWORD: PASSWORD },
})

before(async () => {
  await brook.start()
})

after(async () => {
  const { code, sanitizerReports } = await brook.stop()
  assert.equal(code, 0)
  assert.deepEqual(sanitizerReports, [])
})

const quiet = () => () => {}

function client (mechanism, password) {
  return new Kafka({
    clientId: 'brook-compat-kafkajs-sasl',
    brokers: [`127.0.0.1:${brook.listeners.SASL_PLAINTEXT}`],
    sasl: { mechanism, username: 'admin', password },
    logLevel: logLevel.NOTHING,
    logCreator: quiet,
    retry: { retries: 2, initialRetryTime: 100 },
  })
}

for (const mechanism of ['scram-sha-256', 'scram-sha-512']) {
  test(`${mechanism}: produce and consume through a group`, async () => {
    const kafka = client(mechanism, PASSWORD)
    const topic = `sasl-kafkajs-${mechanism}-${crypto.randomBytes(4).toString('hex')}`
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
  })
}

test('a wrong password is refused', async () => {
  const admin = client('scram-sha-256', 'not-the-password').admin()
  await assert.rejects(admin.connect(), err => {
    assert.match(`${err.name} ${err.message}`, /SASL|[Aa]uthentication/)
    return true
  })
})

test('the PLAINTEXT listener needs no login', async () => {
  const kafka = new Kafka({
    clientId: 'brook-compat-kafkajs-plain',
    brokers: [`127.0.0.1:${brook.listeners.PLAINTEXT}`],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  const cluster = await admin.describeCluster()
  assert.equal(cluster.brokers[0].port, brook.listeners.PLAINTEXT)
  await admin.disconnect()
})

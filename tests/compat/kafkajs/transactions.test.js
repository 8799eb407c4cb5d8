// kafkajs 2.2.4 transactions against a real `brook serve`: a transactional producer's
// commits and aborts as read_committed and read_uncommitted kafkajs consumers see them;
// consume-transform-produce with sendOffsets (the group's offsets move with the output,
// once, at the commit); and a second producer with the same transactional id fencing the
// first.
//
// Every read is by a kafkajs consumer in a fresh group from the beginning, autoCommit on:
// it is done when the group's committed offsets reach the end of each partition (kafkajs
// resolves the offsets of control records and filtered aborted records too), so "none of
// the aborted records came" means the consumer was past all of them. Nothing sleeps for
// synchronisation: every wait polls a condition against a deadline.
//
// Run: BROOK_BIN=build/src/app/brook node --test tests/compat/kafkajs/transactions.test.js
// (KAFKAJS_LOG_LEVEL=debug shows every request kafkajs sends.)
'use strict'

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { Kafka, Partitioners, logLevel } = require('kafkajs')

const { BrookServer } = require('./brook_server')
const { quietLogCreator } = require('./group_member')

// The producers retry 5 times (the client's retry), not forever as kafkajs's idempotent
// default: an error the broker should not give fails the test at once. kafkajs warns
// about that on every producer; the warning is dropped, everything else printed.
const LIMITED_RETRIES = 'Limiting retries for the idempotent producer may invalidate EoS guarantees'
const logCreator = level => {
  const log = quietLogCreator(level)
  return entry => {
    if (entry.log.message !== LIMITED_RETRIES) {
      log(entry)
    }
  }
}

const DEADLINE_MS = 30000 // for every wait below; none is a timing assertion
// Consumers' timeouts, short (as in groups.test.js): joins and fetches answer in ms.
const MEMBER = {
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 10000,
  maxWaitTimeInMs: 200,
}

const brook = new BrookServer({
  extraArgs: [
    '--group-initial-rebalance-delay-ms', '200',
    '--group-min-session-timeout-ms', '1000',
    '--transaction-abort-check-interval-ms', '100',
  ],
})
let kafka
let admin
let stopped = false
const open = new Set() // clients connected and not yet disconnected, for the final cleanup

before(async () => {
  await brook.start()
  kafka = new Kafka({
    clientId: 'brook-compat-kafkajs-transactions',
    brokers: [brook.bootstrap],
    logLevel: logLevel.WARN,
    logCreator,
    retry: { initialRetryTime: 100, retries: 5 },
  })
  admin = kafka.admin()
  await admin.connect()
})

after(async () => {
  await disconnectAll()
  await admin?.disconnect().catch(() => {})
  if (!stopped) {
    await brook.stop()
  }
})

const range = n => Array.from({ length: n }, (_, i) => i)
const byPartition = (a, b) => a.partition - b.partition
let counter = 0
const unique = prefix => `${prefix}-${++counter}`

// Polls `check` every 50 ms until it returns a truthy value, which it returns; fails after
// `timeoutMs` with `what` and `detail()` (the last state seen).
async function waitFor(what, check, detail = () => '', timeoutMs = DEADLINE_MS) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) {
      return value
    }
    if (Date.now() > deadline) {
      throw new Error(`not true within ${timeoutMs} ms: ${what}\nlast seen: ${detail()}`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function connected(client) {
  await client.connect()
  open.add(client)
  return client
}

async function disconnect(client) {
  await client.disconnect()
  open.delete(client)
}

async function disconnectAll() {
  for (const client of open) {
    await client.disconnect().catch(() => {})
    open.delete(client)
  }
}

// The producer the task asks for: idempotent, one request in flight, a transactional id.
function transactionalProducer(transactionalId) {
  return connected(kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  }))
}

async function createTopic(prefix, numPartitions) {
  const topic = unique(prefix)
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions }] }), true)
  return topic
}

async function endOffsets(topic) {
  return [...await admin.fetchTopicOffsets(topic)].sort(byPartition)
    .map(({ partition, high }) => ({ partition, offset: high }))
}

async function committedOffsets(groupId, topic) {
  const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] })
  return [...partitions].sort(byPartition).map(({ partition, offset }) => ({ partition, offset }))
}

// Every record of `topic` a kafkajs consumer in a fresh group reads from the beginning,
// as { partition, offset, value } sorted by partition and offset. Done when the group's
// committed offsets (autoCommit on) equal the topic's end offsets (empty partitions aside):
// the consumer has gone past every record, control record and aborted record. No
// transaction may be open.
async function readAll(topic, { readUncommitted }) {
  const groupId = unique(readUncommitted ? 'js-txn-read-uncommitted' : 'js-txn-read-committed')
  const consumer = await connected(kafka.consumer({ groupId, readUncommitted, ...MEMBER }))
  const seen = []
  const crashes = []
  consumer.on(consumer.events.CRASH, ({ payload }) => crashes.push(`${payload.error.name}: ${payload.error.message}`))
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    // kafkajs commits a batch of only control or aborted records (the last fetch of a
    // partition that ends in a marker) only when an autoCommit interval or threshold says
    // so; with neither set it would leave the group's offset just before the last marker.
    autoCommitThreshold: 1,
    eachMessage: async ({ partition, message }) => {
      seen.push({ partition, offset: Number(message.offset), value: message.value.toString() })
    },
  })
  const ends = await endOffsets(topic)
  let last
  await waitFor(`${groupId} reads ${topic} to its end`, async () => {
    last = { seen: seen.length, committed: await committedOffsets(groupId, topic), ends, crashes }
    // An empty partition has nothing to read, so nothing committed (-1).
    const reached = last.committed.map(({ partition, offset }, i) =>
      ({ partition, offset: offset === '-1' && ends[i].offset === '0' ? '0' : offset }))
    return JSON.stringify(reached) === JSON.stringify(ends)
  }, () => JSON.stringify(last))
  await disconnect(consumer)
  assert.deepEqual(crashes, [], `${groupId} crashed`)
  return seen.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
}

// Resolves to the error `promise` rejects with; fails if it fulfils.
async function rejection(promise, what) {
  const error = await promise.then(() => null, e => e)
  assert.ok(error, `${what} succeeded; it should have failed`)
  return error
}

const describeError = e => ({ name: e.name, type: e.type, retriable: e.retriable, message: e.message })

describe('transactions', () => {
  test('read_committed reads the committed transactions only; read_uncommitted reads both',
    { timeout: 60000 }, async () => {
      const topic = await createTopic('js-txn', 3)
      const producer = await transactionalProducer(unique('js-txn-tid'))
      const sent = { commit: [], abort: [] }
      for (const [n, outcome] of ['commit', 'abort', 'commit', 'abort', 'commit'].entries()) {
        const txn = await producer.transaction()
        // Two sends per transaction, over the three partitions.
        for (const half of [0, 1]) {
          const messages = range(15).map(i => ({ partition: i % 3, value: `${outcome}-${n}-${half * 15 + i}` }))
          const result = await txn.send({ topic, messages })
          assert.ok(result.every(r => r.errorCode === 0), JSON.stringify(result))
          sent[outcome].push(...messages.map(m => m.value))
        }
        await txn[outcome]()
        assert.equal(txn.isActive(), false)
      }

      const committed = await readAll(topic, { readUncommitted: false })
      assert.deepEqual(committed.map(r => r.value).sort(), [...sent.commit].sort(),
        'read_committed: exactly the committed records')
      assert.deepEqual(committed.filter(r => r.value.startsWith('abort-')), [],
        'read_committed: none of the aborted records')

      const uncommitted = await readAll(topic, { readUncommitted: true })
      assert.equal(uncommitted.length, sent.commit.length + sent.abort.length,
        'read_uncommitted: every data record and no control record')
      assert.deepEqual(uncommitted.map(r => r.value).sort(), [...sent.commit, ...sent.abort].sort())
      // Each partition holds its 50 data records and one marker per transaction (5).
      const ends = await endOffsets(topic)
      for (const { partition, offset } of ends) {
        assert.equal(Number(offset), uncommitted.filter(r => r.partition === partition).length + 5,
          `partition ${partition}: 50 records and 5 markers`)
      }
      await disconnect(producer)
    })

  test('consume-transform-produce: sendOffsets commits the input offsets with the output',
    { timeout: 60000 }, async () => {
      const input = await createTopic('js-txn-ctp-in', 3)
      const output = await createTopic('js-txn-ctp-out', 3)
      const groupId = unique('js-txn-ctp-group')
      const N = 30

      const plain = await connected(kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner }))
      const inputs = range(N).map(i => ({ partition: i % 3, value: `in-${i}` }))
      await plain.send({ topic: input, messages: inputs })
      await disconnect(plain)
      const inputEnds = await endOffsets(input)
      assert.deepEqual(inputEnds, range(3).map(partition => ({ partition, offset: '10' })))

      const consumer = await connected(kafka.consumer({ groupId, ...MEMBER }))
      const seen = []
      await consumer.subscribe({ topics: [input], fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          seen.push({ partition, offset: Number(message.offset), value: message.value.toString() })
        },
      })
      await waitFor(`the consumer reads the ${N} input records`, () => seen.length >= N, () => seen.length)
      assert.equal(seen.length, N)
      const unset = range(3).map(partition => ({ partition, offset: '-1' }))
      assert.deepEqual(await committedOffsets(groupId, input), unset, 'nothing committed (autoCommit off)')

      // The offsets to commit: after the last record read from each partition.
      const next = new Map()
      for (const r of seen) {
        next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1))
      }
      const offsets = [...next].sort((a, b) => a[0] - b[0])
        .map(([partition, offset]) => ({ partition, offset: String(offset) }))
      assert.deepEqual(offsets, inputEnds)

      const producer = await transactionalProducer(unique('js-txn-ctp-tid'))
      const txn = await producer.transaction()
      const transformed = seen.map(r => ({ partition: r.partition, key: r.value, value: r.value.toUpperCase() }))
      await txn.send({ topic: output, messages: transformed })
      await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: offsets }] })
      assert.deepEqual(await committedOffsets(groupId, input), unset,
        'the transaction\'s offsets are not the group\'s before the commit')
      await txn.commit()

      let last
      await waitFor('the group\'s offsets are the input\'s end offsets', async () => {
        last = await committedOffsets(groupId, input)
        return JSON.stringify(last) === JSON.stringify(inputEnds)
      }, () => JSON.stringify(last))
      await disconnect(consumer) // autoCommit off: commits nothing itself
      assert.deepEqual(await committedOffsets(groupId, input), inputEnds)

      const out = await readAll(output, { readUncommitted: false })
      const counts = new Map()
      for (const r of out) {
        counts.set(r.value, (counts.get(r.value) || 0) + 1)
      }
      assert.deepEqual([...counts.keys()].sort(), range(N).map(i => `IN-${i}`).sort(), 'each transformed record')
      assert.deepEqual([...counts].filter(([, n]) => n !== 1), [], 'no transformed record twice')
      await disconnect(producer)
    })

  test('a second producer with the same transactional id fences the first',
    { timeout: 60000 }, async t => {
      const topic = await createTopic('js-txn-fence', 3)
      const tid = unique('js-txn-fence-tid')

      const zombie = await transactionalProducer(tid)
      const zombieTxn = await zombie.transaction()
      const zombieValues = range(10).map(i => `zombie-${i}`)
      await zombieTxn.send({ topic, messages: zombieValues.map((value, i) => ({ partition: i % 2, value })) })

      // Its InitProducerId bumps the epoch and aborts the zombie's open transaction.
      const successor = await transactionalProducer(tid)
      const successorTxn = await successor.transaction()

      // The zombie, in the transaction it still thinks open: a Produce to a partition it
      // added, an AddPartitionsToTxn for a new one, and its EndTxn all fail.
      const sendError = await rejection(
        zombieTxn.send({ topic, messages: [{ partition: 0, value: 'zombie-late' }] }), 'the zombie\'s send')
      t.diagnostic(`zombie send: ${JSON.stringify(describeError(sendError))}`)
      const addError = await rejection(
        zombieTxn.send({ topic, messages: [{ partition: 2, value: 'zombie-late-new-partition' }] }),
        'the zombie\'s send to a new partition')
      t.diagnostic(`zombie send to a new partition: ${JSON.stringify(describeError(addError))}`)
      const commitError = await rejection(zombieTxn.commit(), 'the zombie\'s commit')
      t.diagnostic(`zombie commit: ${JSON.stringify(describeError(commitError))}`)
      for (const e of [sendError, addError, commitError]) {
        assert.equal(e.type, 'INVALID_PRODUCER_EPOCH', JSON.stringify(describeError(e)))
      }
      await disconnect(zombie)

      await successorTxn.send({ topic, messages: [{ partition: 0, value: 'successor' }] })
      await successorTxn.commit()

      const committed = await readAll(topic, { readUncommitted: false })
      assert.deepEqual(committed.map(r => r.value), ['successor'], 'read_committed: the successor\'s record only')
      // The zombie's first records were written and aborted; its late ones never written.
      const uncommitted = await readAll(topic, { readUncommitted: true })
      assert.deepEqual(uncommitted.map(r => r.value).sort(), [...zombieValues, 'successor'].sort())
      await disconnect(successor)
    })
})

test('the server stops cleanly and logged no sanitizer report', async () => {
  await disconnectAll()
  await admin.disconnect()
  admin = null
  stopped = true
  const { code, signal, sanitizerReports } = await brook.stop()
  assert.deepEqual(sanitizerReports, [], brook.logTail())
  assert.equal(signal, null, brook.logTail())
  assert.equal(code, 0, brook.logTail())
})

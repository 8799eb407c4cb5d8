// One kafkajs consumer-group member for groups.test.js, kept as plain state a test can
// inspect: its member id, leader and assignment (from its last GROUP_JOIN), every record its
// eachMessage saw, and any crash.
//
// In the test process: `await startMember({ kafka, name, groupId, topic, consumer })`.
// Run as a script (child_process.fork, for the SIGKILL test) with one JSON argument
// `{ brokers, clientId, name, groupId, topic, consumer }`: the same member in its own
// process, reporting each change to its parent over the IPC channel as
// `{ kind: 'ready' | 'join' | 'message' | 'crash', ... }`. It exits when the parent goes
// away, so a failed test leaves no member behind.
'use strict'

const { Kafka, logLevel } = require('kafkajs')

// kafkajs's console logger without the two lines each rebalance costs every member (its
// Heartbeat answered REBALANCE_IN_PROGRESS, logged as an error, and the rejoin, as a
// warning): the tests rebalance on purpose. Everything else at WARN or above still prints.
const REBALANCING = 'The group is rebalancing, so a rejoin is needed'
const quietLogCreator = () => ({ namespace, label, log }) => {
  if (log.error === REBALANCING) {
    return
  }
  const prefix = namespace ? `[${namespace}] ` : ''
  console.error(JSON.stringify({ level: label, ...log, message: `${prefix}${log.message}` }))
}

// Starts a consumer in `groupId` subscribed to `topic` (from the beginning when the group
// has no committed offset) and resolves once it runs; `report(kind, fields)` hears of
// every change. `consumer` holds extra kafkajs consumer options; `run` extra run options
// (autoCommit).
async function startMember({ kafka, name, groupId, topic, consumer = {}, run = {}, report = () => {} }) {
  const client = kafka.consumer({ groupId, ...consumer })
  const member = {
    name,
    consumer: client,
    memberId: null,
    leaderId: null,
    assignment: [], // partitions of `topic`, sorted
    joins: 0,
    seen: [], // { partition, offset, value } in the order eachMessage saw them
    crashes: [],
  }
  const { GROUP_JOIN, CRASH } = client.events
  client.on(GROUP_JOIN, ({ payload }) => {
    member.memberId = payload.memberId
    member.leaderId = payload.leaderId
    member.assignment = [...(payload.memberAssignment[topic] || [])].sort((a, b) => a - b)
    member.joins += 1
    report('join', { memberId: member.memberId, leaderId: member.leaderId, assignment: member.assignment })
  })
  client.on(CRASH, ({ payload }) => {
    const error = `${payload.error.name}: ${payload.error.message}`
    member.crashes.push(error)
    report('crash', { error })
  })
  await client.connect()
  await client.subscribe({ topics: [topic], fromBeginning: true })
  await client.run({
    ...run,
    eachMessage: async ({ partition, message }) => {
      const record = { partition, offset: Number(message.offset), value: message.value.toString() }
      member.seen.push(record)
      report('message', record)
    },
  })
  report('ready', {})
  return member
}

async function main() {
  const config = JSON.parse(process.argv[2])
  // The parent is gone (test ended or killed): so is this member.
  process.on('disconnect', () => process.exit(0))
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    logCreator: quietLogCreator,
  })
  await startMember({
    kafka,
    name: config.name,
    groupId: config.groupId,
    topic: config.topic,
    consumer: config.consumer,
    report: (kind, fields) => process.send({ kind, ...fields }),
  })
}

if (require.main === module) {
  main().catch(error => {
    console.error(`group_member: ${error.stack}`)
    process.exit(1)
  })
}

module.exports = { startMember, quietLogCreator }

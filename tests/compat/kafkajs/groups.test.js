// kafkajs 2.2.4 consumer groups against a real `brook serve`: members of one group share a
// topic's partitions with no overlap and each record is consumed once; a member joining,
// one leaving cleanly and one killed with SIGKILL (in a child process) move partitions;
// committed offsets read back through the admin client and a new member resumes after
// them; listGroups, describeGroups and deleteGroups answer what Kafka answers.
//
// What each member holds comes from two sides that must agree: the client's GROUP_JOIN
// event (what SyncGroup gave it) and the broker's DescribeGroups (what the coordinator
// says it gave). "Settled" below means both agree for every member and the group is Stable.
//
// Run: BROOK_BIN=build/src/app/brook node --test tests/compat/kafkajs/groups.test.js
'use strict'

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { fork } = require('node:child_process')
const path = require('node:path')
const { Kafka, AssignerProtocol, Partitioners, logLevel } = require('kafkajs')

const { BrookServer } = require('./brook_server')
const { startMember, quietLogCreator } = require('./group_member')

const CLIENT_ID = 'brook-compat-kafkajs-groups'
const PARTITIONS = 6
// Members' timeouts: short, so rebalances and the SIGKILL test finish in seconds. kafkajs
// heartbeats between fetches, so fetches wait at most 200 ms for data.
const MEMBER = {
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 10000,
  maxWaitTimeInMs: 200,
  retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 10 },
}
const KILLED_SESSION_TIMEOUT = 3000
const SETTLE_MS = 30000 // deadline for every wait below; none is a timing assertion

const brook = new BrookServer({
  extraArgs: [
    '--group-initial-rebalance-delay-ms', '200',
    '--group-min-session-timeout-ms', '1000',
  ],
})
let kafka
let admin
let producer
let stopped = false
const running = new Set() // members started and not yet stopped, for the final cleanup

before(async () => {
  await brook.start()
  kafka = new Kafka({
    clientId: CLIENT_ID,
    brokers: [brook.bootstrap],
    logLevel: logLevel.WARN,
    logCreator: quietLogCreator,
    retry: { initialRetryTime: 100, retries: 5 },
  })
  admin = kafka.admin()
  await admin.connect()
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
})

after(async () => {
  await stopAll()
  await producer?.disconnect().catch(() => {})
  await admin?.disconnect().catch(() => {})
  if (!stopped) {
    await brook.stop()
  }
})

const range = n => Array.from({ length: n }, (_, i) => i)
const sorted = list => [...list].sort((a, b) => a - b)

// Polls `check` (sync or async) every 50 ms until it returns a truthy value, which it
// returns; fails after `timeoutMs` with `what` and `detail()` (the last state seen).
async function waitFor(what, check, detail = () => '', timeoutMs = SETTLE_MS) {
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

async function member(name, groupId, topic, { consumer = {}, run = {} } = {}) {
  const m = await startMember({ kafka, name, groupId, topic, consumer: { ...MEMBER, ...consumer }, run })
  running.add(m)
  return m
}

async function stopMember(m) {
  await m.consumer.disconnect()
  running.delete(m)
}

// The same member in a child process (group_member.js), whose state follows its reports.
function forkMember(name, groupId, topic, consumer) {
  const config = { brokers: [brook.bootstrap], clientId: CLIENT_ID, name, groupId, topic, consumer }
  const child = fork(path.join(__dirname, 'group_member.js'), [JSON.stringify(config)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const m = { name, child, memberId: null, leaderId: null, assignment: [], joins: 0, seen: [], crashes: [] }
  m.exited = new Promise(resolve => child.on('exit', (code, signal) => resolve({ code, signal })))
  m.ready = new Promise((resolve, reject) => {
    child.on('message', report => {
      if (report.kind === 'ready') {
        resolve()
      } else if (report.kind === 'join') {
        m.memberId = report.memberId
        m.leaderId = report.leaderId
        m.assignment = report.assignment
        m.joins += 1
      } else if (report.kind === 'message') {
        m.seen.push({ partition: report.partition, offset: report.offset, value: report.value })
      } else if (report.kind === 'crash') {
        m.crashes.push(report.error)
      }
    })
    m.exited.then(({ code, signal }) => reject(new Error(`${name} exited (${code ?? signal}) before running`)))
  })
  running.add(m)
  return m
}

function decodeAssignment(buffer, topic) {
  const decoded = AssignerProtocol.MemberAssignment.decode(buffer)
  return sorted(decoded?.assignment[topic] || [])
}

async function describeGroup(groupId) {
  const { groups } = await admin.describeGroups([groupId])
  assert.equal(groups.length, 1)
  assert.equal(groups[0].groupId, groupId)
  return groups[0]
}

// Once its last member has left, a group is Empty (Kafka gets there within the LeaveGroup).
async function emptied(groupId) {
  let last
  return waitFor(`group ${groupId} is Empty`, async () => {
    last = await describeGroup(groupId)
    return last.state === 'Empty' && last
  }, () => JSON.stringify(last))
}

// Waits until `groupId` is Stable with exactly `members`, and what each member's last
// GROUP_JOIN gave it equals what DescribeGroups says the coordinator gave it. Returns the
// description.
async function settled(groupId, topic, members) {
  let last
  return waitFor(`group ${groupId} settles with ${members.map(m => m.name).join(', ')}`, async () => {
    const g = await describeGroup(groupId)
    const described = new Map(g.members.map(d => [d.memberId, decodeAssignment(d.memberAssignment, topic)]))
    last = {
      state: g.state,
      described: Object.fromEntries(described),
      clients: members.map(m => ({ name: m.name, memberId: m.memberId, assignment: m.assignment, crashes: m.crashes })),
    }
    const agree = members.every(m => described.has(m.memberId) &&
      JSON.stringify(described.get(m.memberId)) === JSON.stringify(m.assignment))
    return g.state === 'Stable' && g.members.length === members.length && agree && g
  }, () => JSON.stringify(last))
}

// The members' assignments are disjoint, cover every partition, and are balanced (the
// client-side assignor saw every member in the leader's JoinGroup answer).
function assertShared(members) {
  const owned = members.map(m => `${m.name}: [${m.assignment}]`).join('; ')
  assert.deepEqual(sorted(members.flatMap(m => m.assignment)), range(PARTITIONS),
    `each partition owned by exactly one member (${owned})`)
  const sizes = members.map(m => m.assignment.length)
  assert.ok(Math.min(...sizes) >= 1 && Math.max(...sizes) - Math.min(...sizes) <= 1,
    `round-robin balance over ${members.length} members (${owned})`)
}

// Produces `perPartition` records to each partition, valued `<phase>/<partition>/<i>`.
async function produce(topic, phase, perPartition, partitions = PARTITIONS) {
  const messages = range(partitions).flatMap(p =>
    range(perPartition).map(i => ({ partition: p, value: `${phase}/${p}/${i}` })))
  const result = await producer.send({ topic, messages })
  assert.ok(result.every(r => r.errorCode === 0))
  return messages.map(m => m.value)
}

async function committedOffsets(groupId, topic) {
  const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] })
  return [...partitions].sort((a, b) => a.partition - b.partition)
}

async function endOffsets(topic) {
  return [...await admin.fetchTopicOffsets(topic)].sort((a, b) => a.partition - b.partition)
    .map(({ partition, high }) => ({ partition, offset: high }))
}

// Waits until the records of `phase` (`values`) have all been consumed by `members` and
// the group's committed offsets reached the end of every partition; then each record was
// consumed exactly once, by the member that owns its partition, from that partition.
async function expectConsumedOnce(groupId, topic, members, phase, values) {
  const ofPhase = m => m.seen.filter(r => r.value.startsWith(`${phase}/`))
  let last
  await waitFor(`${phase}: ${values.length} records consumed and committed`, async () => {
    const got = new Set(members.flatMap(m => ofPhase(m).map(r => r.value)))
    const committed = (await committedOffsets(groupId, topic)).map(({ partition, offset }) => ({ partition, offset }))
    const ends = await endOffsets(topic)
    last = { consumed: got.size, committed, ends }
    return got.size >= values.length && JSON.stringify(committed) === JSON.stringify(ends)
  }, () => JSON.stringify(last))

  const counts = new Map()
  for (const m of members) {
    for (const r of ofPhase(m)) {
      counts.set(r.value, (counts.get(r.value) || 0) + 1)
      assert.equal(r.value.split('/')[1], String(r.partition), `${r.value} read from partition ${r.partition}`)
      assert.ok(m.assignment.includes(r.partition),
        `${m.name} consumed ${r.value} from partition ${r.partition}, not among its [${m.assignment}]`)
    }
  }
  assert.deepEqual([...counts.keys()].sort(), [...values].sort(), `${phase}: the records consumed`)
  assert.deepEqual([...counts].filter(([, n]) => n !== 1), [], `${phase}: records consumed more than once`)
}

describe('members share a 6-partition topic', () => {
  const groupId = 'js-share'
  const topic = 'js-share'
  const members = []
  let fourth
  let rest // the members left after one leaves

  before(async () => {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] }), true)
  })

  test('three members split the partitions with no overlap and consume each record once',
    { timeout: 90000 }, async () => {
      members.push(...await Promise.all(['m1', 'm2', 'm3'].map(name => member(name, groupId, topic))))
      const g = await settled(groupId, topic, members)
      assertShared(members)

      // What the coordinator tells an admin about the members.
      assert.equal(g.protocolType, 'consumer')
      assert.equal(g.protocol, 'RoundRobinAssigner')
      assert.equal(g.errorCode, 0)
      for (const d of g.members) {
        assert.equal(d.clientId, CLIENT_ID)
        assert.match(d.clientHost, /127\.0\.0\.1/)
        assert.deepEqual(AssignerProtocol.MemberMetadata.decode(d.memberMetadata).topics, [topic])
      }
      // JoinGroup named one leader, a member, the same for everyone (a member's GROUP_JOIN
      // event may come a moment after the coordinator calls the group Stable).
      await waitFor('every member heard of the same leader, one of them',
        () => new Set(members.map(m => m.leaderId)).size === 1 &&
          members.some(m => m.memberId === members[0].leaderId),
        () => JSON.stringify(members.map(m => [m.memberId, m.leaderId])))

      const values = await produce(topic, 'three', 20)
      await expectConsumedOnce(groupId, topic, members, 'three', values)
    })

  test('a fourth member joins: the partitions are rebalanced over four', { timeout: 90000 }, async () => {
    const earlier = members.map(m => m.assignment)
    fourth = await member('m4', groupId, topic)
    const all = [...members, fourth]
    await settled(groupId, topic, all)
    assertShared(all)
    assert.ok(members.some((m, i) => m.assignment.length < earlier[i].length),
      `some of the first three gave up a partition: before ${JSON.stringify(earlier)}, ` +
      `after ${JSON.stringify(members.map(m => m.assignment))}`)

    const values = await produce(topic, 'four', 20)
    await expectConsumedOnce(groupId, topic, all, 'four', values)
  })

  test('a member that disconnects leaves at once and its partitions move to the others',
    { timeout: 90000 }, async () => {
      const leaving = members[1]
      const { memberId, assignment } = leaving
      await stopMember(leaving)
      // LeaveGroup takes the member out immediately (no session timeout to wait for).
      const g = await describeGroup(groupId)
      assert.ok(!g.members.some(d => d.memberId === memberId),
        `${memberId} still listed after LeaveGroup: ${JSON.stringify(g.members.map(d => d.memberId))}`)

      rest = [members[0], members[2], fourth]
      await settled(groupId, topic, rest)
      assertShared(rest)
      for (const p of assignment) {
        assert.ok(rest.some(m => m.assignment.includes(p)), `partition ${p} of the leaver has a new owner`)
      }

      const values = await produce(topic, 'left', 20)
      await expectConsumedOnce(groupId, topic, rest, 'left', values)
    })

  test('a member killed with SIGKILL loses its partitions after its session timeout',
    { timeout: 90000 }, async t => {
      const killed = forkMember('killed', groupId, topic,
        { ...MEMBER, sessionTimeout: KILLED_SESSION_TIMEOUT, heartbeatInterval: 300 })
      await killed.ready
      const withKilled = [...rest, killed]
      await settled(groupId, topic, withKilled)
      assertShared(withKilled)
      // It really consumes (and commits) its share before it dies.
      const beforeKill = await produce(topic, 'before-kill', 20)
      await expectConsumedOnce(groupId, topic, withKilled, 'before-kill', beforeKill)

      const { memberId, assignment } = killed
      const killedAt = Date.now()
      killed.child.kill('SIGKILL')
      assert.deepEqual(await killed.exited, { code: null, signal: 'SIGKILL' })
      running.delete(killed)

      await settled(groupId, topic, rest)
      t.diagnostic(`the partitions moved ${Date.now() - killedAt} ms after the SIGKILL ` +
        `(session timeout ${KILLED_SESSION_TIMEOUT} ms)`)
      assertShared(rest)
      const g = await describeGroup(groupId)
      assert.ok(!g.members.some(d => d.memberId === memberId))
      for (const p of assignment) {
        assert.ok(rest.some(m => m.assignment.includes(p)), `partition ${p} of the killed member has a new owner`)
      }

      const afterKill = await produce(topic, 'after-kill', 20)
      await expectConsumedOnce(groupId, topic, rest, 'after-kill', afterKill)
    })

  test('when every member has left the group is Empty and keeps its offsets', { timeout: 60000 }, async () => {
    for (const m of rest) {
      assert.deepEqual(m.crashes, [], `${m.name} crashed`)
    }
    await Promise.all(rest.map(stopMember))
    assert.deepEqual((await emptied(groupId)).members, [])
    assert.deepEqual((await committedOffsets(groupId, topic)).map(({ partition, offset }) => ({ partition, offset })),
      await endOffsets(topic))
  })
})

describe('committed offsets', () => {
  const groupId = 'js-commit'
  const topic = 'js-commit'
  const partitions = 3
  // What the first member commits by hand: partition 0 at 4, 1 at the end (10), 2 at 7.
  const commits = [
    { partition: 0, offset: '4', metadata: 'checkpoint-a' },
    { partition: 1, offset: '10', metadata: null },
    { partition: 2, offset: '7', metadata: 'checkpoint-c' },
  ]

  before(async () => {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] }), true)
  })

  test('commitOffsets: admin.fetchOffsets returns the offsets and metadata committed', { timeout: 60000 }, async () => {
    await produce(topic, 'first', 10, partitions)
    const m = await member('committer', groupId, topic, { run: { autoCommit: false } })
    await waitFor('the committer reads the 30 records', () => m.seen.length >= 30, () => m.seen.length)
    assert.deepEqual(await committedOffsets(groupId, topic),
      range(partitions).map(partition => ({ partition, offset: '-1', metadata: null })),
      'nothing committed yet (autoCommit off)')

    await m.consumer.commitOffsets(commits.map(c => ({ topic, ...c })))
    assert.deepEqual(await committedOffsets(groupId, topic), commits)
    await stopMember(m)
    await emptied(groupId)
    assert.deepEqual(await committedOffsets(groupId, topic), commits, 'offsets outlive the members')
  })

  test('a new member resumes after the committed offsets', { timeout: 60000 }, async () => {
    await produce(topic, 'second', 5, partitions) // offsets 10..14 of each partition
    const m = await member('resumer', groupId, topic) // autoCommit on
    const expected = commits.flatMap(({ partition, offset }) =>
      range(15 - Number(offset)).map(i => ({ partition, offset: Number(offset) + i })))
    let last
    await waitFor(`the resumer reads ${expected.length} records and commits them`, async () => {
      last = { seen: m.seen.length, committed: await committedOffsets(groupId, topic) }
      return m.seen.length >= expected.length && last.committed.every(c => c.offset === '15')
    }, () => JSON.stringify(last))
    const seen = m.seen.map(({ partition, offset }) => ({ partition, offset }))
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    assert.deepEqual(seen, expected, 'exactly the records at or after each committed offset')
    for (const r of m.seen) {
      const [phase, p, i] = r.value.split('/')
      assert.equal(Number(p), r.partition)
      assert.equal(r.offset, phase === 'first' ? Number(i) : 10 + Number(i))
    }
    assert.deepEqual(m.crashes, [])
    await stopMember(m)
    await emptied(groupId)
  })

  test('a group that never committed has no offsets', async () => {
    assert.deepEqual(await committedOffsets('js-never-committed', topic),
      range(partitions).map(partition => ({ partition, offset: '-1', metadata: null })))
  })

  test('admin.setOffsets commits for an empty group', { timeout: 60000 }, async () => {
    const offsets = [{ partition: 0, offset: '1' }, { partition: 1, offset: '2' }, { partition: 2, offset: '3' }]
    await admin.setOffsets({ groupId, topic, partitions: offsets })
    assert.deepEqual((await committedOffsets(groupId, topic)).map(({ partition, offset }) => ({ partition, offset })),
      offsets)
  })
})

describe('group administration', () => {
  const topic = 'js-commit' // from the previous block

  test('listGroups lists the groups with members or offsets, as consumer groups', async () => {
    const { groups } = await admin.listGroups()
    const ours = groups.filter(g => g.groupId.startsWith('js-'))
      .sort((a, b) => a.groupId.localeCompare(b.groupId))
    assert.deepEqual(ours, [
      { groupId: 'js-commit', protocolType: 'consumer' },
      { groupId: 'js-share', protocolType: 'consumer' },
    ], 'an OffsetFetch alone (js-never-committed) makes no group')
  })

  test('describeGroups of an unknown group: Dead, no members', async () => {
    const g = await describeGroup('js-no-such-group')
    assert.equal(g.errorCode, 0)
    assert.equal(g.state, 'Dead')
    assert.deepEqual(g.members, [])
  })

  test('deleteGroups refuses a group with members, deletes empty ones with their offsets',
    { timeout: 60000 }, async () => {
      const groupId = 'js-admin'
      const m = await member('admin-member', groupId, topic)
      await settled(groupId, topic, [m])
      const refused = await admin.deleteGroups([groupId]).then(() => null, e => e)
      assert.ok(refused, 'deleteGroups of a group with a member fails')
      assert.equal(refused.name, 'KafkaJSDeleteGroupsError', refused.stack)
      assert.deepEqual(refused.groups.map(({ groupId, errorCode, error }) => ({ groupId, errorCode, type: error?.type })),
        [{ groupId, errorCode: 68, type: 'NON_EMPTY_GROUP' }])
      // The group is untouched: its member still holds every partition.
      await settled(groupId, topic, [m])
      assert.deepEqual(m.assignment, range(3))
      await stopMember(m)
      await emptied(groupId)

      const deleted = await admin.deleteGroups(['js-share', 'js-commit', groupId])
      assert.deepEqual(deleted.map(({ groupId, errorCode }) => ({ groupId, errorCode }))
        .sort((a, b) => a.groupId.localeCompare(b.groupId)),
      [
        { groupId: 'js-admin', errorCode: 0 },
        { groupId: 'js-commit', errorCode: 0 },
        { groupId: 'js-share', errorCode: 0 },
      ])
      const { groups } = await admin.listGroups()
      assert.deepEqual(groups.filter(g => g.groupId.startsWith('js-')), [])
      assert.equal((await describeGroup('js-commit')).state, 'Dead')
      assert.deepEqual(await committedOffsets('js-commit', topic),
        range(3).map(partition => ({ partition, offset: '-1', metadata: null })), 'the offsets went with the group')
    })

  test('deleteGroups of an unknown group: GROUP_ID_NOT_FOUND', async () => {
    const refused = await admin.deleteGroups(['js-no-such-group']).then(() => null, e => e)
    assert.ok(refused, 'deleteGroups of an unknown group fails')
    assert.deepEqual(refused.groups.map(({ groupId, errorCode, error }) => ({ groupId, errorCode, type: error?.type })),
      [{ groupId: 'js-no-such-group', errorCode: 69, type: 'GROUP_ID_NOT_FOUND' }])
  })
})

// Members a failed test left running are stopped here first.
async function stopAll() {
  for (const m of running) {
    if (m.child) {
      m.child.kill('SIGKILL')
      await m.exited
    } else {
      await m.consumer.disconnect().catch(() => {})
    }
    running.delete(m)
  }
}

test('the server stops cleanly and logged no sanitizer report', async () => {
  await stopAll()
  await producer.disconnect()
  await admin.disconnect()
  producer = null
  admin = null
  stopped = true
  const { code, signal, sanitizerReports } = await brook.stop()
  assert.deepEqual(sanitizerReports, [], brook.logTail())
  assert.equal(signal, null, brook.logTail())
  assert.equal(code, 0, brook.logTail())
})

// EVRYTHNG's official JavaScript SDK, unchanged, against `portico sim`.
// Env: PORTICO_SIM (the simulator's base URL), EVRYTHNG_API_KEY (the demo
// operator key of the US region, from `portico sim --print-config`).
'use strict'

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const evrythng = require('evrythng')

const apiUrl = `${process.env.PORTICO_SIM}/evrythng/us`
const key = process.env.EVRYTHNG_API_KEY
const ID = /^[abcdefghkmnpqrstwxyABCDEFGHKMNPQRSTUVWXY0123456789]{24}$/

let operator

// The SDK rejects with an Error whose message is the API's error body.
function refusal (status) {
  return (err) => {
    const body = JSON.parse(err.message)
    assert.equal(body.status, status)
    assert.equal(body.errors.length, 1)
    assert.equal(typeof body.moreInfo, 'string')
    return true
  }
}

before(async () => {
  assert.ok(process.env.PORTICO_SIM && key, 'PORTICO_SIM and EVRYTHNG_API_KEY are set')
  evrythng.setup({ apiUrl, apiVersion: 1 })
  operator = new evrythng.Operator(key)
  await operator.init()
})

test('init reads /access then the operator itself', () => {
  assert.match(operator.id, ID)
  assert.equal(typeof operator.email, 'string')
})

test('a wrong key is refused with the documented error body', async () => {
  const wrong = new evrythng.Operator('not-a-key')
  await assert.rejects(wrong.init(), refusal(401))
})

test('projects list one page, and pages() follows the Link header to the end', async () => {
  const first = await operator.project().read()
  assert.equal(first.length, 30)
  const seen = []
  for await (const page of operator.project().pages()) {
    seen.push(...page.map((p) => p.id))
  }
  const response = await fetch(`${apiUrl}/projects?perPage=1`, { headers: { authorization: key } })
  const total = Number(response.headers.get('x-result-count'))
  assert.ok(total > 30)
  assert.equal(seen.length, total)
  assert.equal(new Set(seen).size, total)
})

test('a filter goes to the server', async () => {
  const tagged = await operator.project().setFilter({ tags: 'pilot' }).setPerPage(100).read()
  assert.ok(tagged.length > 0)
  for (const p of tagged) assert.ok(p.tags.includes('pilot'))
})

test('create, read, update and delete a project', async () => {
  const created = await operator.project().create({
    name: 'SDK Project',
    description: 'made by evrythng.js',
    tags: ['sdk'],
    customFields: { region: 'europe' }
  })
  assert.match(created.id, ID)
  assert.deepEqual(created.shortDomains, ['tn.gg'])
  assert.equal(typeof created.createdAt, 'number')

  const read = await operator.project(created.id).read()
  assert.equal(read.name, 'SDK Project')

  const renamed = await operator.project(created.id).update({ name: 'SDK Project 2' })
  assert.equal(renamed.name, 'SDK Project 2')
  assert.equal(renamed.description, 'made by evrythng.js')

  // An entity's update() sends back the whole document it read.
  const entity = await operator.project(created.id).read()
  entity.description = 'whole document'
  const whole = await entity.update()
  assert.equal(whole.description, 'whole document')
  assert.equal(whole.name, 'SDK Project 2')

  await assert.rejects(operator.project().create({ name: 'x', colour: 'red' }), refusal(400))

  await operator.project(created.id).delete()
  await assert.rejects(operator.project(created.id).read(), refusal(404))
})

test('applications: create, list, update, read the secret key, delete with the project', async () => {
  const project = await operator.project().create({ name: 'SDK Apps' })
  const apps = operator.project(project.id).application()
  const app = await apps.create({ name: 'SDK App', description: 'web', socialNetworks: {} })
  assert.match(app.id, ID)
  assert.equal(app.project, project.id)
  assert.match(app.appApiKey, /^[A-Za-z0-9]{80}$/)

  const listed = await operator.project(project.id).application().read()
  assert.deepEqual(listed.map((a) => a.id), [app.id])

  const one = operator.project(project.id).application(app.id)
  const updated = await one.update({ description: 'mobile' })
  assert.equal(updated.description, 'mobile')
  assert.equal(updated.name, 'SDK App')

  const secret = await one.secretKey().read()
  assert.equal(typeof secret.secretApiKey, 'string')
  assert.ok(secret.secretApiKey.length > 0)
  assert.notEqual(secret.secretApiKey, app.appApiKey)

  const second = await apps.create({ name: 'Second', socialNetworks: {} })
  await operator.project(project.id).application(second.id).delete()
  await assert.rejects(
    operator.project(project.id).application(second.id).read(),
    refusal(404)
  )

  await operator.project(project.id).delete()
  await assert.rejects(one.read(), refusal(404))
})

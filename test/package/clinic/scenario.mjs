// What the clinic's users do through its server; prints one JSON summary.
//   node scenario.mjs admit        admit a patient, read it per role, look it up by SSN
//   node scenario.mjs read <id>    read it again (after the operators' key commands)
import { patients } from './schema.mjs';
import { startServer } from './server.mjs';

const server = await startServer();
const ask = async (role, query, variables = {}) => {
  const headers = { 'content-type': 'application/json' };
  if (role !== undefined) Object.assign(headers, { 'x-role': role, 'x-user': `${role}-1` });
  const response = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return response.json();
};
const read = (role, id) => ask(role, 'query Read($id: ID!) { patient(id: $id) { name ssn } }', { id });
const lookup = (role, ssn) =>
  ask(role, 'query Lookup($ssn: String!) { patientsBySsn(ssn: $ssn) { id name } }', { ssn });

try {
  if (process.argv[2] === 'admit') {
    const admitted = await ask(
      'clerk',
      'mutation Admit($input: PatientInput!) { admitPatient(input: $input) { id ssn } }',
      { input: { name: 'Ada', ssn: '123-45-6789' } },
    );
    if (admitted.data === null) throw new Error(JSON.stringify(admitted.errors));
    const id = admitted.data.admitPatient.id;
    const [stored] = await server.db.select().from(patients);
    console.log(
      JSON.stringify({
        id,
        stored: { ssn: stored.ssn, ssnIndex: stored.ssnIndex },
        nurse: await read('nurse', id),
        clerk: await read('clerk', id),
        anonymous: await read(undefined, id),
        lookupHit: await lookup('clerk', '123-45-6789'),
        lookupMiss: await lookup('clerk', '987-65-4321'),
      }),
    );
  } else {
    const [stored] = await server.db.select().from(patients);
    console.log(
      JSON.stringify({
        stored: { ssn: stored.ssn, ssnIndex: stored.ssnIndex },
        nurse: await read('nurse', process.argv[3]),
        lookupHit: await lookup('clerk', '123-45-6789'),
      }),
    );
  }
} finally {
  await server.stop();
}

// What the clinic does with its server: admit a patient, read it per role, look it up by SSN, then
// run the key lifecycle over its own table and check the reveal record. Prints one JSON summary.
import { startServer } from './server.mjs';

const server = await startServer();
const ask = async (role, query, variables = {}) => {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(role === undefined ? {} : { 'x-role': role, 'x-user': `${role}-1` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
};
const read = (role, id) => ask(role, 'query Read($id: ID!) { patient(id: $id) { name ssn } }', { id });
const lookup = (role, ssn) =>
  ask(role, 'query Lookup($ssn: String!) { patientsBySsn(ssn: $ssn) { id name } }', { ssn });

try {
  const admitted = await ask(
    'clerk',
    'mutation Admit($input: PatientInput!) { admitPatient(input: $input) { id ssn } }',
    { input: { name: 'Ada', ssn: '123-45-6789' } },
  );
  if (admitted.data === null) throw new Error(JSON.stringify(admitted.errors));
  const id = admitted.data.admitPatient.id;
  const [stored] = await server.db.select().from((await import('./schema.mjs')).patients);
  const before = {
    nurse: await read('nurse', id),
    clerk: await read('clerk', id),
    anonymous: await read(undefined, id),
    lookupHit: await lookup('clerk', '123-45-6789'),
    lookupMiss: await lookup('clerk', '987-65-4321'),
  };

  const keys = server.running.keyAdmin;
  const rotated = await keys.rotate('patient-ssn');
  const retireRefused = await keys.retire('patient-ssn', 2).then(
    () => 'accepted',
    (error) => error.message,
  );
  const rewrapped = await keys.rewrap('patient-ssn');
  const retired = await keys.retire('patient-ssn', 2);
  await keys.rotate('patient-ssn-index');
  const reindexed = await keys.reindex('patient-ssn-index');
  const after = { nurse: await read('nurse', id), lookupHit: await lookup('clerk', '123-45-6789') };
  const verified = await server.running.revealLedger.verify();
  const whoRead = await server.running.revealLedger.list({ limit: 100, recordId: id });

  console.log(
    JSON.stringify({
      id,
      stored: { ssn: stored.ssn, ssnIndex: stored.ssnIndex },
      admitted,
      before,
      lifecycle: {
        rotatedTo: rotated.latestVersion,
        retireRefused,
        rewrapped: rewrapped.rewrapped,
        retiredBelow: retired.minDecryptionVersion,
        reindexed: reindexed.map(({ column, reindexed: count }) => ({ column, count })),
      },
      after,
      verified,
      whoRead: whoRead.map(({ subject, role, mask, field }) => ({ subject, role, mask, field })),
    }),
  );
} finally {
  await server.stop();
}

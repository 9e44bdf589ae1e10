// Fails the CI run unless the suites ran against the real backends, and prints the closing count.
import fs from 'node:fs';

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const tests = report.testResults.flatMap((file) => file.assertionResults);
const count = (status, list = tests) => list.filter((test) => test.status === status).length;
const real = tests.filter((test) => test.fullName.includes('postgres+openbao'));
const embedded = tests.filter((test) => test.fullName.includes('embedded'));

console.log(`suites on embedded backends:         ${count('passed', embedded)} passed`);
console.log(
  `suites on postgres+openbao backends: ${count('passed', real)} passed, ${real.length - count('passed', real)} not passed`,
);
const skipped = count('skipped') + count('pending') + count('todo');
console.log(`vitest: ${count('passed')} passed, ${count('failed')} failed, ${skipped} skipped`);

if (count('failed') > 0 || report.numFailedTestSuites > 0) process.exit(1);
if (real.length === 0 || count('passed', real) !== real.length) {
  console.error('the real-backend (postgres+openbao) suites did not all run and pass');
  process.exit(1);
}

import { describe, expect, it } from 'vitest';
import { httpDemoClient } from '../../src/demo/demo-client.ts';
import { DEMO_CARDS, runWalkthrough } from '../../src/demo/walkthrough.ts';
import { useTestApi } from '../support/api.ts';
import { backendSets } from '../support/backends.ts';

describe.each(backendSets())('npm run demo: the walkthrough against a running server [$name]', (set) => {
  const suite = useTestApi(set);

  it('prints each request and answer: v1 ciphertext for the clerk, v2 after rotation, plaintext for the processor', async () => {
    const lines: string[] = [];
    await runWalkthrough({
      send: httpDemoClient(suite.api.url, (role) => suite.api.token(role)),
      print: (line) => lines.push(line),
    });
    const output = lines.join('\n');
    const answers = lines.filter((line) => line.startsWith('→ ')).map((line) => JSON.parse(line.slice(2)));

    expect(answers).toHaveLength(8);
    expect(answers[0].data.createCreditCard.pan).toMatch(/^vault:v1:/);
    expect(answers[2].data.creditCards.nodes.map((card: { pan: string }) => card.pan.slice(0, 9))).toEqual([
      'vault:v1:',
      'vault:v1:',
    ]);
    expect(answers[3].data.rotateKey.latestVersion).toBe(2);
    expect(answers[4].data.createCreditCard.pan).toMatch(/^vault:v2:/);
    expect(answers[5].data.creditCards.nodes.map((card: { pan: string }) => card.pan)).toEqual(
      DEMO_CARDS.map((card) => card.pan.replace(/\s/g, '')),
    );
    expect(answers[7].data.markCardsProcessed.map((card: { status: string }) => card.status)).toEqual([
      'PROCESSED',
      'PROCESSED',
      'PROCESSED',
    ]);
    expect(output).toContain('mutation CreateCard');
    expect(output).toContain('(as key-admin)');
  });

  it('stops at the first answer with errors, naming the step', async () => {
    const anonymous = httpDemoClient(suite.api.url, async () => 'not-a-token');
    await expect(runWalkthrough({ send: anonymous, print: () => {} })).rejects.toThrow(/step 1 failed: Invalid token/);
  });
});

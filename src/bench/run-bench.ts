import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueToken } from '../auth/token-issuer.ts';
import { loadConfig } from '../config.ts';
import { type ApiProcess, SERVER_ENTRY, startApiProcess, UNAUDITED_ENTRY } from './api-process.ts';
import { randomCards } from './cards.ts';
import { compareWithFloor, type FloorComparison, type FloorResult, FloorScenario } from './floor-scenario.ts';
import { graphql } from './graphql-client.ts';
import { runLookups } from './lookups.ts';
import { round, Scenario, type ScenarioResult } from './scenario.ts';
import { type BenchSizes, CREATE_MANY, CREATE_ONE, LIST_PAGE, PAN_KEY, type Page } from './scenarios.ts';
import { openTransitFloor, type StoredValue, type TransitFloor } from './transit-floor.ts';

export interface Target {
  description: string;
  value: number | null;
  /** null when this run cannot judge it: a quick run's sizes are too small for any of the targets. */
  met: boolean | null;
}

export interface BenchReport {
  mode: 'full' | 'quick';
  startedAt: string;
  finishedAt: string;
  backends: { database: string; transit: string };
  machine: { cpus: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  /** NODE_OPTIONS the API ran with (e.g. a heap cap), which bounds its RSS. */
  apiNodeOptions: string | null;
  batching: { batchSize: number; concurrency: number; windowMs: number };
  sizes: BenchSizes;
  scenarios: ScenarioResult[];
  /** Raw transit for the values of each decrypted scenario, sent as the API's adapter sends them, no API. */
  floors: FloorResult[];
  /** Each decrypted scenario beside its floor: the API's own overhead. */
  overFloor: FloorComparison[];
  ratios: {
    /** Time to list the cards decrypted over the time to list them as ciphertext (scenario 1). */
    decryptedOverCiphertext: number;
    /** The same from median page latencies, which a few stalled requests on a shared machine do not sway. */
    decryptedOverCiphertextMedian: number;
    /** Time per naive (one transit call per value) list request over time per batched one (scenario 3). */
    batchedSpeedup: number;
    batchedSpeedupMedian: number;
    /** The same against one call per value, one after another. */
    batchedSpeedupSequential: number;
    batchedSpeedupSequentialMedian: number;
    /** API overhead over raw transit time for a page of decrypted values (p50s, scenario 1). */
    overheadOverRawTransit: number;
    /** Time to list the cards decrypted with the reveal record over the same list without it. */
    auditedOverUnaudited: number;
    auditedOverUnauditedMedian: number;
    /** Time per lookup by number (blind index) over time per lookup by id, among all stored cards. */
    byPanOverById: number;
    byPanOverByIdMedian: number;
    /** API CPU per decrypted page over the clerk's ciphertext page (same size): the ratio machine noise does not sway. */
    decryptedCpuOverClerk: number | null;
    /** The highest p50 / floor among the batched decrypted scenarios. */
    batchedOverFloor: number;
  };
  targets: Target[];
}

export interface BenchOptions {
  /** The environment the API runs with (backends, batching); the bench adds its own port and data directory. */
  env: NodeJS.ProcessEnv;
  mode: 'full' | 'quick';
  sizes: BenchSizes;
  log?: (line: string) => void;
}

/** Runs every scenario against the API in a child process and returns the figures. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const { sizes } = options;
  const log = options.log ?? (() => {});
  const config = loadConfig(options.env);
  const countsVault = config.transit.kind === 'vault';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transitql-bench-'));
  const start = (overrides: Record<string, string>, entry?: string) =>
    startApiProcess(
      {
        ...options.env,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        ...overrides,
      },
      { entry },
    );
  const clerk = await issueToken(config.auth, ['clerk'], 'bench-clerk');
  const processor = await issueToken(config.auth, ['processor'], 'bench-processor');
  const startedAt = new Date().toISOString();
  // The embedded engine's keys live in the API's data directory: the floor reads them from there.
  let floor: TransitFloor | undefined;
  const openFloor = async () => {
    floor ??= await openTransitFloor(loadConfig({ ...options.env, DATA_DIR: dataDir }), PAN_KEY);
    return floor;
  };
  const loadAverageAtStart = os.loadavg();

  try {
    log('starting the API (batched)');
    let api = await start({ TRANSIT_BATCHING: 'true' });
    const backends = api.description;
    log(`  database: ${backends.database}\n  transit:  ${backends.transit}`);
    const scenario = (id: string, title: string, cardsPerRequest: number) =>
      new Scenario(id, title, cardsPerRequest, api, countsVault);
    let bulk: Scenario;
    let concurrent: Scenario;
    let ciphertextList: Scenario;
    let decryptedList: Scenario;
    let batchedPage: Scenario;
    let paging: Scenario;
    const floorOf = (id: string, title: string, forScenario: string, values: number) =>
      new FloorScenario(id, title, forScenario, values);
    let listFloor: FloorScenario;
    let pageFloor: FloorScenario;
    let byId: Scenario;
    let byPan: Scenario;
    try {
      bulk = scenario('bulk-create', `bulk create, ${sizes.bulkSize} cards per request`, sizes.bulkSize);
      log(bulk.title);
      const bulkInputs = Array.from({ length: sizes.bulkRequests }, () => randomCards(sizes.bulkSize));
      await bulk.run(sizes.bulkRequests, 1, (index) =>
        graphql(api.url, clerk, CREATE_MANY, { inputs: bulkInputs[index] }).then(() => {}),
      );

      const creates = sizes.concurrentClients * sizes.createsPerClient;
      concurrent = scenario('concurrent-create', `${sizes.concurrentClients} clients creating one card each`, 1);
      log(concurrent.title);
      const singleInputs = randomCards(creates);
      await concurrent.run(creates, sizes.concurrentClients, (index) =>
        graphql(api.url, clerk, CREATE_ONE, { input: singleInputs[index] }).then(() => {}),
      );

      await seed(
        api,
        clerk,
        Math.max(sizes.listCards, sizes.pagingCards) - sizes.bulkSize * sizes.bulkRequests - creates,
        log,
      );

      const pages = Math.ceil(sizes.listCards / sizes.pageSize);
      ciphertextList = scenario(
        'list-ciphertext',
        `list ${sizes.listCards} cards as clerk (ciphertext)`,
        sizes.pageSize,
      );
      decryptedList = scenario(
        'list-decrypted',
        `list ${sizes.listCards} cards as processor (decrypted)`,
        sizes.pageSize,
      );
      await pager(api, processor, sizes.pageSize, true)(0); // warm-up
      const rawTransit = await openFloor();
      listFloor = floorOf(
        'raw-transit-list',
        `raw transit: ${sizes.pageSize} values a request, batched as the adapter sends them`,
        decryptedList.id,
        sizes.pageSize,
      );
      const storedPages: StoredValue[][] = [];
      for (let round = 1; round <= sizes.listRounds; round++) {
        log(`list ${sizes.listCards} cards, round ${round} of ${sizes.listRounds}: clerk, processor, then raw transit`);
        await ciphertextList.run(pages, 1, pager(api, clerk, sizes.pageSize, false, false, storedPages));
        await decryptedList.run(pages, 1, pager(api, processor, sizes.pageSize, true));
        await listFloor.run(pages, (index) => rawTransit.batched(storedPages[index] as StoredValue[]));
      }

      batchedPage = scenario(
        'list-page-batched',
        `one page of ${sizes.naiveCards} decrypted, batched`,
        sizes.naiveCards,
      );
      log(batchedPage.title);
      await batchedPage.run(sizes.naiveRequests, 1, pager(api, processor, sizes.naiveCards, true, true));
      const firstPage = await storedPage(api, clerk, sizes.naiveCards);
      pageFloor = floorOf(
        'raw-transit-page-batched',
        `raw transit: one page of ${sizes.naiveCards}, batched`,
        batchedPage.id,
        sizes.naiveCards,
      );
      log(pageFloor.title);
      await pageFloor.run(sizes.naiveRequests, () => rawTransit.batched(firstPage));

      const pagingPages = Math.ceil(sizes.pagingCards / sizes.pageSize);
      paging = scenario('page-all-decrypted', `page through ${sizes.pagingCards} cards decrypted`, sizes.pageSize);
      log(paging.title);
      await paging.run(pagingPages, 1, pager(api, processor, sizes.pageSize, true));

      const among = Math.max(sizes.listCards, sizes.pagingCards) + sizes.lookups;
      byId = scenario('lookup-by-id', `find one card among ${among} by id`, 1);
      byPan = scenario('lookup-by-pan', `find one card among ${among} by number (blind index)`, 1);
      log(`${byId.title}, then ${byPan.title}`);
      await runLookups(
        api,
        clerk,
        (subject) => issueToken(config.auth, ['clerk'], subject),
        sizes.lookups,
        byId,
        byPan,
      );
    } finally {
      await api.stop();
    }

    const rawTransit = await openFloor();
    const naive = async (batching: 'false' | 'sequential', id: string, title: string, floorTitle: string) => {
      log(`restarting the API with TRANSIT_BATCHING=${batching} (one transit call per value)`);
      api = await start({ TRANSIT_BATCHING: batching });
      const scenario = new Scenario(id, title, sizes.naiveCards, api, countsVault);
      const naiveFloor = floorOf(`raw-transit-${id.replace('list-', '')}`, floorTitle, id, sizes.naiveCards);
      try {
        await pager(api, processor, sizes.naiveCards, true)(0); // warm-up
        log(scenario.title);
        await scenario.run(sizes.naiveRequests, 1, pager(api, processor, sizes.naiveCards, true, true));
        const firstPage = await storedPage(api, clerk, sizes.naiveCards);
        log(naiveFloor.title);
        await naiveFloor.run(sizes.naiveRequests, () => rawTransit.oneByOne(firstPage, batching === 'false'));
      } finally {
        await api.stop();
      }
      return { scenario, floor: naiveFloor };
    };
    const naiveConcurrent = await naive(
      'false',
      'list-page-naive',
      `one page of ${sizes.naiveCards} decrypted, naive (all at once)`,
      `raw transit: one call per value, ${sizes.naiveCards} at once`,
    );
    const naiveSequential = await naive(
      'sequential',
      'list-page-naive-sequential',
      `one page of ${sizes.naiveCards} decrypted, naive (one after another)`,
      `raw transit: one call per value, one after another`,
    );
    const naivePage = naiveConcurrent.scenario;
    const sequentialPage = naiveSequential.scenario;

    // The reveal record's cost: the same list with and without it, rounds alternating (and their order
    // swapped each round) so that load on a shared machine falls on both alike. Each round restarts the API.
    const withRecord = new Scenario(
      'list-decrypted-audited',
      `list ${sizes.listCards} cards as processor, reveal record on`,
      sizes.pageSize,
      api,
      countsVault,
    );
    const withoutRecord = new Scenario(
      'list-decrypted-unaudited',
      `list ${sizes.listCards} cards as processor, no reveal record`,
      sizes.pageSize,
      api,
      countsVault,
    );
    const listPages = Math.ceil(sizes.listCards / sizes.pageSize);
    for (let round = 1; round <= sizes.listRounds; round++) {
      const pair = [
        { scenario: withRecord, entry: SERVER_ENTRY, label: 'with the reveal record' },
        { scenario: withoutRecord, entry: UNAUDITED_ENTRY, label: 'without it (the bench-only entry)' },
      ];
      for (const { scenario: measured, entry, label } of round % 2 === 1 ? pair : pair.reverse()) {
        log(`list ${sizes.listCards} cards ${label}, round ${round} of ${sizes.listRounds}`);
        api = await start({ TRANSIT_BATCHING: 'true' }, entry);
        try {
          await pager(api, processor, sizes.pageSize, true)(0); // warm-up
          await measured.on(api).run(listPages, 1, pager(api, processor, sizes.pageSize, true));
        } finally {
          await api.stop();
        }
      }
    }

    const scenarios = [
      bulk,
      concurrent,
      ciphertextList,
      decryptedList,
      batchedPage,
      naivePage,
      sequentialPage,
      paging,
      byId,
      byPan,
      withRecord,
      withoutRecord,
    ];
    const results = scenarios.map((each) => each.result());
    const floors = [listFloor, pageFloor, naiveConcurrent.floor, naiveSequential.floor].map((each) => each.result());
    const ciphertextResult = ciphertextList.result();
    const floorFor = (id: string) => floors.find((each) => each.forScenario === id) as FloorResult;
    const overFloor = [
      compareWithFloor(decryptedList.result(), ciphertextResult, floorFor(decryptedList.id)),
      compareWithFloor(batchedPage.result(), ciphertextResult, floorFor(batchedPage.id)),
      compareWithFloor(naivePage.result(), ciphertextResult, floorFor(naivePage.id)),
      compareWithFloor(sequentialPage.result(), ciphertextResult, floorFor(sequentialPage.id)),
      // The same page size as the list: the list's floor.
      compareWithFloor(paging.result(), ciphertextResult, floorFor(decryptedList.id)),
    ];
    const median = (scenario: Scenario) => scenario.result().p50Ms;
    const judge = (met: boolean | null) => (options.mode === 'full' ? met : null);
    const decryptedOverCiphertext = round(decryptedList.wallMsPerRequest / ciphertextList.wallMsPerRequest, 2);
    const batchedSpeedup = round(naivePage.wallMsPerRequest / batchedPage.wallMsPerRequest, 1);
    const batchedSpeedupSequential = round(sequentialPage.wallMsPerRequest / batchedPage.wallMsPerRequest, 1);
    const overheadOverRawTransit = (overFloor[0] as FloorComparison).overheadOverRawTransit;
    const concurrentCalls = concurrent.result().transitCallsPerRequest;
    const pagingRss = paging.result().peakRssMb;
    const auditedOverUnaudited = round(withRecord.wallMsPerRequest / withoutRecord.wallMsPerRequest, 2);
    const cpuOf = (scenario: Scenario) => scenario.result().apiCpuMsPerRequest;
    const decryptedCpu = cpuOf(decryptedList);
    const clerkCpu = cpuOf(ciphertextList);
    const decryptedCpuOverClerk =
      decryptedCpu === null || clerkCpu === null ? null : round(decryptedCpu / Math.max(0.1, clerkCpu), 2);
    // The batched decrypted scenarios (list, one page, paging): each against the floor measured in this run.
    const batchedOverFloor = Math.max(
      ...[overFloor[0], overFloor[1], overFloor[4]].map((row) => (row as FloorComparison).p50OverFloor),
    );
    return {
      mode: options.mode,
      startedAt,
      finishedAt: new Date().toISOString(),
      backends,
      machine: { cpus: os.cpus().length, loadAverageAtStart, loadAverageAtEnd: os.loadavg() },
      apiNodeOptions: options.env.NODE_OPTIONS ?? null,
      batching: {
        batchSize: config.transit.batching.batchSize,
        concurrency: config.transit.batching.concurrency,
        windowMs: config.transit.batching.windowMs,
      },
      sizes,
      scenarios: results,
      floors,
      overFloor,
      ratios: {
        decryptedOverCiphertext,
        decryptedOverCiphertextMedian: round(median(decryptedList) / median(ciphertextList), 2),
        batchedSpeedup,
        batchedSpeedupMedian: round(median(naivePage) / median(batchedPage), 1),
        batchedSpeedupSequential,
        batchedSpeedupSequentialMedian: round(median(sequentialPage) / median(batchedPage), 1),
        overheadOverRawTransit,
        auditedOverUnaudited,
        auditedOverUnauditedMedian: round(median(withRecord) / median(withoutRecord), 2),
        byPanOverById: round(byPan.wallMsPerRequest / byId.wallMsPerRequest, 2),
        byPanOverByIdMedian: round(median(byPan) / median(byId), 2),
        decryptedCpuOverClerk,
        batchedOverFloor,
      },
      targets: [
        {
          description: `API overhead per ${sizes.pageSize} decrypted values at most 1 x their raw transit time`,
          value: overheadOverRawTransit,
          met: judge(overheadOverRawTransit <= 1),
        },
        {
          description: `decrypted list of ${sizes.listCards} at most 1.3 x the ciphertext list`,
          value: decryptedOverCiphertext,
          met: judge(decryptedOverCiphertext <= 1.3),
        },
        {
          description: `batched page of ${sizes.naiveCards} at least 25 x faster than naive (all at once)`,
          value: batchedSpeedup,
          met: judge(batchedSpeedup >= 25),
        },
        {
          description: `batched page of ${sizes.naiveCards} at least 100 x faster than naive (one after another)`,
          value: batchedSpeedupSequential,
          met: judge(batchedSpeedupSequential >= 100),
        },
        {
          description: `transit calls per request at most 0.2 under ${sizes.concurrentClients} concurrent single creates`,
          value: concurrentCalls,
          met: judge(concurrentCalls <= 0.2),
        },
        {
          description: `API peak RSS under 300 MB while paging through ${sizes.pagingCards} cards`,
          value: pagingRss,
          met: judge(pagingRss === null ? null : pagingRss < 300),
        },
        {
          description: `decrypted list of ${sizes.listCards} with the reveal record at most 1.05 x without it`,
          value: auditedOverUnaudited,
          met: judge(auditedOverUnaudited <= 1.05),
        },
        {
          description: 'every batched decrypted scenario at most 1.2 x its floor (p50 / floor)',
          value: batchedOverFloor,
          met: judge(batchedOverFloor <= 1.2),
        },
        {
          description: `API CPU per decrypted page of ${sizes.pageSize} at most 1.6 x the clerk's ciphertext page`,
          value: decryptedCpuOverClerk,
          met: judge(decryptedCpuOverClerk === null ? null : decryptedCpuOverClerk <= 1.6),
        },
      ],
    };
  } finally {
    await floor?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The first `size` cards as stored (ciphertext and the id it is bound to), read as clerk. */
async function storedPage(api: ApiProcess, clerk: string, size: number): Promise<StoredValue[]> {
  const page = await graphql<Page>(api.url, clerk, LIST_PAGE, { first: size, after: null });
  return page.creditCards.nodes.map((node) => ({ ciphertext: node.pan as string, recordId: node.id }));
}

/** Stores `count` more cards through the API, a thousand per request at most (not measured). */
async function seed(api: ApiProcess, token: string, count: number, log: (line: string) => void): Promise<void> {
  if (count <= 0) return;
  log(`seeding ${count} cards`);
  const perRequest = Math.min(1000, count);
  for (let stored = 0; stored < count; stored += perRequest) {
    await graphql(api.url, token, CREATE_MANY, { inputs: randomCards(Math.min(perRequest, count - stored)) });
    if ((stored / perRequest) % 20 === 19) log(`  ${stored + perRequest} of ${count}`);
  }
}

/**
 * Sends page after page from the first card on; `index` 0 (or every request, with `alwaysFirst`)
 * starts again from the beginning. Checks each page is full and decrypted (or not) as expected.
 */
function pager(
  api: ApiProcess,
  token: string,
  pageSize: number,
  decrypted: boolean,
  alwaysFirst = false,
  /** Ciphertext pages are kept here by index, for the raw transit floor. */
  stored?: StoredValue[][],
) {
  let after: string | null = null;
  return async (index: number) => {
    if (index === 0 || alwaysFirst) after = null;
    const page: Page = await graphql<Page>(api.url, token, LIST_PAGE, { first: pageSize, after });
    const { nodes, pageInfo } = page.creditCards;
    if (nodes.length !== pageSize) throw new Error(`expected a page of ${pageSize} cards, got ${nodes.length}`);
    const ciphertext = nodes[0]?.pan?.startsWith('vault:') ?? false;
    if (decrypted === ciphertext) throw new Error(`expected ${decrypted ? 'plaintext' : 'ciphertext'} PANs`);
    if (stored !== undefined)
      stored[index] = nodes.map((node) => ({ ciphertext: node.pan as string, recordId: node.id }));
    after = pageInfo.endCursor;
  };
}

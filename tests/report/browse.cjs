// Opens a winports HTML page in headless Chromium (Debian's, as root with --no-sandbox) and checks
// it as a reader would see it: nothing asked the network, the console stayed clean, the rows are
// there and the search box filters them. Keeps a screenshot.
// Usage: node browse.cjs plan REPORT.html SCREENSHOT.png MIN_ROWS [ZONE…]
//          the plan page: the diagram is drawn with every ZONE, the matrix has cells
//        node browse.cjs verdicts REPORT.html SCREENSHOT.png ROWS FIRST [BLOCKED-LINK]
//          check's or verify's page: exactly ROWS verdicts, blocked first (the first is FIRST),
//          the tally adds up; BLOCKED-LINK (verify) is an arrow of the diagram painted red
const puppeteer = require('puppeteer-core');
const path = require('path');

const kOrder = ['blocked', 'refused', 'unproven', 'passed'];

async function checkPlan(page, ok, fail, [minRows, ...zones]) {
  const svg = await page.$eval('#zone-diagram svg', (s) => ({ w: s.getBoundingClientRect().width, nodes: s.querySelectorAll('g.node').length, edges: s.querySelectorAll('g.edge').length, ids: [...s.querySelectorAll('g.node')].map((g) => g.id) })).catch(() => null);
  if (!svg) fail('no SVG in #zone-diagram');
  else if (svg.w < 100 || svg.nodes < 1 || svg.edges < 1) fail(`diagram ${svg.w}px wide, ${svg.nodes} zones, ${svg.edges} arrows`);
  else ok(`diagram drawn: ${svg.nodes} zones, ${svg.edges} arrows, ${Math.round(svg.w)}px wide`);
  for (const zone of zones) {
    // The diagram's ids keep letters and digits only (link ids join two zones with '-').
    if (svg && svg.ids.includes('zone-' + zone.replace(/[^A-Za-z0-9]/g, '_'))) ok(`zone ${zone} in the diagram`);
    else fail(`zone ${zone} missing from the diagram (${svg && svg.ids})`);
  }
  const rows = await page.$$eval('#rules tbody tr.rule', (r) => r.length);
  if (rows >= Number(minRows)) ok(`${rows} rule rows`); else fail(`${rows} rule rows, wanted at least ${minRows}`);
  const cells = await page.$$eval('#matrix td.cell', (c) => c.length);
  if (cells >= 1) ok(`${cells} zone-matrix cells with services`); else fail('the zone matrix is empty');
  return { rows: '#rules tbody tr.rule', word: '#rules tbody tr.rule td:nth-child(4)' };
}

async function checkVerdicts(page, ok, fail, [wanted, first, blockedLink]) {
  const verdicts = await page.$$eval('#verdicts tbody tr.verdict', (r) => r.map((x) => x.classList[1]));
  if (verdicts.length === Number(wanted)) ok(`${verdicts.length} verdict rows`);
  else fail(`${verdicts.length} verdict rows, wanted ${wanted}`);
  if (verdicts[0] === first) ok(`first row is ${first}`); else fail(`first row is ${verdicts[0]}, wanted ${first}`);
  const ranks = verdicts.map((v) => kOrder.indexOf(v));
  if (ranks.every((r, i) => r >= 0 && (i === 0 || ranks[i - 1] <= r))) ok('rows ordered blocked, refused, unproven, passed');
  else fail('rows out of order: ' + verdicts.join(' '));
  const tally = await page.$$eval('.tally span b', (b) => b.map((x) => Number(x.textContent)));
  const counted = kOrder.map((v) => verdicts.filter((x) => x === v).length);
  if (JSON.stringify(tally) === JSON.stringify(counted)) ok(`tally ${tally.join('/')} matches the rows`);
  else fail(`tally ${tally} but rows ${counted}`);
  if (blockedLink) {
    const stroke = await page.$eval(`#zone-diagram svg g.edge[id="${blockedLink}"] path`, (p) => p.getAttribute('stroke')).catch(() => null);
    if (stroke === '#c62828') ok(`arrow ${blockedLink} painted red`); else fail(`arrow ${blockedLink} stroke ${stroke}`);
  }
  return { rows: '#verdicts tbody tr.verdict', word: '#verdicts tbody tr.verdict td.status' };
}

(async () => {
  const [kind, report, screenshot, ...rest] = process.argv.slice(2);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const problems = [];
  const fail = (text) => { problems.push(text); console.log('FAIL: ' + text); };
  const ok = (text) => console.log('ok: ' + text);
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') fail('console ' + m.type() + ': ' + m.text()); });
    page.on('pageerror', (e) => fail('page error: ' + e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) fail('request left the page: ' + r.url()); });
    await page.goto('file://' + path.resolve(report), { waitUntil: 'load' });
    const check = { plan: checkPlan, verdicts: checkVerdicts }[kind];
    if (!check) throw new Error('unknown page kind ' + kind);
    const table = await check(page, ok, fail, rest);

    // The search box: a word from the first row keeps that row; nonsense hides every row.
    const rows = await page.$$eval(table.rows, (r) => r.length);
    const word = (await page.$eval(table.word, (td) => td.textContent.trim())).split(/\s+/)[0];
    await page.type('#search', word);
    const kept = await page.$$eval(table.rows, (r) => r.filter((x) => x.style.display !== 'none').length);
    const counted = await page.$eval('#shown', (s) => Number(s.textContent));
    if (kept >= 1 && kept <= rows && counted === kept) ok(`search "${word}" keeps ${kept} of ${rows}`);
    else fail(`search "${word}" kept ${kept}, counter says ${counted}`);
    await page.$eval('#search', (b) => { b.value = ''; });
    await page.type('#search', 'zzzz-no-such-row');
    const none = await page.$$eval(table.rows, (r) => r.filter((x) => x.style.display !== 'none').length);
    if (none === 0) ok('a search matching nothing hides every row'); else fail(`nonsense search kept ${none}`);
    await page.$eval('#search', (b) => { b.value = ''; b.dispatchEvent(new Event('input')); });
    await page.screenshot({ path: screenshot, fullPage: false });
    ok('screenshot ' + screenshot);
  } catch (e) {
    fail(String(e));
  } finally {
    await browser.close();
  }
  process.exit(problems.length ? 1 : 0);
})();

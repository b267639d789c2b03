// Opens a winports HTML report in headless Chromium (Debian's, as root with --no-sandbox) and
// checks it as a reader would see it: the diagram is drawn, the rows are there, the search box
// filters them, nothing asked the network, and the console stayed clean. Keeps a screenshot.
// Usage: node browse.cjs REPORT.html SCREENSHOT.png MIN_ROWS [ZONE…]
const puppeteer = require('puppeteer-core');
const path = require('path');

(async () => {
  const [report, screenshot, minRows, ...zones] = process.argv.slice(2);
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

    const svg = await page.$eval('#zone-diagram svg', (s) => ({ w: s.getBoundingClientRect().width, nodes: s.querySelectorAll('g.node').length, edges: s.querySelectorAll('g.edge').length, ids: [...s.querySelectorAll('g.node')].map((g) => g.id) })).catch(() => null);
    if (!svg) fail('no SVG in #zone-diagram');
    else if (svg.w < 100 || svg.nodes < 1 || svg.edges < 1) fail(`diagram ${svg.w}px wide, ${svg.nodes} zones, ${svg.edges} arrows`);
    else ok(`diagram drawn: ${svg.nodes} zones, ${svg.edges} arrows, ${Math.round(svg.w)}px wide`);
    for (const zone of zones) {
      if (svg && svg.ids.includes('zone-' + zone)) ok(`zone ${zone} in the diagram`);
      else fail(`zone ${zone} missing from the diagram (${svg && svg.ids})`);
    }
    const rows = await page.$$eval('#rules tbody tr.rule', (r) => r.length);
    if (rows >= Number(minRows)) ok(`${rows} rule rows`); else fail(`${rows} rule rows, wanted at least ${minRows}`);
    const cells = await page.$$eval('#matrix td.cell', (c) => c.length);
    if (cells >= 1) ok(`${cells} zone-matrix cells with services`); else fail('the zone matrix is empty');

    // The search box: a word from the first row keeps that row; nonsense hides every row.
    const word = await page.$eval('#rules tbody tr.rule td:nth-child(4)', (td) => td.textContent.trim());
    await page.type('#search', word);
    const kept = await page.$$eval('#rules tbody tr.rule', (r) => r.filter((x) => x.style.display !== 'none').length);
    const counted = await page.$eval('#shown', (s) => Number(s.textContent));
    if (kept >= 1 && kept <= rows && counted === kept) ok(`search "${word}" keeps ${kept} of ${rows}`);
    else fail(`search "${word}" kept ${kept}, counter says ${counted}`);
    await page.$eval('#search', (b) => { b.value = ''; });
    await page.type('#search', 'zzzz-no-such-rule');
    const none = await page.$$eval('#rules tbody tr.rule', (r) => r.filter((x) => x.style.display !== 'none').length);
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

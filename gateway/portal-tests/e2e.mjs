// End-to-end portal test: log in, submit an example deck from the editor, watch the residual
// plot grow while the job runs, see its final state, download a result file, view usage.
// Usage: node e2e.mjs URL USER PASSWORD OUTDIR   (Debian chromium at $CHROMIUM or /usr/bin/chromium)
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';

const [url, user, password, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
const step = (s) => console.log(`[e2e] ${s}`);
const shot = (name) => page.screenshot({ path: `${out}/${name}.png`, fullPage: false });
function check(cond, msg) { if (!cond) throw new Error(msg); }

// Log in (a protected page redirects to the log-in form), by keyboard.
await page.goto(`${url}/portal/jobs`);
await page.waitForURL(/\/portal\/login/);
await page.fill('#user', user);
await page.fill('#password', 'wrong password');
await page.keyboard.press('Enter');
await page.getByRole('alert').filter({ hasText: 'wrong password' }).waitFor();
await page.fill('#password', password);
await page.keyboard.press('Enter');
await page.waitForURL(/\/portal\/jobs$/);
// The 401s of the pages before logging in are expected; from here on no errors.
errors.length = 0;
step('logged in');

// The editor: a typo is marked at its line; then the template, one rank, a longer run.
await page.click('a[data-nav="new"]');
await page.waitForSelector('#deck');
await page.waitForFunction(() => document.querySelector('#check-status').textContent.includes('No problems'));
await page.evaluate(() => {
  const a = document.querySelector('#deck');
  a.value = a.value.replace('[physics]', '[physics]\nordr = 2');
  a.dispatchEvent(new Event('input'));
});
await page.waitForSelector('#diagnostics li');
const diag = await page.textContent('#diagnostics li');
check(/error at line \d+, column 1: .*ordr/.test(diag) && diag.includes('order'), `diagnostic: ${diag}`);
check(await page.isDisabled('#submit'), 'submit must be disabled while the deck has errors');
await shot('editor-error');
await page.click('#load-template');
await page.evaluate(() => {
  const a = document.querySelector('#deck');
  a.value = a.value.replace('dt_max = 600.0', 'dt_max = 4.0');
  a.dispatchEvent(new Event('input'));
});
await page.fill('#ranks', '1');
await page.dispatchEvent('#ranks', 'change');
await page.waitForFunction(() => document.querySelector('#deck').value.includes('ranks = 1'));
await page.waitForFunction(() => document.querySelector('#cost').textContent.includes('core-time'));
const cost = await page.textContent('#cost');
check(cost.includes('0.167 h core-time'), `cost shown before submit: ${cost}`);
await page.waitForFunction(() => !document.querySelector('#submit').disabled);
await shot('editor');
await page.click('#submit');
await page.waitForURL(/\/portal\/jobs\/\d+$/);
const jobId = Number(page.url().split('/').pop());
step(`submitted job ${jobId}`);

// The residual plot grows while the job runs.
await page.waitForFunction(() => window.__galvana && window.__galvana.counts().live_nonlinear > 20, null, { timeout: 120000 });
const a = await page.evaluate(() => window.__galvana.counts());
await page.waitForTimeout(2000);
const b = await page.evaluate(() => window.__galvana.counts());
const endedDuring = await page.evaluate(() => window.__galvana.ended());
check(!endedDuring, 'the run ended before the plot could be seen growing; make it longer');
check(b.nonlinear > a.nonlinear && b.plotted > a.plotted, `plot did not grow: ${JSON.stringify([a, b])}`);
await page.waitForFunction(() => document.querySelector('#job-state').textContent.includes('running'), null, { timeout: 10000 });
await shot('job-running');
step(`plot grew from ${a.plotted} to ${b.plotted} points while running`);

// Final state, then a result file downloads.
await page.waitForFunction(() => document.querySelector('#job-state').textContent.includes('completed'), null, { timeout: 300000 });
await page.waitForSelector('#files a[href$="job/run/monitors.csv?download=true"]');
await shot('job-completed');
const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#files a[href$="job/run/monitors.csv?download=true"]')]);
const file = `${out}/monitors.csv`;
await dl.saveAs(file);
const csv = readFileSync(file, 'utf8');
check(csv.startsWith('time_s,') && csv.trim().split('\n').length > 3, `downloaded monitors.csv: ${csv.slice(0, 200)}`);
step('completed; monitors.csv downloaded');

// Jobs list shows it; usage shows the charge once accounting is in.
await page.goto(`${url}/portal/jobs`);
await page.waitForSelector(`#jobs tr[data-job="${jobId}"]`);
check((await page.textContent(`#jobs tr[data-job="${jobId}"]`)).includes('completed'), 'job listed as completed');
await shot('jobs');
for (let i = 0; ; i++) {
  await page.goto(`${url}/portal/usage`);
  await page.waitForSelector('#meter-core');
  const ledger = await page.textContent('#ledger');
  if (ledger.includes('charge') && ledger.includes('release')) break;
  check(i < 60, `no charge in the ledger: ${ledger}`);
  await page.waitForTimeout(1000);
}
const meterText = await page.textContent('#meter-core-label');
check(/Core-hours: .* used of 10,000 h/.test(meterText), `meter: ${meterText}`);
await page.waitForSelector('#statements a[href$=".csv"]');
await shot('usage');
step('usage shows the charge');
// Datasets: upload a cycler export, see its cycles and the capacity-fade plot.
const dataset = process.env.GALVANA_E2E_DATASET;
if (dataset) {
  await page.click('a[data-nav="datasets"]');
  await page.waitForSelector('#dataset-file');
  await page.setInputFiles('#dataset-file', dataset);
  await page.click('#upload');
  await page.waitForSelector('#datasets tr[data-dataset]');
  const up = await page.textContent('#upload-msg');
  check(up.includes('2150 rows') && up.includes('Arbin'), `upload message: ${up}`);
  await page.click('#datasets tr[data-dataset] a');
  await page.waitForSelector('#cycles tr[data-cycle="4"]');
  // Cycle 2 of the Arbin sample: 0.47674 mAh in, 0.47436 mAh out (galvana cycles).
  const row = await page.textContent('#cycles tr[data-cycle="2"]');
  check(row.includes('99.502') && row.includes('0.4744'), `cycle 2 row: ${row}`);
  await page.waitForFunction(() => window.__galvana_dataset && window.__galvana_dataset.plotted === 4);
  await page.waitForSelector('#fade-plot canvas');
  await shot('dataset');
  step('dataset uploaded; 4 complete cycles plotted');
  // The editor offers it to place next to the deck; the check then runs with it attached.
  const name = dataset.split('/').pop();
  await page.click('a[data-nav="new"]');
  await page.waitForSelector(`#job-datasets input[data-name="${name}"]`);
  await page.waitForFunction(() => document.querySelector('#check-status').textContent.includes('No problems'));
  const [checked] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/check') && (r.request().postData() || '').includes('"datasets"')),
    page.check(`#job-datasets input[data-name="${name}"]`),
  ]);
  check(checked.status() === 200, `check with a dataset: ${checked.status()}`);
  await page.waitForFunction(() => document.querySelector('#check-status').textContent.includes('No problems'));
  step('editor check with the dataset attached');
}
// A stream of 10^6 Newton iterations: the page draws it decimated and stays responsive.
const runDir = process.env.GALVANA_E2E_RUN_DIR;
if (runDir) {
  const { appendFileSync, readFileSync: rf } = await import('node:fs');
  const path = `${runDir.replace('{id}', String(jobId))}/residuals.jsonl`;
  const lines = rf(path, 'utf8').trim().split('\n');
  let seq = JSON.parse(lines[lines.length - 1]).seq + 1;
  const base = lines.filter((l) => l.includes('"nonlinear"')).length;
  const N = 1000000 - base;
  const chunk = [];
  for (let i = 0; i < N; i++) {
    chunk.push(`{"seq":${seq++},"wall_s":0,"kind":"nonlinear","step":1,"it":${i % 5},"norm":${Math.pow(10, -(i % 9)) * (1 + (i % 7))}}`);
    if (chunk.length === 100000) { appendFileSync(path, chunk.join('\n') + '\n'); chunk.length = 0; }
  }
  if (chunk.length) appendFileSync(path, chunk.join('\n') + '\n');
  const t0 = Date.now();
  await page.goto(`${url}/portal/jobs/${jobId}`);
  await page.waitForFunction(() => window.__galvana && window.__galvana.counts().plotted > 0, null, { timeout: 60000 });
  const t1 = Date.now();
  const c = await page.evaluate(() => window.__galvana.counts());
  check(c.nonlinear === 1000000, `counted ${c.nonlinear} Newton iterations`);
  check(c.plotted <= 4000, `plotted ${c.plotted} points`);
  // Responsiveness: the main thread answers while the plots are up.
  const lag = await page.evaluate(() => new Promise((res) => { const t = performance.now(); setTimeout(() => res(performance.now() - t), 0); }));
  await shot('job-million');
  step(`10^6 iterations: page with plots in ${t1 - t0} ms, ${c.plotted} points drawn, event-loop lag ${lag.toFixed(1)} ms`);
}
check(errors.length === 0, `browser errors: ${errors.join('\n')}`);
await browser.close();
console.log('[e2e] ok');
